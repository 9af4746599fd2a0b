"""axe-core finds no serious or critical accessibility problem on the public and organizer pages."""

import pytest

from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser

PUBLIC_PAGES = ["/", "/login"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_have_no_serious_violations(live_app, axe_page, path):
    axe_page.goto(live_app.base_url + path)
    assert axe_violations(axe_page) == []


def test_login_page_works_by_keyboard(live_app, page):
    from advocacy.auth.services import create_user

    with live_app.app_context():
        create_user("kb@example.org", "a long enough password", "staff")
    page.goto(live_app.base_url + "/login")
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # brand
    page.focus("#email")
    page.keyboard.type("kb@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type("a long enough password")
    page.keyboard.press("Enter")
    page.wait_for_url("**/dashboard")
    assert "kb@example.org" in page.content()
