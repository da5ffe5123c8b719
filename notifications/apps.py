from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications and reminders"

    def ready(self) -> None:
        from audit.display import register

        register({
            "notifications.preferences_changed": "changed how they receive notifications",
            "notifications.delivery_retried": "asked for a failed email to be sent again",
            "notifications.delivery_abandoned": "gave up sending an email after repeated "
                                                "failures",
        })
