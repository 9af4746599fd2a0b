"""Casework in a real browser: an organizer records an inquiry and a letter to DHS with evidence, keeps the
private case facts, downloads casework packets (the private facts only after confirming, for an office that
opened an inquiry); the private facts appear nowhere else; a writer whose member is a priority target is told."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select, text

pytestmark = pytest.mark.browser

CASEWORK = "/organizer/campaigns/guan-heng/casework/"
KRISHNAMOORTHI, GILLIBRAND, SCHUMER = "K000391", "G000555", "S000148"
A_NUMBER, BIRTH, LAWYER, LAWYER_CONTACT = "A098765432", "1987-06-02", "Ruth Counsel-E2E", "ruth.counsel@e2e.example"
SECRETS = (A_NUMBER, "098765432", BIRTH, LAWYER, LAWYER_CONTACT)
EVIDENCE = b"%PDF-1.4\n% letter to DHS, e2e\n"


def as_organizer(page, signed_in) -> None:
    """The organizer's session, signed in once for the whole run (the login throttle allows 5 a minute)."""
    page.context.add_cookies(signed_in("organizer")["cookies"])


def record_action(page, base, bioguide_id, kind, *, url="", file: bytes | None = None):
    page.goto(base + CASEWORK)
    page.locator("#action-bioguide_id").select_option(bioguide_id)
    page.get_by_label("Date", exact=True).fill("2025-12-15")
    page.get_by_label("What the office did").select_option(kind)
    if url:
        page.get_by_label("Evidence: web address").fill(url)
    if file is not None:
        page.get_by_label("or evidence: a file (PDF, PNG or JPEG)").set_input_files(
            {"name": "letter-to-dhs.pdf", "mimeType": "application/pdf", "buffer": file}
        )
    page.get_by_role("button", name="Record action").click()
    expect(page.get_by_text("Action recorded.")).to_be_visible()


def save_private_facts(page, base):
    page.goto(base + CASEWORK + "facts")
    page.get_by_label("A-number").fill(A_NUMBER)
    page.get_by_label("Date of birth (YYYY-MM-DD)").fill(BIRTH)
    page.get_by_label("Lawyer", exact=True).fill(LAWYER)
    page.get_by_label("Lawyer's contact (phone, email, address)").fill(LAWYER_CONTACT)
    page.get_by_label("Privacy release").select_option("signed")
    page.get_by_label("Signed release form (PDF, PNG or JPEG)").set_input_files(
        {"name": "release.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n% signed release\n"}
    )
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Private case facts saved (encrypted).")).to_be_visible()


