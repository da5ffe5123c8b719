from django.urls import reverse

from accounts.permissions import can
from core.hooks import NavItem


def nav_items(request) -> list[NavItem]:
    user = request.user
    if can(user, "auditpacks.policy_pack"):
        return [NavItem("Audit packs", reverse("auditpacks:index"), order=85)]
    if can(user, "breaches.handle"):
        return [NavItem("Case packs", reverse("auditpacks:case_list"), order=85)]
    if can(user, "auditpacks.verify"):
        return [NavItem("Verify a pack", reverse("auditpacks:verify"), order=85)]
    return []
