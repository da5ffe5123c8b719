"""Writes for people: staff import, invitations, person changes."""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, transaction

from accounts.models import Academy, Category, Role, User
from audit.services import audit_log
from core import navcache
from core.errors import Refused
from core.text import ANY_CONTROL_CHARACTER, describe_control_character

IMPORT_REQUIRED_COLUMNS = ["email", "full_name", "academy", "job_title", "category", "start_date"]
IMPORT_OPTIONAL_COLUMNS = ["role", "leaving_date", "line_manager_email", "portal_access"]
IMPORT_MAX_BYTES = 2 * 1024 * 1024
IMPORT_MAX_ROWS = 20_000
#: Roles that may be set by a CSV import; CEO and administrator are set by an administrator.
IMPORTABLE_ROLES = {Role.STAFF, Role.PRINCIPAL, Role.HR, Role.BOARD}
#: Roles an import never changes, whatever the file says (an administrator sets them).
IMPORT_KEEPS_ROLES = {Role.CEO, Role.ADMIN}
#: Cells longer than their database column are row errors at preview, never a failed apply.
IMPORT_MAX_LENGTHS = {
    name: User._meta.get_field(name).max_length for name in ("email", "full_name", "job_title")
}


@dataclass
class ImportRow:
    line: int
    email: str
    action: str = ""  # create, update, unchanged
    values: dict = field(default_factory=dict)
    changes: dict = field(default_factory=dict)
    line_manager_email: str = ""
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    rows: list[ImportRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    applied: bool = False

    @property
    def errors(self) -> list[tuple[int | None, str]]:
        found: list[tuple[int | None, str]] = [(None, e) for e in self.file_errors]
        for row in self.rows:
            found.extend((row.line, e) for e in row.errors)
        return found

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def leavers(self) -> int:
        return sum(1 for row in self.rows if "leaving_date" in row.changes
                   and row.values.get("leaving_date"))


def _parse_date(value: str) -> date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"'{value}' is not a date (use YYYY-MM-DD or DD/MM/YYYY)")


def _parse_bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"", "yes", "y", "true", "1"}:
        return True
    if lowered in {"no", "n", "false", "0"}:
        return False
    raise ValueError(f"portal_access '{value}' must be yes or no")


def _decode(data: bytes, result: ImportResult) -> str | None:
    if len(data) > IMPORT_MAX_BYTES:
        result.file_errors.append(
            f"The file is {len(data) / 1_048_576:.1f} MB; the limit is "
            f"{IMPORT_MAX_BYTES // 1_048_576} MB. Split it or remove unused columns."
        )
        return None
    if b"\x00" in data[:8192]:
        result.file_errors.append("This is not a text CSV file (it contains binary data).")
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        result.file_errors.append(
            f"The file is not UTF-8 encoded (bad byte at position {exc.start}). "
            "Save it from your spreadsheet as 'CSV UTF-8'."
        )
        return None


