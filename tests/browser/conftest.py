"""Shared helpers for browser journeys (Playwright on Debian's chromium, headless).

Every test here drives the real UI against `live_server`. Use:
- `sign_in(page, user)`: signs in through /accounts/login/, answering the TOTP step if asked;
- `check_accessibility(page)`: runs the vendored axe-core, fails on serious/critical violations;
- `shot(page, "step-name")`: saves a screenshot under test-artifacts/screenshots/<test>/.
"""

import json
import re
import time
from pathlib import Path

import pytest

from accounts.demo import DEMO_TOTP_SECRET

ROOT = Path(__file__).resolve().parents[2]
AXE_SOURCE = (Path(__file__).parent / "axe.min.js").read_text()
PASSWORD = "correct-horse-battery"

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _browser_db(transactional_db):
    """Live-server tests need committed data the server thread can see."""


def totp_now() -> str:
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(time.time()) // 30))


def sign_in(page, live_server, user, password: str = PASSWORD) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    page.wait_for_load_state()
    # A code works once: a second sign-in of the same person within one 30-second window
    # must wait for the next code, as a person with an authenticator app would.
    for _attempt in range(3):
        if "/accounts/2fa/authenticate/" not in page.url:
            break
        page.get_by_label(re.compile("Authenticator code|Code", re.I)).fill(totp_now())
        page.get_by_role("button", name=re.compile("Sign in|Verify|Submit", re.I)).click()
        page.wait_for_load_state()
        if "/accounts/2fa/authenticate/" in page.url:
            time.sleep(30 - time.time() % 30 + 0.5)


def check_accessibility(page, context: str = "") -> None:
    page.evaluate(AXE_SOURCE)
    result = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    serious = [v for v in result["violations"] if v.get("impact") in ("serious", "critical")]
    assert not serious, f"Accessibility violations on {context or page.url}:\n" + json.dumps(
        [{"id": v["id"], "help": v["help"],
          "nodes": [n["target"] for n in v["nodes"][:5]]} for v in serious], indent=1
    )


#: How many lines the main navigation takes (0 on a page without it, e.g. signed out).
NAV_LINES = """() => {
  const nav = document.querySelector('nav[aria-label="Main"]');
  if (!nav) return 0;
  const parts = [nav.querySelector('.main-nav__toggle'),
                 ...nav.querySelectorAll('.main-nav__list > li')];
  const middles = [];
  for (const el of parts) {
    if (!el) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    middles.push(Math.round(box.top + box.height / 2));
  }
  // Items whose middles are within 12 px of each other are on the same line.
  middles.sort((a, b) => a - b);
  return middles.filter((y, i) => i === 0 || y - middles[i - 1] > 12).length;
}"""
#: (viewport width, most lines the navigation may take there) for every journey screenshot.
SHOT_WIDTHS = ((1280, 1), (390, 2))


@pytest.fixture
def shot(request, page):
    """shot("step") saves the page at 1280 px and at 390 px (phone) under
    test-artifacts/screenshots/<test>/, and checks the navigation is one line at 1280 px and
    at most two at 390 px."""
    folder = ROOT / "test-artifacts" / "screenshots" / re.sub(r"[^\w.-]+", "_", request.node.name)
    folder.mkdir(parents=True, exist_ok=True)
    counter = iter(range(1, 1000))

    def take(name: str) -> Path:
        original = page.viewport_size
        number = next(counter)
        first = None
        for width, most in SHOT_WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            path = folder / f"{number:02d}-{name}-{width}.png"
            page.screenshot(path=str(path), full_page=True)
            first = first or path
            lines = page.evaluate(NAV_LINES)
            assert lines <= most, f"{name}: the navigation takes {lines} lines at {width} px"
        if original:
            page.set_viewport_size(original)
        return first

    return take
