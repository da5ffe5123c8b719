"""The one place that decides what each role may see and do.

Every view asks `can(user, permission)` (or uses the `@requires` decorator). Object-level
rules (a Principal sees only their academy, a line manager only their reports, a case only its
parties) live in each app's `get_<thing>_for_user` helpers, which call the helpers here.
"""

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied

from accounts.models import Role

STAFF, PRINCIPAL, HR, CEO, BOARD, ADMIN = (
    Role.STAFF, Role.PRINCIPAL, Role.HR, Role.CEO, Role.BOARD, Role.ADMIN
)
EVERYONE = frozenset(Role.values)
#: Roles that must use a second factor before reaching any protected page.
MFA_REQUIRED_ROLES = frozenset({PRINCIPAL, HR, CEO, ADMIN})
#: Accounts whose email address only an administrator may change (the same roles that must use
#: MFA: whoever controls their address can reset their password). docs/security.md.
EMAIL_CHANGED_BY_ADMIN_ONLY = MFA_REQUIRED_ROLES
#: Pseudo-role for anyone who has at least one current direct report.
LINE_MANAGER = "line_manager"

PERMISSIONS: dict[str, frozenset[str]] = {
    # Foundation
    "home.view": EVERYONE,
    "people.view": frozenset({PRINCIPAL, HR, CEO, ADMIN}),
    "people.import": frozenset({HR, ADMIN}),
    "people.manage": frozenset({HR, ADMIN}),
    "audit.view": frozenset({HR, CEO, ADMIN}),
    "outbox.view": frozenset({ADMIN}),
    # Policy library
    "policies.read": EVERYONE,
    "policies.manage": frozenset({HR, CEO, ADMIN}),
    "policies.approve": frozenset({CEO}),
    "policies.ratify": frozenset({HR, CEO, ADMIN}),
    "policies.review_board": frozenset({HR, CEO, ADMIN, BOARD}),
    "policies.addendum_draft": frozenset({PRINCIPAL, HR, CEO}),
    # Acknowledgements
    "acknowledgements.acknowledge": EVERYONE,
    "compliance.trust": frozenset({HR, CEO, ADMIN, BOARD}),
    "compliance.academy": frozenset({PRINCIPAL, HR, CEO, ADMIN, BOARD}),
    "compliance.team": frozenset({LINE_MANAGER, PRINCIPAL, HR, CEO, ADMIN}),
    "acknowledgements.record_on_behalf": frozenset({LINE_MANAGER, PRINCIPAL, HR}),
    "acknowledgements.token_only": frozenset({HR, ADMIN}),
    # Breach cases
    "breaches.report": EVERYONE,
    "breaches.handle": frozenset({PRINCIPAL, HR, CEO}),
    "breaches.log_on_behalf": frozenset({LINE_MANAGER, PRINCIPAL, HR, CEO}),
    "breaches.statistics": frozenset({HR, CEO, BOARD}),
    # Approvals
    "approvals.request": EVERYONE,
    "approvals.decide_post": frozenset({PRINCIPAL, CEO}),
    "approvals.decide_exception": frozenset({LINE_MANAGER, PRINCIPAL}),
    "approvals.request_monitoring": frozenset({LINE_MANAGER, PRINCIPAL}),
    "approvals.monitoring_register": frozenset({HR, CEO}),
    "approvals.registers": frozenset({PRINCIPAL, HR, CEO, BOARD}),
    "approvals.delegate": frozenset({CEO, PRINCIPAL}),
    "approvals.configure": frozenset({CEO, ADMIN}),
    # Audit packs
    "auditpacks.policy_pack": frozenset({HR, CEO, ADMIN}),
    "auditpacks.verify": frozenset({HR, CEO, ADMIN, BOARD}),
    # Notifications
    "notifications.view": EVERYONE,
    "notifications.deliveries": frozenset({ADMIN}),
}


