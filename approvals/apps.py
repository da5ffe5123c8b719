from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = "Approvals"

    def ready(self) -> None:
        from approvals.workflow import AUDIT_LABELS
        from audit.display import register

        register(AUDIT_LABELS)