def staff_import_parse(data: bytes) -> ImportResult:
    """Validate a staff CSV completely without writing anything."""
    result = ImportResult()
    text = _decode(data, result)
    if text is None:
        return result
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        result.file_errors.append(f"The file cannot be read as CSV: {exc}.")
        return result
    missing = [c for c in IMPORT_REQUIRED_COLUMNS if c not in header]
    if missing:
        result.file_errors.append(
            "Missing column(s): " + ", ".join(missing)
            + ". Required: " + ", ".join(IMPORT_REQUIRED_COLUMNS) + "."
        )
        return result
    reader.fieldnames = header
    academies = {a.code.lower(): a for a in Academy.objects.all()}
    existing = {u.email: u for u in User.objects.all()}
    seen: dict[str, int] = {}
    try:
        for line_no, raw in enumerate(reader, start=2):
            if len(result.rows) >= IMPORT_MAX_ROWS:
                result.file_errors.append(f"More than {IMPORT_MAX_ROWS} rows; split the file.")
                break
            if None in raw:
                row = ImportRow(line=line_no, email=(raw.get("email") or "").strip().lower())
                row.errors.append("This row has more cells than the header has columns.")
                result.rows.append(row)
                continue
            cells = {k: (v or "").strip() for k, v in raw.items()}
            if not any(cells.values()):
                continue
            result.rows.append(_validate_row(line_no, cells, academies, existing, seen))
    except csv.Error as exc:
        result.file_errors.append(f"Line {reader.line_num}: the file is not valid CSV ({exc}).")
        return result
    if not result.rows and not result.file_errors:
        result.file_errors.append("The file has a header but no people.")
    in_file = {row.email for row in result.rows}
    for row in result.rows:
        manager = row.line_manager_email
        if manager and manager not in in_file and manager not in existing:
            row.errors.append(
                f"Line manager '{manager}' is neither in this file nor in the portal."
            )
        if manager and manager == row.email:
            row.errors.append("A person cannot be their own line manager.")
    _check_one_principal_per_academy(result.rows, existing, academies)
    return result


def _holds_principal_seat(role, academy_id, leaving_date) -> bool:
    """The rule of the `one_principal_per_academy` constraint, for values not yet saved."""
    return role == Role.PRINCIPAL and academy_id is not None and leaving_date is None


def _check_one_principal_per_academy(rows, existing, academies) -> None:
    """An academy has one Principal after the import: checked on the state the file leaves,
    so a file that hands the role from one person to another is fine in either order."""
    names = {a.pk: a.name for a in academies.values()}
    in_file = {row.email for row in rows}
    seats: dict[int, str] = {}
    for person in existing.values():
        if person.email not in in_file and _holds_principal_seat(
                person.role, person.academy_id, person.leaving_date):
            seats[person.academy_id] = f"{person.full_name} ({person.email})"
    for row in rows:
        values = row.values
        if not _holds_principal_seat(values.get("role"), values.get("academy_id"),
                                     values.get("leaving_date")):
            continue
        holder = seats.get(values["academy_id"])
        if holder is not None:
            row.errors.append(
                f"{names.get(values['academy_id'], 'This academy')} already has a Principal: "
                f"{holder}. An academy has one Principal: give the other person another role "
                "or a leaving date (in this file or on their page) first."
            )
        else:
            seats[values["academy_id"]] = f"{values.get('full_name')} (line {row.line})"


