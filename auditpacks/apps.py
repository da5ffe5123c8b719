from django.apps import AppConfig


class AuditpacksConfig(AppConfig):
    name = "auditpacks"
