"""Demo organisation: three academies plus the central team, and a login for every role."""

from datetime import date

from django.db import transaction

from accounts.models import Academy, Category, Role, User
from accounts.permissions import MFA_REQUIRED_ROLES
from core import navcache

DEMO_PASSWORD = "demo-portal-2026"
#: Known TOTP secret for the demo's privileged users (never used for real people).
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

ACADEMIES = [
    ("central", "Central Trust Team", True),
    ("northfield", "Northfield Primary Academy", False),
    ("riverside", "Riverside Secondary Academy", False),
    ("hillcrest", "Hillcrest Academy", False),
]

# email, name, academy code, job title, category, role, line manager email
PEOPLE = [
    ("ceo@trust.example", "Sean Kelly", "central", "Chief Executive Officer", "employee", "ceo",
     ""),
    ("hr@trust.example", "Priya Shah", "central", "HR Manager", "employee", "hr",
     "ceo@trust.example"),
    ("admin@trust.example", "Alex Morgan", "central", "IT Administrator", "employee", "admin",
     "ceo@trust.example"),
    ("board@trust.example", "Margaret Owen", "central", "Chair of the Trust Board", "third_party",
     "board", ""),
    ("finance@trust.example", "Daniel Brooks", "central", "Finance Officer", "employee", "staff",
     "ceo@trust.example"),
    ("principal.northfield@trust.example", "Helen Carter", "northfield", "Principal", "employee",
     "principal", "ceo@trust.example"),
    ("manager.northfield@trust.example", "James Wilson", "northfield", "Head of Key Stage 2",
     "employee", "staff", "principal.northfield@trust.example"),
    ("teacher.northfield@trust.example", "Aisha Khan", "northfield", "Year 5 Teacher", "employee",
     "staff", "manager.northfield@trust.example"),
    ("ta.northfield@trust.example", "Tom Baker", "northfield", "Teaching Assistant", "employee",
     "staff", "manager.northfield@trust.example"),
    ("volunteer.northfield@trust.example", "Grace Lee", "northfield", "Reading Volunteer",
     "volunteer", "staff", "manager.northfield@trust.example"),
    ("principal.riverside@trust.example", "Robert Evans", "riverside", "Principal", "employee",
     "principal", "ceo@trust.example"),
    ("manager.riverside@trust.example", "Sarah Thompson", "riverside", "Head of English",
     "employee", "staff", "principal.riverside@trust.example"),
    ("teacher.riverside@trust.example", "Oliver Hughes", "riverside", "English Teacher",
     "employee", "staff", "manager.riverside@trust.example"),
    ("agency.riverside@trust.example", "Chloe Martin", "riverside", "Supply Teacher", "agency",
     "staff", "manager.riverside@trust.example"),
    ("principal.hillcrest@trust.example", "Fiona Walsh", "hillcrest", "Principal", "employee",
     "principal", "ceo@trust.example"),
    ("teacher.hillcrest@trust.example", "Mohammed Ali", "hillcrest", "Science Teacher",
     "employee", "staff", "principal.hillcrest@trust.example"),
    ("contractor.hillcrest@trust.example", "Ben Clarke", "hillcrest", "IT Contractor",
     "contractor", "staff", "principal.hillcrest@trust.example"),
]


def seed(stdout=None) -> None:
    with transaction.atomic():
        academies = {}
        for code, name, central in ACADEMIES:
            academies[code], _ = Academy.objects.update_or_create(
                code=code, defaults={"name": name, "is_central": central}
            )
        people = {}
        for email, name, academy, title, category, role, _manager in PEOPLE:
            person = User.objects.filter(email=email).first()
            if person is None:
                person = User.objects.create_user(email, DEMO_PASSWORD)
            person.full_name = name
            person.academy = academies[academy]
            person.job_title = title
            person.category = Category(category)
            person.role = Role(role)
            person.start_date = person.start_date or date(2021, 9, 1)
            person.is_staff = person.is_superuser = role == "admin"
            person.save()
            people[email] = person
            if role in MFA_REQUIRED_ROLES:
                ensure_demo_totp(person)
        for email, *_rest, manager in PEOPLE:
            manager_id = people[manager].pk if manager else None
            User.objects.filter(email=email).update(line_manager_id=manager_id)
        navcache.bump()  # line managers changed without a save signal
    if stdout:
        stdout.write(f"  people: {len(PEOPLE)} demo logins across {len(ACADEMIES)} units")


def ensure_demo_totp(person: User) -> None:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    if not Authenticator.objects.filter(user=person, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(person, DEMO_TOTP_SECRET)
