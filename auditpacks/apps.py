from django.apps import AppConfig


class AuditpacksConfig(AppConfig):
    name = "auditpacks"
    verbose_name = "Audit packs"

    def ready(self) -> None:
        from audit.display import register

        register({
            "auditpacks.pack_requested": "asked for an audit pack",
            "auditpacks.pack_built": "had an audit pack built",
            "auditpacks.pack_failed": "had an audit pack fail to build",
            "auditpacks.pack_retried": "asked for a failed audit pack to be built again",
            "auditpacks.pack_downloaded": "downloaded an audit pack",
            "auditpacks.pack_verified": "checked an audit pack against the records",
            "auditpacks.pack_expired": "deleted an audit pack file after its keep period",
            "auditpacks.case_pack_requested": "asked for a case pack",
            "auditpacks.case_pack_generated": "generated a case pack",
            "auditpacks.case_pack_downloaded": "downloaded a case pack",
            "auditpacks.export_downloaded": "downloaded a register export",
        })
