"""The acknowledgement pages: reading and acknowledging (`reading`), the compliance dashboards
(`dashboards`), and acting on others' acknowledgements (`managing`)."""

from acknowledgements.views.dashboards import (  # noqa: F401
    academy,
    category,
    person_history,
    team,
    trust,
)
from acknowledgements.views.managing import (  # noqa: F401
    nudge,
    on_behalf,
    question_delete,
    question_edit,
    questions,
    token_only_settings,
)
from acknowledgements.views.reading import (  # noqa: F401
    acknowledge,
    changes,
    link,
    mine,
    read,
    receipt,
    start,
    token_acknowledge,
    token_changes,
    token_read,
    token_receipt,
)