def download_packet(page, base, bioguide_id, confirm: bool) -> str | None:
    """The packet's text, or None when the page refused (and showed why)."""
    page.goto(base + CASEWORK + "#packet")
    page.locator("#packet-bioguide_id").select_option(bioguide_id)
    if confirm:
        page.get_by_label(re.compile("Include the private case facts")).check()
    button = page.get_by_role("button", name="Download the packet (PDF)")
    if confirm and bioguide_id != KRISHNAMOORTHI:
        button.click()
        return None
    with page.expect_download() as info:
        button.click()
    data = Path(info.value.path()).read_bytes()
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_an_organizer_records_an_inquiry_and_a_letter_to_dhs_with_evidence(live_site, page, accounts, signed_in):
    base = live_site.base_url
    as_organizer(page, signed_in)
    record_action(
        page, base, KRISHNAMOORTHI, "inquiry_opened", url="https://democrats-selectcommitteeontheccp.house.gov/"
    )
    record_action(page, base, GILLIBRAND, "letter_to_dhs_ice", file=EVIDENCE)
    table = page.get_by_role("table", name=re.compile("What offices have done"))
    expect(table).to_contain_text("Congressional inquiry opened")
    expect(table).to_contain_text("Letter to DHS / ICE")

    from advocacy.auth.models import User
    from advocacy.casework.models import CaseFile, OfficeAction
    from advocacy.extensions import db

    with live_site.app_context():
        organizer = db.session.scalars(select(User).where(User.email == accounts["organizer"][0])).one()
        actions = {
            a.bioguide_id: a for a in db.session.scalars(select(OfficeAction).where(OfficeAction.date == "2025-12-15"))
        }
        assert actions[KRISHNAMOORTHI].kind == "inquiry_opened"
        assert actions[KRISHNAMOORTHI].evidence_url == "https://democrats-selectcommitteeontheccp.house.gov/"
        letter = actions[GILLIBRAND]
        assert (letter.kind, letter.recorded_by_id) == ("letter_to_dhs_ice", organizer.id)
        stored = db.session.get(CaseFile, letter.evidence_file_id)
        on_disk = (Path(live_site.config["CASE_FILES_DIR"]) / stored.stored_name).read_bytes()
        assert EVIDENCE not in on_disk and on_disk.startswith(b"gAAAAA")
        db.session.remove()

    board = requests.get(base + "/api/v1/campaigns/guan-heng/scoreboard", timeout=30).json()
    offices = {o["bioguide_id"]: o for o in board["offices"]}
    assert [a["kind"] for a in offices[GILLIBRAND]["actions"]] == ["letter_to_dhs_ice"]
    assert offices[GILLIBRAND]["action_stance"] == "supports" and offices[GILLIBRAND]["stance"] is None
    assert "inquiry_opened" in [a["kind"] for a in offices[KRISHNAMOORTHI]["actions"]]
    page.goto(base + "/c/guan-heng/scoreboard")
    expect(page.get_by_role("heading", name="Office actions")).to_be_visible()
    expect(page.get_by_role("heading", name="Where a letter matters most")).to_be_visible()
    case = page.get_by_role("region", name="Timeline of the case")  # his public timeline, beside the offices
    expect(case).to_contain_text("ICE moves him to the Buffalo Federal Detention Facility in Batavia, NY.")
    expect(case.get_by_role("link", name="AP via legalnews.com; WSKG").first).to_have_attribute(
        "href", "https://legalnews.com/"
    )


def test_the_casework_packet_holds_the_private_facts_only_after_confirmation(live_site, page, accounts, signed_in):
    base = live_site.base_url
    as_organizer(page, signed_in)
    save_private_facts(page, base)
    record_action(
        page, base, KRISHNAMOORTHI, "inquiry_opened", url="https://democrats-selectcommitteeontheccp.house.gov/"
    )

    plain = download_packet(page, base, KRISHNAMOORTHI, confirm=False)
    assert "Status: Signed; held by the organizers" in plain and accounts["organizer"][0] in plain
    assert not any(secret in plain for secret in SECRETS)

    assert download_packet(page, base, SCHUMER, confirm=True) is None  # no inquiry from that office
    expect(page.get_by_text("Private facts go only to an office that has opened an inquiry")).to_be_visible()

    confirmed = download_packet(page, base, KRISHNAMOORTHI, confirm=True)
    assert A_NUMBER in confirmed and BIRTH in confirmed and LAWYER_CONTACT in confirmed

    from advocacy.extensions import db
    from advocacy.reports.models import AuditEvent

    with live_site.app_context():
        packets = db.session.scalars(
            select(AuditEvent.filters).where(AuditEvent.action == "case.packet").order_by(AuditEvent.id)
        ).all()
        assert packets[-2:] == [
            {"office": KRISHNAMOORTHI, "private": False},
            {"office": KRISHNAMOORTHI, "private": True},
        ]
        db.session.remove()


