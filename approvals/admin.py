"""Read-only views for administrators; every change goes through the services and pages."""

from django.contrib import admin

from approvals.models import ApprovalRequest, Delegation, Event, Revision, TwoStepRule


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "title", "requester", "academy", "status", "due_at"]
    list_filter = ["kind", "status", "academy"]
    search_fields = ["title", "requester__full_name"]

    def get_queryset(self, request):
        # Monitoring requests stay in the HR/CEO register only (clause 7.2, 7.3).
        return super().get_queryset(request).exclude(kind="monitoring")


@admin.register(Revision)
class RevisionAdmin(ReadOnlyAdmin):
    list_display = ["request", "number", "author", "created_at", "content_hash"]

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(request__kind="monitoring")


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["request", "move", "actor", "on_behalf_of", "created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(request__kind="monitoring")


admin.site.register(Delegation, ReadOnlyAdmin)
admin.site.register(TwoStepRule, ReadOnlyAdmin)