def is_line_manager(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_is_line_manager", None)
    if cached is None:
        from accounts.models import User
        from core import navcache

        # Everyone who manages someone, one set shared by all (a few hundred ids), kept under
        # the "nav" namespace: any change to anyone's line manager (a save of a person,
        # or accounts.services after a bulk update) starts it afresh.
        managers = navcache.trust_snapshot("line_managers", lambda: set(
            User.objects.current().filter(line_manager__isnull=False).order_by()
            .values_list("line_manager_id", flat=True).distinct()))
        cached = user.pk in managers
        user._is_line_manager = cached
    return cached


def own_role(user) -> str | None:
    """The person's own role (not line management, which needs a query); None for anonymous
    visitors, deactivated accounts and leavers."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.is_leaver:
        return None
    return user.role


def roles_of(user) -> set[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    roles = {user.role}
    if user.is_leaver:
        return set()
    if is_line_manager(user):
        roles.add(LINE_MANAGER)
    return roles


def can(user, permission: str) -> bool:
    try:
        allowed = PERMISSIONS[permission]
    except KeyError as exc:  # a typo must never silently grant or deny
        raise KeyError(f"Unknown permission {permission!r}") from exc
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.is_leaver:
        return False
    if user.role in allowed:
        return True
    # Only now ask the database whether this person manages anyone.
    return LINE_MANAGER in allowed and is_line_manager(user)


def check(user, permission: str) -> None:
    if not can(user, permission):
        raise PermissionDenied(f"You do not have permission to do this ({permission}).")


def requires(*permissions: str) -> Callable:
    """View decorator: signed in, and holding at least one of the named permissions."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            from django.contrib.auth.views import redirect_to_login

            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not any(can(request.user, p) for p in permissions):
                raise PermissionDenied("You do not have permission to see this page.")
            return view(request, *args, **kwargs)

        wrapper.required_permissions = permissions
        return wrapper

    return decorator


def principal_of(user) -> int | None:
    """The id of the academy this person is the Principal of, or None."""
    if own_role(user) == PRINCIPAL and user.academy_id:
        return user.academy_id
    return None


def academy_scope(user):
    """The academies whose people this user may see in aggregate: None means all."""
    if own_role(user) in {HR, CEO, ADMIN, BOARD}:
        return None
    academy_id = principal_of(user)
    return [academy_id] if academy_id else []


def may_export_roster(user) -> bool:
    """A policy version's roster (audit packs' exports): the whole trust's viewers, and a
    Principal their own academy (see academy_scope)."""
    return can(user, "compliance.academy") and academy_scope(user) != []


def addendum_academy_scope(user) -> list[int] | None:
    """The academies whose addendum this person may start (with "policies.addendum_draft"):
    None for every academy (HR, the CEO), a Principal only their own."""
    if user.role == PRINCIPAL:
        return [user.academy_id] if user.academy_id else []
    return None


# --------------------------------------------------------------------------- compliance views
# Who may see whose acknowledgements (the compliance dashboards and a person's history), and
# act on them. The views ask these; they hold no role rules of their own.


def compliance_may_see_person(user, person) -> bool:
    """The whole trust (HR, CEO, admin, Board); a line manager their reports; a Principal the
    people of their academy."""
    if not roles_of(user):
        return False
    if can(user, "compliance.trust"):
        return True
    if person.line_manager_id == user.pk and can(user, "compliance.team"):
        return True
    if user.role == PRINCIPAL and can(user, "compliance.academy"):
        return person.academy_id is not None and person.academy_id == user.academy_id
    return False


def compliance_may_see_academy(user, academy) -> bool:
    """An academy's dashboard: the whole trust's viewers, and that academy's Principal."""
    if can(user, "compliance.trust"):
        return True
    return (user.role == PRINCIPAL and can(user, "compliance.academy")
            and user.academy_id is not None and academy.pk == user.academy_id)


def compliance_category_scope(user):
    """Where a category's dashboard looks for this person: "trust" (every academy), their own
    academy (a Principal), or None (no such view for them)."""
    if can(user, "compliance.trust"):
        return "trust"
    if user.role == PRINCIPAL and user.academy_id and can(user, "compliance.academy"):
        return user.academy
    return None


def compliance_views(user) -> list[tuple[str, str]]:
    """The compliance views this person may open, as (label, url), shown as links on each."""
    from django.urls import reverse

    views = []
    if can(user, "compliance.trust"):
        views.append(("Whole trust", reverse("acknowledgements:trust")))
    elif user.role == PRINCIPAL and user.academy_id and can(user, "compliance.academy"):
        views.append((user.academy.name, reverse("acknowledgements:academy",
                                                 args=[user.academy.code])))
    if can(user, "compliance.team") and is_line_manager(user):
        views.append(("My team", reverse("acknowledgements:team")))
    return views


def may_record_acknowledgement_for(user, person) -> bool:
    """Record someone's acknowledgement on their behalf: HR, their line manager, or their
    academy's Principal; never for oneself."""
    if not can(user, "acknowledgements.record_on_behalf") or user.pk == person.pk:
        return False
    if HR in roles_of(user):
        return True
    if person.line_manager_id == user.pk:
        return True
    return user.role == PRINCIPAL and person.academy_id == user.academy_id


def may_nudge(user, person) -> bool:
    """Remind someone personally to acknowledge: their line manager."""
    return manages(user, person.line_manager_id)


def manages(user, line_manager_id: int | None) -> bool:
    """Someone whose line manager is `line_manager_id` is one of this person's reports, and they
    may use the team view (a row of a dashboard carries only the id)."""
    return line_manager_id == user.pk and can(user, "compliance.team")
