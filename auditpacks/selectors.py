"""Reads shared by the audit pack views and commands."""

from django.http import Http404

from accounts.permissions import can
from auditpacks.models import Pack
from auditpacks.sources import SourceUnavailable, selector


def may_see_case(user, case_id: str) -> bool:
    try:
        get_case_for_user = selector("breaches.selectors", "get_case_for_user")
    except SourceUnavailable:
        return False
    try:
        get_case_for_user(user, case_id)
    except Http404:
        return False
    return True


def get_pack_for_user(user, document_id: str) -> Pack:
    """The pack, or Http404 for anyone who may not see it (nothing about it leaks).

    Policy packs: people who may generate them. Case packs: people who may see the case now.
    """
    pack = (
        Pack.objects.select_related("policy_version__policy", "requested_by")
        .filter(document_id=document_id).first()
    )
    if pack is None:
        raise Http404("No such pack.")
    if pack.kind == Pack.Kind.POLICY and can(user, "auditpacks.policy_pack"):
        return pack
    if pack.kind == Pack.Kind.CASE and may_see_case(user, pack.case_id):
        return pack
    raise Http404("No such pack.")


def case_packs_for_user(user) -> list[Pack]:
    """Case packs this person asked for, or that are about a case they may see (newest first)."""
    packs = Pack.objects.filter(kind=Pack.Kind.CASE).select_related("requested_by")[:200]
    visible: dict[str, bool] = {}
    result = []
    for pack in packs:
        if pack.case_id not in visible:
            visible[pack.case_id] = may_see_case(user, pack.case_id)
        if visible[pack.case_id]:
            result.append(pack)
    return result


def approvals_registers(user) -> dict[str, tuple[str, list]] | None:
    """{"slug": (title, rows)} from the approvals app (header row first), or None while it
    has no registers. Only what this person may see: the app's own visibility rules apply."""
    try:
        register_queryset = selector("approvals.selectors", "register_queryset")
        register_rows = selector("approvals.selectors", "register_rows")
        can_see_monitoring = selector("approvals.selectors", "can_see_monitoring_register")
    except SourceUnavailable:
        return None
    from approvals.models import Kind

    exceptions = [Kind.PROFESSIONAL_USE, Kind.DEVICE, Kind.PERMISSION, Kind.MEDIA]
    registers = {
        "in-force": ("Approvals and exceptions in force",
                     list(register_rows(register_queryset(user, kinds=exceptions)))),
        "history": ("Approvals and exceptions, including ended and revoked",
                    list(register_rows(register_queryset(user, kinds=exceptions,
                                                         include_ended=True)))),
        "posts": ("Business posts approved",
                  list(register_rows(register_queryset(user, kinds=[Kind.POST],
                                                       include_ended=True)))),
    }
    if can_see_monitoring(user):
        registers["monitoring"] = (
            "Monitoring register",
            list(register_rows(register_queryset(user, kinds=[Kind.MONITORING],
                                                 include_ended=True))),
        )
    return registers