def _validate_row(line_no, cells, academies, existing, seen) -> ImportRow:
    email = cells.get("email", "").lower()
    row = ImportRow(line=line_no, email=email)
    for column, value in cells.items():
        found = describe_control_character(value)
        if found:
            row.errors.append(f"{column} contains {found}, which cannot be stored. "
                              "Remove it and upload the file again.")
            cells[column] = ANY_CONTROL_CHARACTER.sub("", value)
    for column, limit in IMPORT_MAX_LENGTHS.items():
        if len(cells.get(column, "")) > limit:
            row.errors.append(f"{column} is {len(cells[column]):,} characters long; "
                              f"the limit is {limit}.")
            cells[column] = cells[column][:limit]
    try:
        validate_email(email)
    except ValidationError:
        row.errors.append(f"'{cells.get('email', '')}' is not a valid email address.")
    if email in seen:
        row.errors.append(f"Duplicate email: '{email}' is also on line {seen[email]}.")
    else:
        seen[email] = line_no
    values: dict = {}
    values["full_name"] = cells.get("full_name", "")
    if not values["full_name"]:
        row.errors.append("full_name is empty.")
    academy = academies.get(cells.get("academy", "").lower())
    if academy is None:
        row.errors.append(
            f"Unknown academy '{cells.get('academy', '')}'. Known codes: "
            + ", ".join(sorted(academies)) + "."
        )
    else:
        values["academy_id"] = academy.pk
    values["job_title"] = cells.get("job_title", "")
    category = cells.get("category", "").lower().replace(" ", "_")
    if category not in Category.values:
        row.errors.append(
            f"Unknown category '{cells.get('category', '')}'. Use one of: "
            + ", ".join(Category.values) + "."
        )
    values["category"] = category
    current = existing.get(email)
    asked = (cells.get("role") or "").lower()
    if current is not None and current.role in IMPORT_KEEPS_ROLES:
        # The CEO's and administrators' roles are never changed by a file.
        if asked and asked != current.role:
            row.errors.append(
                f"{current.full_name} is the {current.get_role_display()}: an import never "
                "changes a CEO's or administrator's role. Leave the role cell empty "
                f"(or write '{current.role}')."
            )
        role = current.role
    elif not asked:
        # No role column, or an empty cell: an existing person keeps their role.
        role = current.role if current is not None else Role.STAFF
    else:
        role = asked
        if role not in IMPORTABLE_ROLES:
            row.errors.append(
                f"Role '{role}' cannot be imported. Use one of: "
                + ", ".join(sorted(IMPORTABLE_ROLES))
                + " (CEO and administrator roles are set by an administrator)."
            )
    values["role"] = role
    for column in ("start_date", "leaving_date"):
        raw = cells.get(column, "")
        if not raw:
            values[column] = None
            if column == "start_date":
                row.errors.append("start_date is empty.")
            continue
        try:
            values[column] = _parse_date(raw)
        except ValueError as exc:
            row.errors.append(f"{column}: {exc}.")
    if values.get("start_date") and values.get("leaving_date"):
        if values["leaving_date"] < values["start_date"]:
            row.errors.append("leaving_date is before start_date.")
    try:
        values["portal_access"] = _parse_bool(cells.get("portal_access", ""))
    except ValueError as exc:
        row.errors.append(f"{exc}.")
    row.line_manager_email = cells.get("line_manager_email", "").lower()
    row.values = values
    if current is None:
        row.action = "create"
        row.changes = {k: [None, str(v)] for k, v in values.items() if v not in (None, "")}
    else:
        row.changes = {
            k: [str(getattr(current, k)), str(v)]
            for k, v in values.items() if getattr(current, k) != v
        }
        current_manager = current.line_manager.email if current.line_manager_id else ""
        if current_manager != row.line_manager_email:
            row.changes["line_manager"] = [current_manager, row.line_manager_email]
        row.action = "update" if row.changes else "unchanged"
    return row


def staff_import_apply(*, data: bytes, actor, request=None, source: str = "") -> ImportResult:
    """Validate, then apply every row in one transaction; with any error nothing changes."""
    result = staff_import_parse(data)
    if not result.ok:
        return result
    try:
        invited = _apply_rows(result, actor=actor, request=request, source=source)
    except DatabaseError as exc:
        # The checks above mirror every database rule; this is for a change made by someone
        # else between the check and the write. Nothing was written (one transaction).
        result.file_errors.append(
            f"The database refused the import ({exc.__class__.__name__}); nothing was changed. "
            "Check the file again: someone may have changed these people meanwhile."
        )
        return result
    transaction.on_commit(lambda: [invitation_send(person=p) for p in invited])
    result.applied = True
    return result


def _releases_principal_seat(row: ImportRow, existing: dict) -> bool:
    current = existing.get(row.email)
    return current is not None and _holds_principal_seat(
        current.role, current.academy_id, current.leaving_date) and not _holds_principal_seat(
        row.values.get("role"), row.values.get("academy_id"), row.values.get("leaving_date"))


