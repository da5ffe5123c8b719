import re

from playwright.sync_api import expect

from tests.browser.conftest import check_accessibility, sign_in


def test_staff_sign_in_and_see_their_home_page(page, live_server, org, shot):
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile("/accounts/login/"))
    check_accessibility(page, "sign-in page")
    shot("sign-in")
    sign_in(page, live_server, org.staff)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")
    check_accessibility(page, "home page")
    shot("home")


def test_a_principal_must_give_an_authenticator_code_to_sign_in(page, live_server, org, shot):
    sign_in(page, live_server, org.principal)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")
    shot("principal-home")
