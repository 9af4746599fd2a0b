"""Issue 16, in a real browser: an admin names the organization on its page, an organizer uploads a campaign photo;
each checked by what was stored and by what a visitor then meets, with every image from this site."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import delete, select

from advocacy.extensions import db
from tests.browser.conftest import type_into

pytestmark = pytest.mark.browser


def signed_in_as(page, signed_in, role: str):
    page.context.add_cookies(signed_in(role)["cookies"])
    return page


@pytest.fixture
def clean_organization(live_site):
    from advocacy.organization.models import OrganizationSettings
    from advocacy.organization.settings import forget_saved

    yield
    with live_site.app_context():  # the live app is shared by the session: leave it as the environment says
        db.session.execute(delete(OrganizationSettings))
        db.session.commit()
        forget_saved()
        db.session.remove()


def test_an_admin_names_the_organization_and_every_public_page_says_so(live_site, page, signed_in,
                                                                       clean_organization):  # fmt: skip
    from advocacy.organization.models import OrganizationSettings
    from advocacy.reports.models import AuditEvent

    signed_in_as(page, signed_in, "admin")
    page.goto(live_site.base_url + "/dashboard")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Organization").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Organization settings")
    type_into(page, page.get_by_label("Organization name"), "Friends of Sample")
    type_into(page, page.get_by_label("Contact email"), "not-an-address")
    page.get_by_role("button", name="Save the organization settings").click()
    expect(page).to_have_title(re.compile(r"^Error: Organization settings"))
    expect(page.locator("#form-errors")).to_be_focused()
    expect(page.locator("#form-errors").get_by_role("link")).to_have_attribute("href", "#contact_email")
    with live_site.app_context():
        assert db.session.get(OrganizationSettings, 1) is None  # nothing saved from a form with a bad field
        db.session.remove()

    page.get_by_label("Contact email").fill("hello@friends.example.org")
    page.get_by_role("button", name="Save the organization settings").click()
    expect(page.get_by_role("status").filter(has_text="Organization settings saved.")).to_be_visible()
    with live_site.app_context():
        row = db.session.get(OrganizationSettings, 1)
        assert (row.name, row.contact_email) == ("Friends of Sample", "hello@friends.example.org")
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action == "organization.update"))
        assert list(actions) == ["organization.update"]
        db.session.remove()

    visitor = page.context.browser.new_context()
    try:
        public = visitor.new_page()
        for path in ("/", "/c/sample-campaign", "/privacy"):
            public.goto(live_site.base_url + path)
            expect(public).to_have_title(re.compile(r"· Friends of Sample$"))
            expect(public.get_by_role("contentinfo")).to_contain_text("Run by Friends of Sample.")
            expect(
                public.get_by_role("contentinfo").get_by_role("link", name="hello@friends.example.org")
            ).to_be_visible()
    finally:
        visitor.close()


def jpeg_with_a_location() -> bytes:
    image = Image.new("RGB", (1200, 900), (40, 90, 160))
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (40.0, 44.0, 55.0), 3: "W", 4: (73.0, 59.0, 10.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
def sample_campaign_id(live_site):
    from advocacy.campaigns import photos
    from advocacy.campaigns.models import Campaign

    with live_site.app_context():
        campaign_id = db.session.scalars(select(Campaign.id).where(Campaign.slug == "sample-campaign")).one()
        db.session.remove()
    yield campaign_id
    with live_site.app_context():  # leave the shared sample campaign without a photo
        photos.remove_photo(db.session.get(Campaign, campaign_id))
        db.session.commit()
        db.session.remove()


def test_an_organizer_uploads_a_photo_that_the_campaign_page_shows_from_this_site(live_site, page, signed_in,
                                                                                  sample_campaign_id):  # fmt: skip
    from advocacy.campaigns.models import Campaign, CampaignPhoto

    signed_in_as(page, signed_in, "organizer")
    page.goto(f"{live_site.base_url}/organizer/campaigns/{sample_campaign_id}")
    page.get_by_role("navigation", name="Campaign").get_by_role("link", name="Photo").click()
    page.get_by_label("Photo (JPEG, PNG or WebP)").set_input_files(
        {"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_a_location()}
    )
    page.get_by_role("button", name="Save the photo").click()  # no description yet
    expect(page.locator("#form-errors")).to_be_focused()
    expect(page.locator("#form-errors")).to_contain_text("Describe the photo for people who cannot see it")
    with live_site.app_context():
        assert db.session.scalars(select(CampaignPhoto)).all() == []
        db.session.remove()

    page.get_by_label("Photo (JPEG, PNG or WebP)").set_input_files(
        {"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_a_location()}
    )
    page.get_by_label("Describe the photo for people who cannot see it").fill("A blue square standing in for a face")
    page.get_by_label("Credit (optional)").fill("The sample's family")
    page.get_by_role("button", name="Save the photo").click()
    expect(page.get_by_role("status").filter(has_text="Photo saved")).to_be_visible()
    with live_site.app_context():
        [stored] = db.session.scalars(select(CampaignPhoto)).all()
        campaign = db.session.get(Campaign, sample_campaign_id)
        assert campaign.photo_url == f"/photos/{stored.id}.jpg"
        assert not Image.open(io.BytesIO(stored.data)).getexif()  # the location is gone
        db.session.remove()

    visitor = page.context.browser.new_context()
    try:
        public = visitor.new_page()
        requested: list[str] = []
        public.on("request", lambda request: requested.append(request.url))
        public.goto(live_site.base_url + "/c/sample-campaign")
        photo = public.get_by_role("img", name="A blue square standing in for a face")
        expect(photo).to_be_visible()
        assert photo.evaluate("img => img.complete && img.naturalWidth") == 1200  # loaded, under the CSP
        expect(public.locator("figcaption")).to_have_text("Photo: The sample's family")
        assert requested and all(url.startswith(live_site.base_url) for url in requested), requested
    finally:
        visitor.close()