def _apply_rows(result: ImportResult, *, actor, request, source) -> list[User]:
    invited: list[User] = []
    existing = {u.email: u for u in User.objects.filter(email__in=[r.email for r in result.rows])}
    # A Principal handing over goes first, so their successor's row never meets them.
    ordered = sorted(result.rows, key=lambda r: not _releases_principal_seat(r, existing))
    with transaction.atomic():
        people: dict[str, User] = {}
        for row in ordered:
            if row.action == "create":
                person = User.objects.create_user(row.email, **row.values)
                audit_log(action="accounts.person_created", actor=actor, obj=person,
                          request=request, changes=row.changes, summary=f"Imported: {source}")
                if person.portal_access:
                    invited.append(person)
            else:
                person = User.objects.get(email=row.email)
                if row.action == "update":
                    was_leaver = person.leaving_date is not None
                    for key, value in row.values.items():
                        setattr(person, key, value)
                    person.save()
                    action = ("accounts.person_left"
                              if person.leaving_date and not was_leaver
                              else "accounts.person_updated")
                    audit_log(action=action, actor=actor, obj=person, request=request,
                              changes=row.changes, summary=f"Imported: {source}")
            people[row.email] = person
        for row in result.rows:
            person = people[row.email]
            manager = (people.get(row.line_manager_email)
                       or User.objects.filter(email=row.line_manager_email).first())
            manager_id = manager.pk if manager else None
            if person.line_manager_id != manager_id:
                User.objects.filter(pk=person.pk).update(line_manager_id=manager_id)
                navcache.bump()
        audit_log(
            action="accounts.staff_import", actor=actor, request=request,
            summary=(f"{source}: {result.count('create')} created, {result.count('update')} "
                     f"updated, {result.count('unchanged')} unchanged."),
        )
    return invited


def invitation_url(person: User) -> str:
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str
    from django.urls import reverse

    key = default_token_generator.make_token(person)
    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(person), "key": key},
    )
    return f"{settings.SITE_URL}{path}"


def invitation_send(*, person: User, actor=None) -> None:
    from django.core.mail import send_mail
    from django.template.loader import render_to_string

    context = {"person": person, "url": invitation_url(person), "trust": settings.TRUST_NAME}
    send_mail(
        subject=f"{settings.TRUST_NAME}: set your Policy Portal password",
        message=render_to_string("accounts/email/invitation.txt", context),
        html_message=render_to_string("accounts/email/invitation.html", context),
        from_email=None,
        recipient_list=[person.email],
    )
    audit_log(action="accounts.invitation_sent", actor=actor, obj=person)


def person_save(*, form, actor, request=None) -> User:
    """Create or update one person from HR's form, recording exactly what changed."""
    creating = form.instance.pk is None
    changes = {
        name: [str(form.initial.get(name, "")) if not creating else None,
               str(form.cleaned_data.get(name, ""))]
        for name in form.changed_data
    }
    new_email = None
    if not creating and "email" in form.changed_data:
        # The address changes only when confirmed from the new address (email_change_confirm).
        new_email = form.cleaned_data["email"]
        changes.pop("email")
        changes["pending_email"] = [str(form.initial.get("email", "")), new_email]
    with transaction.atomic():
        was_leaver = (not creating) and User.objects.filter(
            pk=form.instance.pk, leaving_date__isnull=False
        ).exists()
        person = form.save(commit=False)
        if creating:
            person.set_unusable_password()
        if new_email is not None:
            person.email = form.initial["email"]
        person.save()
        if new_email is not None:
            email_change_request(person=person, new_email=new_email, actor=actor,
                                 request=request)
        if creating:
            action = "accounts.person_created"
        elif person.leaving_date and not was_leaver:
            action = "accounts.person_left"
        else:
            action = "accounts.person_updated"
        audit_log(action=action, actor=actor, obj=person, request=request, changes=changes,
                  summary="Changed: " + ", ".join(form.changed_data) if changes else "")
        if creating and person.portal_access:
            transaction.on_commit(lambda: invitation_send(person=person, actor=actor))
    return person


EMAIL_CHANGE_SALT = "accounts.email_change"
EMAIL_CHANGE_MAX_AGE = 3 * 24 * 3600


