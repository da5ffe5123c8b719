import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from approvals import services
from approvals.demo import demo_png
from approvals.models import Kind
from approvals.uploads import MEDIA_TYPES, store


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"


def png_upload(name="photo.png", rgb=(10, 20, 30)) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, demo_png(rgb), content_type="image/png")


def soon(days: int = 3, hour: int = 10) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour, 0),
                                     tzinfo=timezone.get_current_timezone())


def post_submission(*, title="Sports day", text="Our sports day was a great success.",
                    publish_at=None, account="@NorthfieldPrimary", images=0, pupils=False):
    publish_at = publish_at or soon()
    files = [store(png_upload(f"p{i}.png", (i, 2, 3)), allowed=MEDIA_TYPES)
             for i in range(images)]
    return services.Submission(
        title=title, text=text, new_files=files,
        content={"platform": "facebook", "account": account,
                 "publish_at": publish_at.strftime("%Y-%m-%dT%H:%M"), "audience": "parents",
                 "image_description": "Children racing" if images else "",
                 "pupils_appear": pupils, "consent_confirmed": pupils,
                 "consent_note": "Consent list" if pupils else "", "uses_brand": False,
                 "brand_detail": ""},
        columns={"account": account, "publish_at": publish_at, "due_at": publish_at},
    )


def make_post(requester, **kwargs):
    return services.request_submit(kind=Kind.POST, requester=requester,
                                   submission=post_submission(**kwargs))


def make_media(requester, *, deadline=None):
    deadline = deadline or soon(2)
    return services.request_submit(kind=Kind.MEDIA, requester=requester,
                                   submission=services.Submission(
        title="Gazette enquiry", text="Will the academy close early on Friday?",
        content={"outlet": "Gazette", "journalist": "Sam Reid", "contact": "",
                 "deadline": deadline.strftime("%Y-%m-%dT%H:%M"), "proposed_response": ""},
        columns={"due_at": deadline},
    ))


def make_exception(requester, *, kind=Kind.DEVICE, days=30):
    today = timezone.localdate()
    until = today + datetime.timedelta(days=days)
    content = ({"device": "phone", "circumstances": "Staff room only"} if kind == Kind.DEVICE
               else {"site": "A blog", "equipment": "Laptop"})
    content |= {"valid_from": today.isoformat(), "valid_until": until.isoformat()}
    return services.request_submit(kind=kind, requester=requester, submission=services.Submission(
        title="Exception", text="Needed for a good reason.", content=content,
        columns={"valid_from": today, "valid_until": until},
    ))


def make_monitoring(requester, subject, *, days=14, start=None):
    start = start or timezone.localdate()
    return services.request_submit(kind=Kind.MONITORING, requester=requester,
                                   submission=services.Submission(
        title="Monitoring", text="Reports of misuse.",
        content={"subject": {"id": subject.pk, "name": subject.full_name},
                 "foundation": "Two written reports", "scope": "Social media on the network",
                 "start": start.isoformat(), "days": days, "presentation": ""},
        columns={"subject_person": subject, "valid_from": start,
                 "valid_until": start + datetime.timedelta(days=days - 1)},
    ))


def make_permission(requester, *, colleague=None, stakeholder=""):
    evidence = [] if colleague else [store(png_upload("letter.png"),
                                           allowed=frozenset({"image/png"}))]
    return services.request_submit(kind=Kind.PERMISSION, requester=requester,
                                   submission=services.Submission(
        title="Permission", text="A photo with their name.", new_files=evidence,
        content={"colleague": {"id": colleague.pk, "name": colleague.full_name}
                 if colleague else None, "stakeholder": stakeholder, "organisation": "",
                 "stakeholder_email": "", "where": "Facebook", "valid_until": None},
        columns={"subject_person": colleague},
    ))


def decide(req, actor, outcome="approve", reasons="Fine by me.", conditions="", response=""):
    return services.request_decide(req=req, actor=actor, outcome=outcome, reasons=reasons,
                                   conditions=conditions, response=response)
