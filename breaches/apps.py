from django.apps import AppConfig


class BreachesConfig(AppConfig):
    name = "breaches"
    verbose_name = "Breach reports and cases"

    def ready(self) -> None:
        from audit.display import register

        register({
            "breaches.report_submitted": "received a report of social media misuse",
            "breaches.case_triage": "started triage of a case",
            "breaches.case_no_case": "closed a report with no case",
            "breaches.case_informal": "moved a case to informal resolution",
            "breaches.case_investigation": "opened a formal investigation",
            "breaches.case_outcome": "recorded the outcome of a case",
            "breaches.case_appeal": "lodged an appeal",
            "breaches.case_closed": "closed a case",
            "breaches.case_viewed": "opened a case file",
            "breaches.allegation_viewed": "read the allegation about them",
            "breaches.evidence_downloaded": "downloaded case evidence",
            "breaches.evidence_added": "added evidence to a case",
            "breaches.concerned_notified": "notified the person concerned",
            "breaches.message_sent": "sent a case message",
            "breaches.reply_received": "replied on a report",
            "breaches.handler_assigned": "changed the handler of a case",
            "breaches.member_added": "added someone to a case",
            "breaches.member_removed": "removed someone from a case",
            "breaches.item_added": "recorded investigation work",
            "breaches.compliance_recorded": "recorded whether a request was complied with",
            "breaches.hearer_set": "set the appeal hearer",
            "breaches.legal_hold": "changed the legal hold of a case",
            "breaches.case_anonymised": "anonymised a case under the retention rule",
            "breaches.retention_applied": "applied the case retention rule",
            "breaches.register_exported": "exported the case register",
        })