class EmailChangeRefused(Refused, ValueError):
    """The confirmation link cannot be used; the message is shown as it is."""


def email_change_request(*, person: User, new_email: str, actor, request=None) -> None:
    """Keep `new_email` as pending, send a confirmation link to it and tell the current address.
    A newer request replaces an older one (whose link then stops working)."""
    from django.core import signing
    from django.utils import timezone

    User.objects.filter(pk=person.pk).update(pending_email=new_email,
                                             pending_email_requested_at=timezone.now())
    person.pending_email = new_email
    token = signing.dumps({"u": person.pk, "old": person.email, "new": new_email},
                          salt=EMAIL_CHANGE_SALT, compress=True)
    audit_log(action="accounts.email_change_requested", actor=actor, obj=person, request=request,
              changes={"email": [person.email, new_email]},
              summary="Waiting for confirmation from the new address")
    old_email, who = person.email, (actor.full_name if actor else "An administrator")
    transaction.on_commit(lambda: _email_change_send(person, old_email, new_email, token, who))


def _email_change_send(person, old_email, new_email, token, who) -> None:
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.urls import reverse

    context = {
        "person": person, "old_email": old_email, "new_email": new_email, "who": who,
        "trust": settings.TRUST_NAME, "days": EMAIL_CHANGE_MAX_AGE // 86400,
        "url": settings.SITE_URL + reverse("accounts:email_confirm", args=[token]),
    }
    send_mail(subject=f"{settings.TRUST_NAME}: confirm your new Policy Portal email address",
              message=render_to_string("accounts/email/email_change_confirm.txt", context),
              from_email=None, recipient_list=[new_email])
    send_mail(subject=f"{settings.TRUST_NAME}: your Policy Portal email address is being changed",
              message=render_to_string("accounts/email/email_change_notice.txt", context),
              from_email=None, recipient_list=[old_email])


def email_change_pending(token: str) -> tuple[User, str]:
    """(person, new address) for a confirmation link still valid, or EmailChangeRefused."""
    from django.core import signing

    try:
        data = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=EMAIL_CHANGE_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise EmailChangeRefused("This confirmation link has expired. Ask HR or an "
                                 "administrator to change the address again.") from exc
    except signing.BadSignature as exc:
        raise EmailChangeRefused("This confirmation link is not valid.") from exc
    person = User.objects.filter(pk=data.get("u")).first()
    if (person is None or person.email != data.get("old")
            or person.pending_email != data.get("new") or not person.pending_email):
        raise EmailChangeRefused("This confirmation link has already been used or was replaced "
                                 "by a newer change.")
    return person, data["new"]


def email_change_confirm(*, token: str, request=None) -> User:
    """Make the pending address the person's address (the link proves they receive mail there)."""
    from allauth.account.models import EmailAddress

    with transaction.atomic():
        person, new_email = email_change_pending(token)
        person = User.objects.select_for_update().get(pk=person.pk)
        if User.objects.filter(email=new_email).exclude(pk=person.pk).exists():
            raise EmailChangeRefused(f"{new_email} now belongs to someone else in the portal. "
                                     "Ask HR or an administrator.")
        old_email = person.email
        person.email, person.pending_email, person.pending_email_requested_at = new_email, "", None
        person.save(update_fields=["email", "pending_email", "pending_email_requested_at"])
        # allauth may know the old address (single sign-on): it must no longer sign anyone in.
        EmailAddress.objects.filter(user=person).delete()
        EmailAddress.objects.create(user=person, email=new_email, primary=True, verified=True)
        signed_in = getattr(request, "user", None)
        summary = "Confirmed from the new address"
        if signed_in is not None and signed_in.is_authenticated and signed_in.pk != person.pk:
            summary += f" (the link was opened while {signed_in.email} was signed in)"
        audit_log(action="accounts.email_changed", actor=person, obj=person, request=request,
                  changes={"email": [old_email, new_email]}, summary=summary)
    return person
