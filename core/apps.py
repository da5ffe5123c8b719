from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Portal"

    def ready(self) -> None:
        from core.schedules import on_post_migrate

        post_migrate.connect(on_post_migrate, sender=self,
                             dispatch_uid="core.ensure_default_schedules")
        from core.caching import follow_changes
        from core.hooks import nav_models
        from core.navcache import on_model_change

        follow_changes(nav_models(), on_model_change, "core.navcache")
