from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Portal"

    def ready(self) -> None:
        from core.schedules import on_post_migrate

        post_migrate.connect(on_post_migrate, sender=self,
                             dispatch_uid="core.ensure_default_schedules")
        from core.caching import bump_on_change
        from core.hooks import nav_models
        from core.navcache import namespaces_changed_by

        bump_on_change(nav_models(), namespaces_changed_by, "core.navcache")
