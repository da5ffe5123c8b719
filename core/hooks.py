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


@dataclass
class HomePanel:
    title: str
    template: str
    context: dict = field(default_factory=dict)
    order: int = 50
    #: Something the person must act on (shown first, highlighted).
    urgent: bool = False


@cache
def _module(app: str, name: str) -> ModuleType | None:
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
            module = _module(app, "hooks")
            if module is not None and hasattr(module, "nav_items"):
                items.extend(module.nav_items(request))
        return sorted(items, key=lambda item: (item.order, item.label))

    return cached_for_person(request.user.pk, "nav", compute)


def nav_models() -> list[str]:
    """"app_label.Model" names whose changes may change someone's navigation or home page."""
    return [name for app in APP_ORDER
            if (module := _module(app, "hooks")) is not None
            for name in getattr(module, "NAV_MODELS", [])]


def home_panels(request) -> list[HomePanel]:
    panels: list[HomePanel] = []
    for app in APP_ORDER:
        module = _module(app, "hooks")
        if module is not None and hasattr(module, "home_panels"):
            panels.extend(module.home_panels(request))
    return sorted(panels, key=lambda panel: (not panel.urgent, panel.order, panel.title))


def demo_modules() -> list[tuple[str, ModuleType]]:
    return [(app, m) for app in APP_ORDER if (m := _module(app, "demo")) is not None]
