from django.contrib import admin

from accounts.models import Academy, User


@admin.register(Academy)
class AcademyAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "is_central"]


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["full_name", "email", "academy", "category", "role", "leaving_date"]
    list_filter = ["role", "category", "academy"]
    search_fields = ["full_name", "email"]
    exclude = ["password", "user_permissions", "groups", "last_login"]
    autocomplete_fields = ["line_manager"]

    def get_readonly_fields(self, request, obj=None):
        # An address changes only through the people page, confirmed from the new address.
        return ["email", "pending_email", "pending_email_requested_at"] if obj else []