def test_private_facts_appear_nowhere_else(live_site, page, accounts, signed_in, caplog):
    caplog.set_level(logging.DEBUG)
    base = live_site.base_url
    as_organizer(page, signed_in)
    save_private_facts(page, base)
    page.goto(base + CASEWORK + "facts")
    expect(page.get_by_label("A-number")).to_have_value(A_NUMBER)  # organizers see them here

    staff = requests.Session()
    for cookie in signed_in("staff")["cookies"]:
        staff.cookies.set(cookie["name"], cookie["value"], domain=cookie["domain"], path=cookie["path"])
    seen = {
        "campaign API": requests.get(base + "/api/v1/campaigns/guan-heng", timeout=30).text,
        "scoreboard API": requests.get(base + "/api/v1/campaigns/guan-heng/scoreboard", timeout=30).text,
        "campaign page": requests.get(base + "/c/guan-heng", timeout=30).text,
        "scoreboard page": requests.get(base + "/c/guan-heng/scoreboard", timeout=30).text,
        "casework page": (page.goto(base + CASEWORK), page.content())[1],
        "staff dashboard": staff.get(base + "/staff/campaigns/guan-heng", timeout=30).text,
        "priority report": staff.get(base + "/staff/campaigns/guan-heng/priority", timeout=30).text,
    }
    for kind in ("contacts", "offices", "statements"):
        response = staff.get(f"{base}/staff/campaigns/guan-heng/exports/{kind}.csv", timeout=30)
        assert response.status_code == 200
        seen[f"{kind} export"] = response.text
    seen["packet without confirmation"] = download_packet(page, base, GILLIBRAND, confirm=False)
    seen["logs"] = caplog.text

    from advocacy.casework.models import CaseFacts
    from advocacy.extensions import db

    with live_site.app_context():
        sealed = db.session.scalars(select(CaseFacts.sealed)).one()
        audit = db.session.execute(text("SELECT filters FROM audit_events")).scalars().all()
        path = Path(db.engine.url.database)
        db.session.remove()
    seen["case_facts column"] = sealed.decode()
    seen["audit log"] = " ".join(str(f) for f in audit)
    seen["database file"] = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists()).decode(
        "latin-1"
    )
    assert sealed.startswith(b"gAAAAA")
    assert all(seen.values())
    leaks = [(where, secret) for where, content in seen.items() for secret in SECRETS if secret in content]
    assert leaks == []


def test_a_writer_in_a_priority_offices_state_is_told_so(live_site, page, accounts, signed_in):
    base = live_site.base_url
    as_organizer(page, signed_in)
    page.goto(base + "/organizer/campaigns/sample-campaign/casework/#priority")
    page.get_by_label("A state's delegation").select_option(label="New York")
    page.get_by_label("Why a letter matters most here").fill("He is held in New York: its delegation can ask ICE.")
    page.get_by_role("button", name="Add priority targets").click()
    expect(page.get_by_text("Priority target added.")).to_be_visible()
    page.context.clear_cookies()
    try:
        page.goto(base + "/c/sample-campaign")
        page.get_by_label("First name", exact=True).fill("Prioria")
        page.get_by_label("Last name", exact=True).fill("Writer")
        page.get_by_label("Email", exact=True).fill("prioria@example.org")
        page.get_by_label("Street address", exact=True).fill("1 Main St")
        page.get_by_label("City", exact=True).fill("Albany")
        page.get_by_label("State or territory", exact=True).select_option("NY")
        page.get_by_label("ZIP code", exact=True).fill("12207")
        page.get_by_role("button", name="Review my letters").click()
        expect(page.get_by_role("heading", name="Review your letters")).to_be_visible()
        notes = page.get_by_role("region", name="Where your letter matters most")
        expect(notes).to_contain_text(
            "Senator Charles E. Schumer is in New York's delegation: your letter matters most."
        )
        expect(notes).to_contain_text("He is held in New York: its delegation can ask ICE.")
    finally:
        from advocacy.campaigns.services import get_campaign_by_slug
        from advocacy.extensions import db

        with live_site.app_context():  # leave the shared sample campaign as the other tests expect it
            get_campaign_by_slug("sample-campaign").priority_targets = []
            db.session.commit()
            db.session.remove()


