from django.apps import AppConfig


class AcknowledgementsConfig(AppConfig):
    name = "acknowledgements"
    verbose_name = "Acknowledgements"

    def ready(self) -> None:
        from acknowledgements import compliance_cache
        from audit.display import register

        compliance_cache.connect()
        from policies.signals import version_published

        version_published.connect(
            _on_version_published, dispatch_uid="acknowledgements.assign_on_publish"
        )
        register({
            "acknowledgements.assigned": "asked the policy's audience to acknowledge a version",
            "acknowledgements.assigned_joiners": "asked new joiners to acknowledge a policy",
            "acknowledgements.acknowledged": "acknowledged a policy",
            "acknowledgements.recorded_on_behalf": "recorded an acknowledgement on someone's "
                                                   "behalf",
            "acknowledgements.nudged": "reminded a report to acknowledge a policy",
            "acknowledgements.question_added": "added a comprehension question",
            "acknowledgements.question_changed": "changed a comprehension question",
            "acknowledgements.question_removed": "removed a comprehension question",
            "acknowledgements.token_only_changed": "changed who may acknowledge from a link alone",
            "acknowledgements.answers_wrong": "gave a wrong answer to a comprehension question",
            "acknowledgements.chain_head_published": "sent HR and the Board the signed "
                                                     "acknowledgement chain head",
        })


def _on_version_published(sender, *, version, previous=None, actor=None, material=True,
                          **kwargs) -> None:
    from acknowledgements.services import assignments_on_publish

    assignments_on_publish(version=version, previous=previous, actor=actor, material=material)
