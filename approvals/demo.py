"""Demo approvals in several states, made through the real services (history and audit too).

Idempotent: a request is made only if its requester has no request with that title yet.
"""

import datetime
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from approvals import services
from approvals.models import ApprovalRequest, Kind
from approvals.uploads import MEDIA_TYPES, store


def demo_png(rgb=(29, 58, 110), size=(64, 40)) -> bytes:
    """A small solid-colour PNG (no imaging library needed)."""
    width, height = size
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(tag: bytes, data: bytes) -> bytes:
        body = tag + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))


def _person(email: str) -> User | None:
    return User.objects.filter(email=email).first()


def _exists(requester, title: str) -> bool:
    return ApprovalRequest.objects.filter(requester=requester, title=title).exists()


def _local(days: int, hour: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour, 0),
                                     tzinfo=timezone.get_current_timezone())


def _post(requester, title, text, *, days, hour=9, account="@NorthfieldPrimary", image=None,
          pupils=False):
    publish_at = _local(days, hour)
    files = []
    if image:
        files.append(store(SimpleUploadedFile(f"{title[:20].lower().replace(' ', '-')}.png",
                                              demo_png(image), "image/png"),
                           allowed=MEDIA_TYPES))
    content = {
        "platform": "facebook", "account": account,
        "publish_at": publish_at.strftime("%Y-%m-%dT%H:%M"), "audience": "parents",
        "image_description": "Pupils in the school hall" if image else "",
        "pupils_appear": pupils, "consent_confirmed": pupils,
        "consent_note": "Checked against the photo consent list" if pupils else "",
        "uses_brand": True, "brand_detail": "Academy crest",
    }
    submission = services.Submission(
        title=title, text=text, content=content, new_files=files,
        columns={"account": account, "publish_at": publish_at, "due_at": publish_at},
    )
    return services.request_submit(kind=Kind.POST, requester=requester, submission=submission)


def seed(stdout=None) -> None:
    teacher = _person("teacher.northfield@trust.example")
    ta = _person("ta.northfield@trust.example")
    manager = _person("manager.northfield@trust.example")
    principal = _person("principal.northfield@trust.example")
    ceo = _person("ceo@trust.example")
    riverside_manager = _person("manager.riverside@trust.example")
    riverside_teacher = _person("teacher.riverside@trust.example")
    agency = _person("agency.riverside@trust.example")
    if not all([teacher, ta, manager, principal, ceo, riverside_manager, riverside_teacher,
                agency]):
        if stdout:
            stdout.write("  approvals: demo people missing; run the accounts seed first")
        return
    made = 0
    today = timezone.localdate()

    title = "Year 5 trip to the Science Museum"
    if not _exists(teacher, title):
        _post(teacher, title, "What a day! Year 5 explored the Science Museum and built "
              "their own circuits. Thank you to the parents who helped.", days=3,
              image=(200, 120, 40), pupils=True)
        made += 1

    title = "Harvest festival thank you"
    if not _exists(teacher, title):
        req = _post(teacher, title, "Thank you to every family who gave to our harvest "
                    "collection: 214 tins went to the Northfield food bank.", days=5,
                    image=(40, 140, 70))
        services.request_decide(req=req, actor=principal, outcome="approve_with_conditions",
                                reasons="A lovely message that shows our values.",
                                conditions="Do not name the food bank volunteers.")
        made += 1

    title = "Gazette question about the new car park"
    if not _exists(ta, title):
        deadline = _local(2, 16)
        services.request_submit(kind=Kind.MEDIA, requester=ta, submission=services.Submission(
            title=title, text="Is it true the academy will charge parents to park?",
            content={"outlet": "Northfield Gazette", "journalist": "Sam Reid",
                     "contact": "sam.reid@gazette.example",
                     "deadline": deadline.strftime("%Y-%m-%dT%H:%M"), "proposed_response": ""},
            columns={"due_at": deadline},
        ))
        made += 1

    title = "Phone for medical alerts"
    if not _exists(ta, title):
        until = today + datetime.timedelta(days=90)
        req = services.request_submit(
            kind=Kind.DEVICE, requester=ta, submission=services.Submission(
                title=title, text="I need to receive alerts from my glucose monitor.",
                content={"device": "phone", "circumstances": "Kept in my pocket on silent; "
                         "checked only in the corridor.", "valid_from": today.isoformat(),
                         "valid_until": until.isoformat()},
                columns={"valid_from": today, "valid_until": until},
            ))
        services.request_decide(req=req, actor=manager, outcome="approve_with_conditions",
                                reasons="A clear medical need.",
                                conditions="Out of pupils' view; never used to take images.")
        made += 1

    title = "Department reading blog"
    if not _exists(riverside_teacher, title):
        until = today + datetime.timedelta(days=180)
        req = services.request_submit(
            kind=Kind.PROFESSIONAL_USE, requester=riverside_teacher,
            submission=services.Submission(
                title=title, text="A blog of book reviews written with Year 9 classes.",
                content={"site": "riverside-reads.example", "equipment": "Classroom laptop",
                         "valid_from": today.isoformat(), "valid_until": until.isoformat()},
                columns={"valid_from": today, "valid_until": until},
            ))
        services.request_decide(req=req, actor=riverside_manager, outcome="ask_changes",
                                reasons="Say how pupils' names will be kept off the blog.")
        made += 1

    title = "Review of network activity"
    if not _exists(riverside_manager, title):
        start = today + datetime.timedelta(days=1)
        services.request_submit(
            kind=Kind.MONITORING, requester=riverside_manager, submission=services.Submission(
                title=title, text="Reports that trust systems are used to post about pupils.",
                content={"subject": {"id": agency.pk, "name": agency.full_name},
                         "foundation": "Two written reports from colleagues (kept by HR).",
                         "scope": "Social media activity on the trust network",
                         "start": start.isoformat(), "days": 14,
                         "presentation": "Weekly summary to HR"},
                columns={"subject_person": agency, "valid_from": start,
                         "valid_until": start + datetime.timedelta(days=13)},
            ))
        made += 1

    title = "Mention Tom in the reading week post"
    if not _exists(teacher, title):
        req = services.request_submit(
            kind=Kind.PERMISSION, requester=teacher, submission=services.Submission(
                title=title, text="A photo of Tom reading to Year 2, with his name.",
                content={"colleague": {"id": ta.pk, "name": ta.full_name}, "stakeholder": "",
                         "organisation": "", "stakeholder_email": "",
                         "where": "Academy Facebook page", "valid_until": None},
                columns={"subject_person": ta},
            ))
        services.request_decide(req=req, actor=ta, outcome="approve",
                                reasons="Happy to be named.")
        made += 1
    if stdout:
        stdout.write(f"  approvals: {made} demo requests made "
                     f"({ApprovalRequest.objects.count()} in all)")
