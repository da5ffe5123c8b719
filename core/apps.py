from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Portal"

    def ready(self) -> None:
        from core.schedules import on_post_migrate

        post_migrate.connect(on_post_migrate, sender=self,
                             dispatch_uid="core.ensure_default_schedules")
        self._navigation_follows_changes()

    def _navigation_follows_changes(self) -> None:
        from django.apps import apps
        from django.db.models.signals import post_delete, post_save

        from core.hooks import nav_models
        from core.navcache import on_model_change

        for name in nav_models():
            model = apps.get_model(name)
            for signal in (post_save, post_delete):
                signal.connect(on_model_change, sender=model, weak=False,
                               dispatch_uid=f"core.navcache.{name}.{signal is post_save}")
