"""How each app adds to the shared shell without editing it.

An app may have a `hooks.py` with any of:
- `nav_items(request) -> list[NavItem]`: links in the main navigation (already permission-checked);
- `home_panels(request) -> list[HomePanel]`: blocks on the "what needs my attention" home page;
- `NAV_MODELS`: "app_label.Model" names whose saves and deletes may change a `nav_items` or
  `home_panels` answer (both are cached per person; see `core/navcache.py`); changes that send
  no signal (bulk updates) or concern only some people call `navcache.bump()` or
  `navcache.bump_people(ids)` themselves;
- and a `demo.py` with `seed(stdout)`, called by `manage.py seed_demo` in APP_ORDER.
"""

import importlib
from dataclasses import dataclass, field
from functools import cache
from types import ModuleType

APP_ORDER = [
    "accounts", "policies", "acknowledgements", "notifications", "breaches", "approvals",
    "auditpacks", "audit",
]


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    order: int = 50
    badge: int | None = None
    #: What the badge counts, for screen readers ("3 unread").
    badge_label: str = "new"
    #: The disclosure menu the link sits in ("" = the top line); see NAV_GROUPS.
    group: str = ""


#: Links that sit in a disclosure menu rather than on the top line, so that the navigation of
#: the busiest roles (Principal, CEO, HR) fits one line at 1280 px. An app may also set
#: NavItem.group itself.
NAV_GROUPS = {
    "Records": ("Case statistics", "Audit packs", "Case packs", "Verify a pack", "Audit trail"),
    "Manage": ("Policy reviews", "People", "Email deliveries", "Outbox"),
}
_GROUP_OF = {label: group for group, labels in NAV_GROUPS.items() for label in labels}


@dataclass(frozen=True)
class NavGroup:
    label: str
    items: tuple[NavItem, ...]


def nav_layout(items: list[NavItem]) -> tuple[list[NavItem], list[NavGroup]]:
    """(the links on the top line, the menus with theirs), in NAV_GROUPS order."""
    top, grouped = [], {}
    for item in items:
        group = item.group or _GROUP_OF.get(item.label, "")
        if group:
            grouped.setdefault(group, []).append(item)
        else:
            top.append(item)
    order = list(NAV_GROUPS)
    groups = sorted(grouped.items(), key=lambda g: order.index(g[0]) if g[0] in order else 99)
    return top, [NavGroup(label, tuple(links)) for label, links in groups]


@dataclass
class HomePanel:
    title: str
    template: str
    context: dict = field(default_factory=dict)
    order: int = 50
    #: Something the person must act on (shown first, highlighted).
    urgent: bool = False


@cache
def app_module(app: str, name: str) -> ModuleType | None:
    """The app's module `name` (hooks, demo, reminders), or None if the app has none."""
    try:
        return importlib.import_module(f"{app}.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"{app}.{name}":
            return None
        raise


def nav_items(request) -> list[NavItem]:
    from core.navcache import cached_for_person

    def compute() -> list[NavItem]:
        items: list[NavItem] = []
        for app in APP_ORDER:
            module = app_module(app, "hooks")
            if module is not None and hasattr(module, "nav_items"):
                items.extend(module.nav_items(request))
        return sorted(items, key=lambda item: (item.order, item.label))

    return cached_for_person(request.user.pk, "nav", compute)


def nav_models() -> list[str]:
    """"app_label.Model" names whose changes may change someone's navigation or home page."""
    return [name for app in APP_ORDER
            if (module := app_module(app, "hooks")) is not None
            for name in getattr(module, "NAV_MODELS", [])]


def home_panels(request) -> list[HomePanel]:
    panels: list[HomePanel] = []
    for app in APP_ORDER:
        module = app_module(app, "hooks")
        if module is not None and hasattr(module, "home_panels"):
            panels.extend(module.home_panels(request))
    return sorted(panels, key=lambda panel: (not panel.urgent, panel.order, panel.title))


def demo_modules() -> list[tuple[str, ModuleType]]:
    return [(app, m) for app in APP_ORDER if (m := app_module(app, "demo")) is not None]
