from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = "Policy library"

    def ready(self) -> None:
        from audit.display import register
        from policies import textcache

        textcache.connect()

        register({
            "policies.version_imported": "imported a policy version",
            "policies.document_registered": "uploaded a policy document",
            "policies.version_consultation": "started consultation on a policy version",
            "policies.version_awaiting_approval": "sent a policy version for CEO approval",
            "policies.version_approved": "approved a policy version as CEO",
            "policies.version_ratified": "recorded LGB Cluster ratification of a policy version",
            "policies.version_published": "published a policy version",
            "policies.version_withdrawn": "withdrew a policy version",
            "policies.version_returned": "returned a policy version to draft",
            "policies.version_drafted": "started a new draft of a policy",
            "policies.draft_replaced": "replaced the text of a draft policy",
            "policies.draft_renumbered": "renumbered a draft policy",
            "policies.draft_relabelled": "relabelled a draft policy",
            "policies.clause_changed": "changed a clause of a draft policy",
            "policies.clause_added": "added a clause to a draft policy",
            "policies.clause_removed": "removed a clause from a draft policy",
            "policies.clause_moved": "moved a clause of a draft policy",
            "policies.addendum_saved": "saved an academy addendum",
            "policies.addendum_submitted": "sent an academy addendum for CEO approval",
            "policies.addendum_approved": "approved an academy addendum",
            "policies.addendum_draft": "returned an academy addendum to its Principal",
            "policies.review_recorded": "recorded a policy review",
            "policies.settings_changed": "changed a policy's owner, review interval or audience",
        })
