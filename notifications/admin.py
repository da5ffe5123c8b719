from django.contrib import admin, messages

from notifications.models import Delivery, Notification, Preference
from notifications.services import delivery_retry


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "kind", "period", "urgent", "email_state", "created_at",
                    "read_at", "emailed_at"]
    list_filter = ["email_state", "urgent", "kind"]
    search_fields = ["title", "recipient__email", "recipient__full_name"]
    raw_id_fields = ["recipient", "delivery"]
    date_hierarchy = "created_at"


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["to_address", "email_subject", "kind", "period", "status", "attempts",
                    "next_attempt_at", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["to_address", "recipient__email", "email_subject"]
    raw_id_fields = ["recipient"]
    readonly_fields = ["created_at", "claimed_at", "sent_at", "attempts", "last_error"]
    actions = ["retry"]

    @admin.action(description="Send the selected failed emails again")
    def retry(self, request, queryset):
        done = 0
        for delivery in queryset.filter(status__in=["failed", "abandoned"]):
            delivery_retry(delivery=delivery, actor=request.user, request=request)
            done += 1
        self.message_user(request, f"{done} email(s) will be sent again.", messages.SUCCESS)


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "group", "choice", "updated_at"]
    list_filter = ["group", "choice"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]
