"""Every write about reports and cases. Views call these; nothing else changes a case.

Split by responsibility; every public name stays importable from `breaches.services`:
`common` (who is who, timeline entries), `reporting` (routing, drafts, sending),
`transitions` (the state machine), `casework` (messages, team, tasks, evidence, legal hold),
`retention` (anonymising closed cases).
"""

from breaches.services.casework import (
    case_assign_handler,
    case_cpoms_record,
    case_evidence_add,
    case_item_add,
    case_item_record_compliance,
    case_legal_hold,
    case_member_add,
    case_member_remove,
    case_message_send,
    case_notify_concerned,
    case_record_view,
    case_reply,
    case_set_hearer,
    evidence_record_download,
)
from breaches.services.common import (
    DEFAULT_RETENTION_MONTHS,
    SANCTIONS,
    can_open,
    case_url,
    current_ceo,
    eligible_handlers,
    principal_of,
)
from breaches.services.reporting import (
    DraftSpent,
    draft_attach_evidence,
    draft_discard,
    draft_for,
    draft_remove_evidence,
    draft_save,
    draft_token_spent,
    report_submit,
    route_report,
)
from breaches.services.retention import apply_retention, case_anonymise
from breaches.services.transitions import case_transition
from breaches.workflow import CaseError

__all__ = [
    "DEFAULT_RETENTION_MONTHS", "SANCTIONS", "CaseError", "DraftSpent",
    "apply_retention", "can_open", "case_anonymise", "case_assign_handler", "case_cpoms_record",
    "case_evidence_add", "case_item_add", "case_item_record_compliance", "case_legal_hold",
    "case_member_add",
    "case_member_remove", "case_message_send", "case_notify_concerned", "case_record_view",
    "case_reply", "case_set_hearer", "case_transition", "case_url", "current_ceo",
    "draft_attach_evidence", "draft_discard", "draft_for", "draft_remove_evidence",
    "draft_save", "draft_token_spent", "eligible_handlers", "evidence_record_download",
    "principal_of",
    "report_submit", "route_report",
]
