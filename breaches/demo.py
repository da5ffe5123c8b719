"""Demo cases in different states, made through the real services (routing, timeline, audit).

Idempotent: each demo case is recognised by its description and made only once.
"""

import datetime

from django.utils import timezone

from accounts.models import User
from breaches import services
from breaches.models import Case, CaseItem, Outcome, Platform, State
from breaches.selectors import citable_clauses

DEMO_CASES = [
    {
        "key": "A Facebook post by a teaching assistant names a Year 5 pupil and mocks their "
               "reading in a public group for local parents.",
        "reporter": "teacher.northfield@trust.example",
        "concerned": "ta.northfield@trust.example",
        "platform": Platform.FACEBOOK,
        "links": "https://www.facebook.com/groups/example-parents/posts/1234",
        "clauses": ["5.1 h)", "10.4 a)", "10.6 a)"],
        "days_ago": 3,
        "path": [State.TRIAGE, State.INVESTIGATION],
        "removal_request": True,
    },
    {
        "key": "A TikTok video filmed in a classroom shows pupils' faces and was posted from a "
               "supply teacher's personal account.",
        "reporter": "manager.riverside@trust.example",
        "concerned": "agency.riverside@trust.example",
        "platform": Platform.TIKTOK,
        "links": "https://www.tiktok.com/@example/video/555",
        "clauses": ["6.4", "10.6 b)"],
        "days_ago": 1,
        "path": [],
        "safeguarding": True,
    },
    {
        "key": "A LinkedIn comment criticised the trust's new behaviour policy in strong terms.",
        "reporter": "teacher.hillcrest@trust.example",
        "concerned": "contractor.hillcrest@trust.example",
        "platform": Platform.LINKEDIN,
        "links": "",
        "clauses": ["10.4 b)"],
        "days_ago": 20,
        "path": [State.TRIAGE, State.NO_CASE],
    },
    {
        "key": "Tweets from a personal account called a named colleague 'useless' and asked "
               "others to pile on.",
        "reporter": "teacher.riverside@trust.example",
        "concerned": "manager.riverside@trust.example",
        "platform": Platform.TWITTER,
        "links": "https://x.com/example/status/42",
        "clauses": ["5.1 f)", "10.4 b)"],
        "days_ago": 30,
        "path": [State.TRIAGE, State.INVESTIGATION, State.OUTCOME],
        "cyberbullying": True,
    },
]


def seed(stdout=None) -> None:
    made = 0
    clauses = {c.number: c for c in citable_clauses()}
    for spec in DEMO_CASES:
        if Case.objects.filter(description=spec["key"]).exists():
            continue
        reporter = User.objects.filter(email=spec["reporter"]).first()
        concerned = User.objects.filter(email=spec["concerned"]).first()
        if reporter is None or concerned is None:
            continue
        seen = timezone.now() - datetime.timedelta(days=spec["days_ago"] + 1)
        case = services.report_submit(reporter=reporter, data={
            "concerned": concerned, "platform": spec["platform"], "links": spec["links"],
            "seen_at": seen, "description": spec["key"],
            "clauses": [clauses[n] for n in spec["clauses"] if n in clauses],
            "safeguarding": spec.get("safeguarding", False),
            "cpoms_reference": "CP-2026-118" if spec.get("safeguarding") else "",
            "cyberbullying": spec.get("cyberbullying", False),
            "withhold_identity": spec.get("cyberbullying", False),
        })
        handler = case.handler
        for target in spec["path"]:
            data: dict = {}
            reason = "Demo: see the report."
            if target == State.TRIAGE:
                data = {"severity": "medium", "safeguarding_confirmed": False}
                reason = ""
            elif target == State.OUTCOME:
                breached = [clauses[n] for n in spec["clauses"] if n in clauses]
                data = {"outcome": Outcome.WRITTEN_WARNING if breached else Outcome.NO_ACTION,
                        "outcome_reasons": "The posts were intended to belittle a colleague "
                        "(10.4 b)) and were not removed when first asked.",
                        "clauses_breached": breached}
                reason = ""
            elif target == State.NO_CASE:
                reason = ("The comment was a fair professional opinion, posted in a personal "
                          "capacity; no breach.")
            case = services.case_transition(case=case, target=target, actor=handler,
                                            reason=reason, data=data)
            if target == State.INVESTIGATION and spec.get("removal_request"):
                services.case_item_add(
                    case=case, actor=handler, kind=CaseItem.Kind.REMOVAL_REQUEST,
                    body="Please remove the post from the parents' group and confirm.",
                )
        made += 1
    if stdout:
        stdout.write(f"  breaches: {made} demo case(s) created "
                     f"({Case.objects.count()} in all)")
