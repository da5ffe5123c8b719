"""Pages of the breaches app, split by who uses them: `reporting` (anyone making or following
a report, or reading one about them) and `cases` (the case team)."""

from breaches.views.cases import (  # noqa: F401
    case_assign,
    case_cpoms,
    case_detail,
    case_evidence_add,
    case_export,
    case_hearer,
    case_hold,
    case_item_add,
    case_item_compliance,
    case_list,
    case_member_add,
    case_member_remove,
    case_message,
    case_move,
    case_notify,
    case_team_view,
    evidence_download,
    statistics,
)
from breaches.views.reporting import (  # noqa: F401
    SENT_SESSION_KEY,
    about_me,
    my_report,
    report_autosave,
    report_autosave_behalf,
    report_home,
    report_log,
    report_new,
    report_sent,
)