def sample_priority_targets(live_site, clear: bool = False) -> list[dict]:
    """The sample campaign's stored priority targets (emptied after reading when `clear`: the other tests share it)."""
    from advocacy.campaigns.services import get_campaign_by_slug
    from advocacy.extensions import db

    with live_site.app_context():
        campaign = get_campaign_by_slug("sample-campaign")
        stored = list(campaign.priority_targets or [])
        if clear:
            campaign.priority_targets = []
            db.session.commit()
        db.session.remove()
    return stored


def test_priority_targets_are_picked_by_name_with_the_live_search(live_site, page, signed_in):
    """With JavaScript: the office and the committee come from the pickers' live search (picker.js moves each
    checked one to the picked list), and the campaign stores them as a campaign file writes them."""
    base = live_site.base_url
    as_organizer(page, signed_in)
    try:
        page.goto(base + "/organizer/campaigns/sample-campaign/casework/#priority")
        with page.expect_response(lambda r: "/pickers/offices.json" in r.url, timeout=60_000):
            page.get_by_label("Find an office by name, state or district").fill("Padilla")
        page.locator("#found-priority-offices").get_by_role("checkbox", name="Senator Alex Padilla").check()
        expect(
            page.locator("#chosen-priority-offices").get_by_role("checkbox", name="Senator Alex Padilla")
        ).to_be_checked()
        with page.expect_response(lambda r: "/pickers/committees.json" in r.url, timeout=60_000):
            page.get_by_label("Find a committee by name").fill("Judiciary")
        judiciary = re.compile(r"^\s*Senate Committee on the Judiciary \(")
        page.locator("#found-priority-committees").get_by_role("checkbox", name=judiciary).check()
        page.get_by_label("Why a letter matters most here").fill("They oversee DHS.")
        page.get_by_role("button", name="Add priority targets").click()
        expect(page.get_by_text("2 priority targets added.")).to_be_visible()
        listed = page.locator("#priority ul").first
        expect(listed).to_contain_text("Committee: Senate Committee on the Judiciary")
        expect(listed).to_contain_text("Office: Senator Alex Padilla")
    finally:
        stored = sample_priority_targets(live_site, clear=True)
    assert stored == [
        {"kind": "committee", "id": "SSJU", "reason": "They oversee DHS."},
        {"kind": "office", "id": "P000145", "reason": "They oversee DHS."},
    ]


def test_without_javascript_a_caucus_is_named_and_its_members_picked_through_the_search_form(
    live_site, browser, signed_in
):
    """No script: the office search is a plain GET form whose results are checkboxes; the caucus is stored with
    the picked office as its member, and the page lists it by name."""
    context = browser.new_context(
        storage_state=signed_in("organizer"), java_script_enabled=False, viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    base = live_site.base_url
    try:
        page.goto(base + "/organizer/campaigns/sample-campaign/casework/#priority")
        page.get_by_label("Find an office by name, state or district").fill("Gillibrand")
        with page.expect_navigation():
            page.get_by_role("button", name="Find offices").click()
        assert "office_q=Gillibrand" in page.url
        page.locator("#found-priority-offices").get_by_role("checkbox", name=re.compile("Gillibrand")).check()
        page.get_by_label("Caucus name").fill("Uyghur Human Rights Caucus")
        page.get_by_label("Why a letter matters most here").fill("Members who follow Xinjiang.")
        page.get_by_role("button", name="Add priority targets").click()
        expect(page.get_by_text("Priority target added.")).to_be_visible()
        expect(page.locator("#priority ul").first).to_contain_text(
            "Caucus: Uyghur Human Rights Caucus (Senator Kirsten E. Gillibrand)"
        )
    finally:
        context.close()
        stored = sample_priority_targets(live_site, clear=True)
    assert stored == [
        {
            "kind": "caucus",
            "id": "Uyghur Human Rights Caucus",
            "members": ["G000555"],
            "reason": "Members who follow Xinjiang.",
        }
    ]
