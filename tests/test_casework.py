"""Casework: private case facts encrypted at rest and read only by organizers (audited), key rotation, office
actions with evidence on the scoreboard, the timeline kept with history, priority targets, the casework packet."""

from __future__ import annotations

import io
import json
import logging
import re
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from cryptography.fernet import Fernet
from markupsafe import escape
from pypdf import PdfReader
from sqlalchemy import select, text

from advocacy.casework.models import CaseFacts, CaseFile, OfficeAction, TimelineRevision
from advocacy.config import ConfigError, load_settings
from advocacy.extensions import db as _db
from advocacy.reports.models import AuditEvent
from tests.conftest import make_app
from tests.data import SHARED_DATA

KEY1, KEY2 = Fernet.generate_key().decode(), Fernet.generate_key().decode()
A_NUMBER, BIRTH, LAWYER, LAWYER_CONTACT = "A123456789", "1987-03-14", "Jane Advocate", "jane.advocate@lawfirm.example"
SECRETS = (A_NUMBER, "123456789", BIRTH, LAWYER, LAWYER_CONTACT)
KRISHNAMOORTHI, GILLIBRAND = "K000391", "G000555"
CASEWORK = "/organizer/campaigns/guan-heng/casework"
PDF = b"%PDF-1.4\n% a tiny evidence file\n"
SENATOR_SCHUMER = {
    "office_key": "S000148",
    "bioguide_id": "S000148",
    "office_name": "Charles E. Schumer",
    "office_title": "Senator",
    "chamber": "senate",
    "state": "NY",
    "district": None,
    "party": "Democrat",
}


@pytest.fixture
def app_config(tmp_path):
    return {"ENVIRON": {"ADVOCACY_CASE_KEYS": KEY1}, "CASE_FILES_DIR": str(tmp_path / "casefiles")}


def save_facts(client, **extra):
    data = {
        "a_number": "A-123-456-789",
        "birth_date": BIRTH,
        "lawyer_name": LAWYER,
        "lawyer_contact": LAWYER_CONTACT,
        "release_status": "signed",
        **extra,
    }
    return client.post(f"{CASEWORK}/facts", data=data, content_type="multipart/form-data")


def record(client, bioguide_id=KRISHNAMOORTHI, kind="inquiry_opened", **extra):
    data = {
        "action-bioguide_id": bioguide_id,
        "action-date": "2025-12-12",
        "action-kind": kind,
        "action-evidence_url": "https://democrats-selectcommitteeontheccp.house.gov/",
        **extra,
    }
    return client.post(f"{CASEWORK}/actions", data=data, content_type="multipart/form-data")


def zip_text(data: bytes) -> str:
    """Every file in a zip (an XLSX workbook's XML, say) as one text."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def raw_database_bytes(app) -> bytes:
    """Every byte SQLite keeps on disk, or PostgreSQL's text form of every row of every table."""
    url = _db.engine.url
    if url.get_backend_name() == "sqlite":
        path = Path(url.database)
        return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    # Every row of every table in PostgreSQL's text form (a fact written in clear anywhere would show here).
    rows = [
        row
        for table in _db.metadata.sorted_tables
        for row in _db.session.execute(text(f'SELECT t::text FROM "{table.name}" t')).scalars()
    ]
    return "\n".join(rows).encode()


# --- Settings ------------------------------------------------------------------------------------


def test_a_case_key_that_is_not_a_fernet_key_stops_the_start_naming_the_variable():
    with pytest.raises(ConfigError, match="ADVOCACY_CASE_KEYS key 2"):
        load_settings({"ADVOCACY_CASE_KEYS": f"{KEY1},not-a-key"})
    assert load_settings({"ADVOCACY_CASE_KEYS": f"{KEY2}, {KEY1}"}).case_keys


# --- Private facts ---------------------------------------------------------------------------------


def test_private_facts_are_stored_encrypted_and_every_view_is_audited(organizer_client, guan_heng, app, db):
    assert save_facts(organizer_client).status_code == 302
    sealed = db.session.scalars(select(CaseFacts.sealed)).one()
    assert not any(s.encode() in sealed for s in SECRETS)
    assert sealed.startswith(b"gAAAAA")  # a Fernet token
    db.session.commit()
    raw = raw_database_bytes(app)
    assert raw and not any(s.encode() in raw for s in SECRETS)

    page = organizer_client.get(f"{CASEWORK}/facts")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and A_NUMBER in body and LAWYER_CONTACT in body
    assert page.headers["Cache-Control"] == "no-store"
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.action, e.filters.get("purpose")) for e in events if e.action.startswith("case.")] == [
        ("case.view", "edit"),
        ("case.edit", None),
        ("case.view", "page"),
    ]
    assert events[-1].user_id == organizer_client.user.id


def test_bad_private_facts_get_a_clear_message_and_change_nothing(organizer_client, guan_heng, db):
    response = save_facts(organizer_client, a_number="12-34", birth_date="yesterday")
    assert response.status_code == 400
    assert "An A-number has 8 or 9 digits" in response.get_data(as_text=True)
    assert "12-34" not in response.get_data(as_text=True).split("An A-number")[1][:200]
    assert db.session.scalar(select(CaseFacts.id)) is None


def test_staff_cannot_see_private_facts(staff_client, guan_heng):
    assert staff_client.get(f"{CASEWORK}/facts").status_code == 403


def test_without_case_keys_nothing_private_is_stored(login_as, guan_heng, app, db):
    app.config["ADVOCACY_SETTINGS"] = load_settings({"ADVOCACY_ENV": "testing"})
    client = login_as("organizer")
    response = save_facts(client)
    assert response.status_code == 503 and "ADVOCACY_CASE_KEYS" in response.get_data(as_text=True)
    assert db.session.scalar(select(CaseFacts.id)) is None


def test_rotate_keys_reencrypts_facts_and_files_under_the_first_key(
    organizer_client, guan_heng, database_url, tmp_path
):
    save_facts(organizer_client, release_file=(io.BytesIO(PDF), "Guan Heng release.pdf"))
    files_dir = tmp_path / "casefiles"
    rotated = make_app(database_url, ENVIRON={"ADVOCACY_CASE_KEYS": f"{KEY2},{KEY1}"}, CASE_FILES_DIR=str(files_dir))
    with rotated.app_context():
        result = rotated.test_cli_runner().invoke(args=["casework", "rotate-keys"])
        assert result.exit_code == 0, result.output
        assert "re-encrypted 2 sealed values and 1 files" in result.output
    only_new = make_app(database_url, ENVIRON={"ADVOCACY_CASE_KEYS": KEY2}, CASE_FILES_DIR=str(files_dir))
    with only_new.app_context():
        from advocacy.casework import crypto

        sealed = _db.session.scalars(select(CaseFacts.sealed)).one()
        assert json.loads(crypto.decrypt(sealed))["a_number"] == A_NUMBER
        row = _db.session.scalars(select(CaseFile)).one()
        assert crypto.decrypt((files_dir / row.stored_name).read_bytes()) == PDF
        assert crypto.decrypt(row.sealed_name) == b"Guan Heng release.pdf"
        _db.session.remove()


# --- Office actions ---------------------------------------------------------------------------------


def test_recording_an_inquiry_and_a_letter_to_dhs_with_evidence(organizer_client, guan_heng, client, db, tmp_path):
    assert record(organizer_client).status_code == 302
    response = record(
        organizer_client,
        GILLIBRAND,
        "letter_to_dhs_ice",
        **{"action-evidence_url": "", "action-evidence_file": (io.BytesIO(PDF), "letter.pdf")},
    )
    assert response.status_code == 302
    actions = db.session.scalars(select(OfficeAction).order_by(OfficeAction.id)).all()
    assert [(a.bioguide_id, a.kind, a.recorded_by_id) for a in actions] == [
        (KRISHNAMOORTHI, "inquiry_opened", organizer_client.user.id),
        (GILLIBRAND, "letter_to_dhs_ice", organizer_client.user.id),
    ]
    stored = db.session.get(CaseFile, actions[1].evidence_file_id)
    on_disk = (tmp_path / "casefiles" / stored.stored_name).read_bytes()
    assert PDF not in on_disk and stored.content_type == "application/pdf"
    download = organizer_client.get(f"{CASEWORK}/files/{stored.id}")
    assert download.data == PDF and "letter.pdf" not in download.headers["Content-Disposition"]

    board = client.get("/api/v1/campaigns/guan-heng/scoreboard").get_json()
    offices = {o["bioguide_id"]: o for o in board["offices"]}
    assert offices[GILLIBRAND]["stance"] is None  # "has spoken" is still the statements' own
    assert offices[GILLIBRAND]["action_stance"] == "supports"
    assert [(a["kind"], a["implied_stance"], a["evidence_url"]) for a in offices[GILLIBRAND]["actions"]] == [
        ("letter_to_dhs_ice", "supports", None)
    ]
    assert offices[KRISHNAMOORTHI]["stance"] == "supports" and offices[KRISHNAMOORTHI]["actions"][0]["kind"] == (
        "inquiry_opened"
    )


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"action-evidence_url": ""}, "Give the evidence"),
        ({"action-evidence_url": "", "action-evidence_file": (b"MZ\x90\x00", "x.exe")}, "Upload a PDF"),
        ({"action-bioguide_id": "X000000"}, "Not a valid choice"),
        ({"action-date": "2999-01-01"}, "cannot be in the future"),
    ],
)
def test_a_bad_action_is_refused_with_a_message_and_stores_nothing(organizer_client, guan_heng, db, extra, message):
    extra = {k: (io.BytesIO(v[0]), v[1]) if isinstance(v, tuple) else v for k, v in extra.items()}
    response = record(organizer_client, **extra)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(OfficeAction.id)) is None and db.session.scalar(select(CaseFile.id)) is None


# --- Timeline --------------------------------------------------------------------------------------


def test_the_public_timeline_carries_custody_and_facility_from_the_campaign_file(client, guan_heng):
    events = client.get("/api/v1/campaigns/guan-heng").get_json()["timeline"]
    transfer = next(e for e in events if e["date"] == "2026-01-30")
    assert (transfer["kind"], transfer["custody"], transfer["facility"], transfer["city"], transfer["state"]) == (
        "transfer",
        "detained",
        "Buffalo Federal Detention Facility",
        "Batavia",
        "NY",
    )
    assert "Held at Broome County Correctional Facility, Binghamton, NY" in client.get("/c/guan-heng").get_data(
        as_text=True
    )


def test_organizers_add_edit_and_retire_events_with_history_kept(organizer_client, client, guan_heng, db):
    new = {
        "event-date": "2026-02-10",
        "event-event": "WSKG reports on his release.",
        "event-source": "WSKG, 2026-02-10",
        "event-kind": "other",
    }
    assert organizer_client.post(f"{CASEWORK}/timeline", data=new).status_code == 302
    events = client.get("/api/v1/campaigns/guan-heng").get_json()["timeline"]
    assert events[-1]["event"] == "WSKG reports on his release."
    db.session.expire_all()
    from advocacy.casework.timeline import events_with_ids

    added = events_with_ids(guan_heng)[-1]
    edited = {**new, "event-event": "WSKG reports on his release and his stay in Binghamton."}
    assert organizer_client.post(f"{CASEWORK}/timeline/{added['id']}", data=edited).status_code == 302
    first = events_with_ids(guan_heng)[0]
    assert organizer_client.post(f"{CASEWORK}/timeline/{first['id']}/retire").status_code == 302
    events = client.get("/api/v1/campaigns/guan-heng").get_json()["timeline"]
    assert first["event"] not in [e["event"] for e in events]
    assert events[-1]["event"].endswith("stay in Binghamton.")
    assert first["event"] not in client.get("/c/guan-heng").get_data(as_text=True)
    revisions = db.session.scalars(select(TimelineRevision).order_by(TimelineRevision.id)).all()
    assert [r.change for r in revisions] == ["added", "edited", "retired"]
    assert revisions[1].before["event"] == "WSKG reports on his release."
    assert revisions[2].after["retired"] is True and revisions[2].changed_by_id == organizer_client.user.id


def test_an_event_without_a_source_is_refused(organizer_client, guan_heng, db):
    before = list(guan_heng.timeline)
    response = organizer_client.post(
        f"{CASEWORK}/timeline", data={"event-date": "2026-02", "event-event": "Something", "event-source": ""}
    )
    assert response.status_code == 400 and "Name the public source" in response.get_data(as_text=True)
    db.session.expire_all()
    assert guan_heng.timeline == before and db.session.scalar(select(TimelineRevision.id)) is None


# --- The casework packet and where private facts never go ----------------------------------------------


def packet(client, bioguide_id, private):
    data = {"packet-bioguide_id": bioguide_id}
    if private:
        data["packet-include_private"] = "y"
    return client.post(f"{CASEWORK}/packet", data=data)


def test_the_packet_holds_private_facts_only_for_an_inquiry_and_with_confirmation(organizer_client, guan_heng, db):
    save_facts(organizer_client)
    plain = packet(organizer_client, KRISHNAMOORTHI, private=False)
    assert plain.status_code == 200 and plain.mimetype == "application/pdf"
    words = pdf_text(plain.data)
    assert "Signed; held by the organizers" in words and organizer_client.user.email in words
    assert "Buffalo Federal Detention Facility" in words and "Constituents of this office who wrote" in words
    assert not any(s in words for s in SECRETS)

    refused = packet(organizer_client, KRISHNAMOORTHI, private=True)  # no inquiry recorded yet
    assert refused.status_code == 400 and "opened an inquiry" in refused.get_data(as_text=True)

    record(organizer_client)
    confirmed = packet(organizer_client, KRISHNAMOORTHI, private=True)
    words = pdf_text(confirmed.data)
    assert A_NUMBER in words and LAWYER_CONTACT in words and BIRTH in words
    audits = [
        (e.action, e.filters)
        for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        if e.action in ("case.packet", "case.view")
    ]
    assert audits[-3:] == [
        ("case.packet", {"office": KRISHNAMOORTHI, "private": False}),
        ("case.view", {"purpose": "packet"}),
        ("case.packet", {"office": KRISHNAMOORTHI, "private": True}),
    ]


def test_private_facts_appear_nowhere_else(organizer_client, staff_client, client, guan_heng, runner, app, db, caplog):
    from tests.factories import make_action, make_letter

    caplog.set_level(logging.DEBUG)
    make_letter(make_action(guan_heng))  # so that a delivery packet for Senator Gillibrand exists
    save_facts(organizer_client, release_file=(io.BytesIO(PDF), "release.pdf"))
    record(organizer_client)
    organizer_client.get(f"{CASEWORK}/facts")
    packet(organizer_client, KRISHNAMOORTHI, private=True)  # the one place they go
    seen = [
        client.get("/api/v1/campaigns/guan-heng").get_data(as_text=True),
        client.get("/api/v1/campaigns/guan-heng/scoreboard").get_data(as_text=True),
        client.get("/c/guan-heng").get_data(as_text=True),
        client.get("/c/guan-heng/scoreboard").get_data(as_text=True),
        organizer_client.get(CASEWORK + "/").get_data(as_text=True),
        staff_client.get("/staff/campaigns/guan-heng/priority").get_data(as_text=True),
        pdf_text(packet(organizer_client, KRISHNAMOORTHI, private=False).data),
        pdf_text(staff_client.get(f"/staff/campaigns/guan-heng/packets/{GILLIBRAND}.pdf", buffered=True).data),
        caplog.text,
        json.dumps([e.filters for e in db.session.scalars(select(AuditEvent))]),
    ]
    for kind in ("contacts", "offices", "statements"):
        seen.append(
            staff_client.get(f"/staff/campaigns/guan-heng/exports/{kind}.csv", buffered=True).get_data(as_text=True)
        )
        seen.append(zip_text(staff_client.get(f"/staff/campaigns/guan-heng/exports/{kind}.xlsx", buffered=True).data))
    packets = zipfile.ZipFile(
        io.BytesIO(staff_client.get("/staff/campaigns/guan-heng/packets.zip", buffered=True).data)
    )
    seen += [pdf_text(packets.read(name)) for name in packets.namelist()]
    seen += [
        client.get("/api/v1/campaigns").get_data(as_text=True),
        client.get("/c/guan-heng/statements.atom").get_data(as_text=True),
        staff_client.get("/staff/campaigns/guan-heng").get_data(as_text=True),
        raw_database_bytes(app).decode("latin-1"),
    ]
    assert all(seen)
    for where, content in enumerate(seen):
        for secret in SECRETS:
            assert secret not in content, (where, secret)


# --- Priority targets ----------------------------------------------------------------------------


def test_priority_report_lists_priority_offices_without_letters(staff_client, guan_heng):
    body = staff_client.get("/staff/campaigns/guan-heng/priority").get_data(as_text=True)
    assert "sits on the House Select Committee on the Strategic Competition" in body
    assert "New York&#39;s delegation" in body and "Sen. Kirsten E. Gillibrand (D-NY)" in body
    without = body.split('id="without"')[1].split("<h2")[0]
    assert "Sen. Kirsten E. Gillibrand (D-NY)" in without


def test_campaign_files_refuse_private_looking_keys(tmp_path):
    from advocacy.campaigns.files import read_campaign_file
    from advocacy.campaigns.yamllines import CampaignFileError

    folder = tmp_path / "someone"
    folder.mkdir()
    source = Path("campaigns/guan-heng/campaign.yaml").read_text().replace("slug: guan-heng", "slug: someone")
    source = source.replace("detainee:\n  name: Guan Heng\n", "detainee:\n  name: Guan Heng\n  a_number: A123\n")
    (folder / "campaign.yaml").write_text(source)
    (folder / "letter-thanks.txt").write_text(Path("campaigns/guan-heng/letter-thanks.txt").read_text())
    with pytest.raises(CampaignFileError, match=r"detainee.a_number: private case facts never go in a campaign"):
        read_campaign_file(folder / "campaign.yaml")


def test_the_guan_heng_file_names_committees_that_exist(real_congress, app):
    from advocacy.campaigns.files import read_campaign_file

    spec = read_campaign_file(Path("campaigns/guan-heng/campaign.yaml"), check_references=True)
    assert [(t["kind"], t["id"]) for t in spec.priority_targets] == [
        ("committee", "HSZS"),
        ("committee", "HSJU"),
        ("committee", "SSJU"),
        ("committee", "HSHM"),
        ("committee", "SSGA"),
        ("state", "NY"),
    ]
    assert all(t["reason"] for t in spec.priority_targets)


def test_a_writer_whose_member_is_a_priority_target_is_told_so(client, live_campaign, db):
    from tests.letters_support import GOOD

    live_campaign.priority_targets = [
        {"kind": "committee", "id": "SSAS", "reason": "A test reason for the committee."},
        {"kind": "state", "id": "NY", "reason": "He is held in New York."},
    ]
    db.session.commit()
    page = client.get("/c/sample-campaign").get_data(as_text=True)
    started = page.split('name="started" value="')[1].split('"')[0]
    review = client.post("/c/sample-campaign/write", data={**GOOD, "consent": "y", "started": started})
    body = review.get_data(as_text=True)
    assert review.status_code == 200
    assert (
        "Senator Kirsten E. Gillibrand sits on the Senate Committee on Armed Services: your letter matters most."
        in (body)
    )
    assert "Senator Charles E. Schumer is in New York&#39;s delegation: your letter matters most." in body
    assert "He is held in New York." in body


def _review_page(client, language=None) -> str:
    """The letter review page for the sample writer (Albany, NY: Schumer, Gillibrand, Tonko), in `language`."""
    from tests.letters_support import GOOD

    if language:
        client.set_cookie("lang", language)
    page = client.get("/c/sample-campaign").get_data(as_text=True)
    started = page.split('name="started" value="')[1].split('"')[0]
    review = client.post("/c/sample-campaign/write", data={**GOOD, "consent": "y", "started": started})
    assert review.status_code == 200
    return review.get_data(as_text=True)


EN = '<span lang="en" dir="ltr">'
PRIORITY_NOTES = {
    "zh-Hans": (
        f"参议员 Kirsten E. Gillibrand 是{EN}Senate Committee on Armed Services</span>的成员：您的信最为重要。",
        "参议员 Charles E. Schumer 属于纽约州国会代表团：您的信最为重要。",
        "众议员 Paul Tonko 是本次行动的重点办公室：您的信最为重要。",
        'aria-label="您的信最能发挥作用的地方"',
    ),
    "es": (
        f"Senador(a) Kirsten E. Gillibrand integra {EN}Senate Committee on Armed Services</span>: su carta es la que"
        " más cuenta.",
        "Senador(a) Charles E. Schumer forma parte de la delegación de Nueva York: su carta es la que más cuenta.",
        "Representante Paul Tonko es una oficina prioritaria de esta campaña: su carta es la que más cuenta.",
        'aria-label="Dónde su carta cuenta más"',
    ),
}


@pytest.mark.parametrize("language", ["zh-Hans", "es"])
def test_the_priority_notes_on_the_review_page_speak_the_pages_language(client, live_campaign, db, language):
    live_campaign.priority_targets = [
        {"kind": "committee", "id": "SSAS", "reason": "A test reason for the committee."},
        {"kind": "office", "id": "T000469", "reason": "He asked ICE about the case."},
        {"kind": "state", "id": "NY", "reason": "He is held in New York."},
    ]
    db.session.commit()
    body = _review_page(client, language)
    for words in PRIORITY_NOTES[language]:
        assert words in body, words
    assert "matters most" not in body and "sits on the" not in body and "delegation" not in body
    # The organizers' reasons are their English words, marked as English inside the page.
    assert f"{EN}He is held in New York.</span>" in body and f"{EN}A test reason for the committee.</span>" in body
    # The letters themselves stay English: what the office reads.
    assert "Dear Senator Gillibrand" in body


def test_no_priority_note_when_none_of_the_writers_members_is_a_target(client, live_campaign, db):
    from tests.letters_support import GOOD

    live_campaign.priority_targets = [{"kind": "state", "id": "CA", "reason": "Held in California."}]
    db.session.commit()
    page = client.get("/c/sample-campaign").get_data(as_text=True)
    started = page.split('name="started" value="')[1].split('"')[0]
    body = client.post("/c/sample-campaign/write", data={**GOOD, "consent": "y", "started": started}).get_data(
        as_text=True
    )
    assert "Review your letters" in body and "matters most" not in body


def test_the_scoreboard_and_the_staff_dashboard_show_priority_offices_apart(
    organizer_client, staff_client, client, guan_heng
):
    record(organizer_client, GILLIBRAND, "letter_to_dhs_ice")
    page = client.get("/c/guan-heng/scoreboard").get_data(as_text=True)
    priority = page.split('id="priority-heading"')[1].split("</section>")[0]
    assert "Where a letter matters most" in page and "priority offices have spoken up or acted" in priority
    assert "Kirsten E. Gillibrand" in priority and "Letter to DHS / ICE (2025-12-12)" in priority
    assert "Raja Krishnamoorthi" in priority  # on the Select Committee on the CCP
    actions = page.split('id="actions-heading"')[1].split("</section>")[0]
    assert "Kirsten E. Gillibrand (NY), Letter to DHS / ICE" in actions
    dashboard = staff_client.get("/staff/campaigns/guan-heng").get_data(as_text=True)
    assert "priority offices have letters from constituents" in dashboard


SCOREBOARD_WORDS = {
    "zh-Hans": {
        "heading": '<h2 id="priority-heading">信件最能发挥作用的地方</h2>',
        "caption": "<caption>重点办公室：对本案有影响力的委员会和代表团</caption>",
        "headers": '<th scope="col">原因</th><th scope="col">立场</th><th scope="col">行动</th>',
        "acted": "重点办公室已经发声或采取行动。",
        "office": "参议员 Kirsten E. Gillibrand (NY)",
        "committee": f"是{EN}Senate Committee on the Judiciary</span>的成员",
        "state": "属于纽约州国会代表团",
        "action": "致国土安全部／ICE 的信 (2025-12-12)",
        "none": "<td>尚无</td>",
        "not_yet": "<td>尚未</td>",
        "actions_heading": '<h2 id="actions-heading">办公室的行动</h2>',
        "action_item": "2025-12-12: 参议员 Kirsten E. Gillibrand (NY), 致国土安全部／ICE 的信 (<a",
        "source": 'rel="noopener noreferrer">来源</a>',
    },
    "es": {
        "heading": '<h2 id="priority-heading">Dónde una carta cuenta más</h2>',
        "caption": "<caption>Oficinas prioritarias: comisiones y delegaciones con peso en este caso</caption>",
        "headers": '<th scope="col">Por qué</th><th scope="col">Postura</th><th scope="col">Acciones</th>',
        "acted": "oficinas prioritarias se han pronunciado o han actuado.",
        "office": "Senador(a) Kirsten E. Gillibrand (NY)",
        "committee": f"integra {EN}Senate Committee on the Judiciary</span>",
        "state": "forma parte de la delegación de Nueva York",
        "action": "Carta a DHS / ICE (2025-12-12)",
        "none": "<td>Ninguna todavía</td>",
        "not_yet": "<td>Todavía no</td>",
        "actions_heading": '<h2 id="actions-heading">Acciones de las oficinas</h2>',
        "action_item": "2025-12-12: Senador(a) Kirsten E. Gillibrand (NY), Carta a DHS / ICE (<a",
        "source": 'rel="noopener noreferrer">fuente</a>',
    },
}
ENGLISH_SCOREBOARD = (
    '<h2 id="priority-heading">Where a letter matters most</h2>',
    "<caption>Priority offices: committees and delegations with weight in this case</caption>",
    '<th scope="col">Why</th><th scope="col">Stance</th><th scope="col">Actions</th>',
    "sits on the Senate Committee on the Judiciary",
    "is in New York&#39;s delegation",
    "Letter to DHS / ICE (2025-12-12)",
    "<td>None yet</td>",
    "<td>Not yet</td>",
    '<h2 id="actions-heading">Office actions</h2>',
    "2025-12-12: Senator Kirsten E. Gillibrand (NY), Letter to DHS / ICE (<a",
    'rel="noopener noreferrer">source</a>',
)


def _priority_sections(page: str) -> str:
    return page.split('aria-labelledby="priority-heading"')[1].split('aria-labelledby="case-timeline-heading"')[0]


@pytest.mark.parametrize("language", ["zh-Hans", "es"])
def test_the_scoreboards_priority_offices_and_office_actions_speak_the_pages_language(
    organizer_client, staff_client, client, guan_heng, language
):
    record(organizer_client, GILLIBRAND, "letter_to_dhs_ice")
    english = _priority_sections(client.get("/c/guan-heng/scoreboard").get_data(as_text=True))  # cached, plain
    for words in ENGLISH_SCOREBOARD:
        assert words in english, words
    assert 'lang="en"' not in english
    client.set_cookie("lang", language)
    translated = _priority_sections(client.get("/c/guan-heng/scoreboard").get_data(as_text=True))
    for name, words in SCOREBOARD_WORDS[language].items():
        assert words in translated, (name, words)
    for words in ("matters most", "sits on the", "delegation", "Letter to DHS", "None yet", "Not yet", ">source<"):
        assert words not in translated, words
    assert translated == _priority_sections(client.get("/c/guan-heng/scoreboard").get_data(as_text=True))  # cached

    # Data and staff pages keep the English: the JSON API's labels and the staff report's reasons.
    api = client.get("/api/v1/campaigns/guan-heng/scoreboard", headers={"Accept-Language": language}).get_json()
    [row] = [o for o in api["offices"] if o["bioguide_id"] == GILLIBRAND]
    assert [(a["kind"], a["label"]) for a in row["actions"]] == [("letter_to_dhs_ice", "Letter to DHS / ICE")]
    staff_client.set_cookie("lang", language)
    report = staff_client.get("/staff/campaigns/guan-heng/priority").get_data(as_text=True)
    assert "sits on the Senate Committee on the Judiciary" in report and "is in New York&#39;s delegation" in report
    assert '<span lang="en"' not in report


def test_every_office_action_has_words_for_the_public_that_read_as_its_english_label(app):
    from advocacy.casework.models import ACTION_LABELS, ACTION_WORDS, ActionKind

    assert set(ACTION_WORDS) == set(ACTION_LABELS) == {kind.value for kind in ActionKind}
    with app.test_request_context("/"):
        assert {kind: str(words) for kind, words in ACTION_WORDS.items()} == dict(ACTION_LABELS)


def test_organizers_add_and_remove_priority_targets(organizer_client, guan_heng, db):
    url = f"{CASEWORK}/priority"
    before = list(guan_heng.priority_targets)
    bad = organizer_client.post(url, data={"priority-committee": "ZZZZ", "priority-reason": "x"})
    assert bad.status_code == 400 and "No committee has that id" in bad.get_data(as_text=True)
    nothing = organizer_client.post(url, data={"priority-reason": "x"})
    assert nothing.status_code == 400 and "Pick a committee or an office" in nothing.get_data(as_text=True)
    no_members = organizer_client.post(url, data={"priority-caucus": "Uyghur Caucus", "priority-reason": "x"})
    assert no_members.status_code == 400 and "Pick the caucus" in no_members.get_data(as_text=True)
    db.session.expire_all()
    assert guan_heng.priority_targets == before  # a refusal changes nothing
    caucus = {
        "priority-caucus": "Uyghur Human Rights Caucus",
        "priority-office": [KRISHNAMOORTHI, GILLIBRAND],
        "priority-reason": "Members who follow Xinjiang.",
    }
    assert organizer_client.post(url, data=caucus).status_code == 302
    db.session.expire_all()
    assert guan_heng.priority_targets[-1] == {
        "kind": "caucus",
        "id": "Uyghur Human Rights Caucus",
        "members": ["K000391", "G000555"],
        "reason": "Members who follow Xinjiang.",
    }
    count = len(guan_heng.priority_targets)
    assert organizer_client.post(f"{url}/{count - 1}/remove").status_code == 302
    db.session.expire_all()
    assert len(guan_heng.priority_targets) == count - 1


def test_priority_targets_are_picked_and_stored_as_the_campaign_file_writes_them(organizer_client, guan_heng, db):
    """Offices and committees found by name (the campaign pickers, as a GET search), a state by its name: each
    picked one is stored with the kind and id a campaign file uses; a repeat is refused and nothing is added."""
    guan_heng.priority_targets = []
    db.session.commit()
    found = organizer_client.get(f"{CASEWORK}/", query_string={"office_q": "Gillibrand", "committee_q": "Judiciary"})
    text = found.get_data(as_text=True)
    assert f'name="priority-office" value="{GILLIBRAND}"' in text
    assert 'name="priority-committee" value="SSJU"' in text
    assert "Find an office by name, state or district" in text and "/static/js/picker.js" in text
    picked = {
        "priority-office": [GILLIBRAND],
        "priority-committee": ["SSJU"],
        "priority-state": "NY",
        "priority-reason": "They hear from New York.",
    }
    response = organizer_client.post(f"{CASEWORK}/priority", data=picked)
    assert response.status_code == 302
    db.session.expire_all()
    reason = "They hear from New York."
    assert guan_heng.priority_targets == [
        {"kind": "committee", "id": "SSJU", "reason": reason},
        {"kind": "office", "id": GILLIBRAND, "reason": reason},
        {"kind": "state", "id": "NY", "reason": reason},
    ]
    again = organizer_client.post(f"{CASEWORK}/priority", data={**picked, "priority-committee": []})
    assert again.status_code == 400 and "is already a priority" in again.get_data(as_text=True)
    db.session.expire_all()
    assert len(guan_heng.priority_targets) == 3
    shown = organizer_client.get(f"{CASEWORK}/").get_data(as_text=True)
    section = shown.split('id="priority-heading"')[1].split("</section>")[0]
    assert "Committee: Senate Committee on the Judiciary" in section
    assert "Office: Senator Kirsten E. Gillibrand" in section and "State delegation: New York" in section
    assert "committee SSJU" not in section and f"office {GILLIBRAND}" not in section


def test_the_casework_page_shows_words_not_stored_codes(organizer_client, guan_heng, db):
    """Timeline kinds, custody, history changes and office actions read as words; the codes stay stored."""
    record(organizer_client, kind="inquiry_opened")
    event = {
        "event-date": "2026-02-01",
        "event-event": "Moved to another facility.",
        "event-source": "ICE detainee locator",
        "event-kind": "transfer",
        "event-custody": "removed",
    }
    assert organizer_client.post(f"{CASEWORK}/timeline", data=event).status_code == 302
    page = organizer_client.get(f"{CASEWORK}/").get_data(as_text=True)
    timeline = page.split('id="timeline-heading"')[1].split("</section>")[0]
    assert '<span class="badge">Transfer</span>' in timeline
    assert '<span class="badge">Removed from the country</span>' in timeline
    assert (
        '<span class="badge">transfer</span>' not in timeline and '<span class="badge">removed</span>' not in timeline
    )
    assert ": Added 2026-02-01" in timeline and ": added 2026-02-01" not in timeline
    actions = page.split('id="actions-heading"')[1].split("</section>")[0]
    assert "Congressional inquiry opened" in actions and ">inquiry_opened<" not in actions
    assert '<option value="transfer">Transfer</option>' in page and '<option value="custody">Custody</option>' in page
    db.session.expire_all()
    stored = [e for e in guan_heng.timeline if e.get("event") == "Moved to another facility."]
    assert stored and stored[0]["kind"] == "transfer" and stored[0]["custody"] == "removed"


def test_an_upload_over_the_size_limit_is_refused_and_nothing_is_written(
    organizer_client, guan_heng, app, db, tmp_path
):
    app.config["CASE_FILE_MAX_BYTES"] = 1024
    big = {"action-evidence_url": "", "action-evidence_file": (io.BytesIO(PDF + b"x" * 2048), "big.pdf")}
    response = record(organizer_client, GILLIBRAND, "letter_to_dhs_ice", **big)
    assert response.status_code == 400 and "larger than the limit of 1 KB" in response.get_data(as_text=True)
    assert db.session.scalar(select(OfficeAction.id)) is None and db.session.scalar(select(CaseFile.id)) is None
    folder = tmp_path / "casefiles"
    assert not folder.exists() or not any(folder.iterdir())


def test_an_evidence_file_above_the_sites_1_mb_request_limit_but_within_its_own_is_stored(
    organizer_client, guan_heng, db
):
    two_mb = {"action-evidence_url": "", "action-evidence_file": (io.BytesIO(PDF + b"x" * 2_000_000), "scan.pdf")}
    response = record(organizer_client, GILLIBRAND, "letter_to_dhs_ice", **two_mb)
    assert response.status_code == 302, response.status_code  # not a 413 from the site-wide limit
    assert db.session.scalar(select(CaseFile.id)) is not None


def test_the_packet_counts_the_offices_constituents_who_wrote(organizer_client, guan_heng, db):
    from tests.factories import make_action, make_letter

    for email in ("ana@example.org", "bo@example.org"):
        make_letter(make_action(guan_heng, email=email))  # to Senator Gillibrand
    make_letter(make_action(guan_heng, email="cy@example.org"), {**SENATOR_SCHUMER})
    words = pdf_text(packet(organizer_client, GILLIBRAND, private=False).data)
    assert "Constituents of this office who wrote through this campaign: 2" in words
    assert "Ana" not in words and "ana@example.org" not in words  # counts, not people
    body = organizer_client.get("/staff/campaigns/guan-heng/priority").get_data(as_text=True)
    assert body  # organizers may read the staff report too


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("  - state: NY\n", "  - state: XX\n", "priority[5].state: must be a two-letter state code"),
        ("  - committee: HSJU\n", "  - committee: ZZ\n", "priority[1].committee: 'ZZ' is not a thomas id"),
        ("  - committee: SSJU\n", "  - committee: SSJU\n    members: [G000555]\n", "only a caucus lists members"),
    ],
)
def test_priority_targets_in_a_campaign_file_are_checked(tmp_path, old, new, message):
    from advocacy.campaigns.files import read_campaign_file
    from advocacy.campaigns.yamllines import CampaignFileError

    folder = tmp_path / "guan-heng"
    folder.mkdir()
    (folder / "letter-thanks.txt").write_text(Path("campaigns/guan-heng/letter-thanks.txt").read_text())
    source = Path("campaigns/guan-heng/campaign.yaml").read_text()
    assert old in source
    (folder / "campaign.yaml").write_text(source.replace(old, new))
    with pytest.raises(CampaignFileError, match=re.escape(message)):
        read_campaign_file(folder / "campaign.yaml")


def test_the_event_edit_page_shows_the_event(organizer_client, guan_heng):
    from advocacy.casework.timeline import events_with_ids

    event = events_with_ids(guan_heng)[3]
    page = organizer_client.get(f"{CASEWORK}/timeline/{event['id']}").get_data(as_text=True)
    assert "Broome County Correctional Facility" in page and 'value="2025-08"' in page
    assert organizer_client.get(f"{CASEWORK}/timeline/nope").status_code == 404


# --- The case timeline on the scoreboard, and Guan Heng's timeline against the public record ------------


def case_timeline_on_scoreboard(client) -> str:
    page = client.get("/c/guan-heng/scoreboard").get_data(as_text=True)
    assert 'id="case-timeline-heading"' in page, "the scoreboard shows no case timeline"
    return page.split('id="case-timeline-heading"')[1].split("</section>")[0]


def test_the_scoreboard_shows_the_case_timeline_and_a_retired_event_leaves_it_at_once(
    organizer_client, client, guan_heng
):
    from advocacy.casework.timeline import events_with_ids

    shown = case_timeline_on_scoreboard(client)
    assert "Timeline of the case" in shown
    for event in guan_heng.timeline:
        assert str(escape(event["event"])) in shown and str(escape(event["source"])) in shown
    assert "Held at Buffalo Federal Detention Facility, Batavia, NY" in shown
    assert 'href="https://legalnews.com/"' in shown

    transfer = next(e for e in events_with_ids(guan_heng) if e["date"] == "2026-01-30")
    assert organizer_client.post(f"{CASEWORK}/timeline/{transfer['id']}/retire").status_code == 302
    shown = case_timeline_on_scoreboard(client)  # the same board (no statement changed): not the page before
    assert transfer["event"] not in shown and "Buffalo Federal Detention Facility" not in shown
    assert "Released from ICE detention, six days after the grant of asylum." in shown


def test_a_priority_target_added_shows_on_the_scoreboard_at_once(organizer_client, client, guan_heng):
    assert "Uyghur Human Rights Caucus" not in client.get("/c/guan-heng/scoreboard").get_data(as_text=True)
    caucus = {
        "priority-caucus": "Uyghur Human Rights Caucus",
        "priority-office": [GILLIBRAND],
        "priority-reason": "Members who follow Xinjiang.",
    }
    assert organizer_client.post(f"{CASEWORK}/priority", data=caucus).status_code == 302
    page = client.get("/c/guan-heng/scoreboard").get_data(as_text=True)
    priority = page.split('id="priority-heading"')[1].split("</section>")[0]
    assert "is a member of the Uyghur Human Rights Caucus" in priority


def public_record() -> list[tuple[str, str]]:
    """(when, what and source) for each row of the public record's table (../shared/cases/guan-heng.md)."""
    path = SHARED_DATA.parent / "cases" / "guan-heng.md"
    if not path.is_file():
        pytest.skip(f"the public record of the case is not found: {path}")
    rows = []
    for line in path.read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and re.match(r"[0-9]{4}", cells[0]):
            rows.append((cells[0], f"{cells[1]} {cells[2]}"))
    assert len(rows) > 10
    return rows


def unsupported(item: dict, fields: tuple[str, ...], sources: tuple[str, ...], rows) -> list[str]:
    """What `item` (a timeline event or a statement) says that the record's rows of its date do not."""
    record = " ".join(text for when, text in rows if when.startswith(item["date"]))
    if not record:
        return [f"no event of {item['date']} in the public record"]
    everything = " ".join(text for _, text in rows)
    problems = []
    for name in sources:  # each named source, as the record names it (before any comma, without asides)
        for source in filter(None, (part.strip() for part in (item.get(name) or "").split(";"))):
            outlet = re.sub(r"\s*\([^)]*\)", "", source.split(",")[0]).strip()
            problems += [f"source {outlet!r}"] if outlet not in record else []
            # An article's title, as the record gives it (the record may name it on another row of that outlet).
            problems += [f"title {t!r}" for t in re.findall(r'"([^"]+)"', source) if f'"{t}"' not in everything]
    if host := urlsplit(item.get("source_url") or "").hostname:
        problems += [f"source_url {host}"] if host.removeprefix("www.") not in record else []
    for name in fields:  # every number and place the event gives
        value = str(item.get(name) or "")
        words = re.findall(r"[0-9]+", value) if name in ("event", "source", "quote_or_summary") else [value]
        problems += [f"{name} {w!r}" for w in words if w and w not in record]
    return problems


def test_guan_hengs_timeline_and_statements_come_from_the_public_record_only():
    from advocacy.campaigns.files import read_campaign_file

    rows = public_record()
    spec = read_campaign_file(Path("campaigns/guan-heng/campaign.yaml"))
    assert {e.get("kind") for e in spec.timeline} >= {"custody", "transfer", "hearing", "decision", "release"}
    problems = {
        e["date"]: p
        for e in spec.timeline
        if (p := unsupported(e, ("event", "source", "facility", "city", "state"), ("source",), rows))
    }
    for statement in spec.statements:
        item = {"date": statement.date.isoformat(), "source_url": statement.source_url}
        item["quote_or_summary"] = statement.quote_or_summary
        if p := unsupported(item, ("quote_or_summary",), (), rows):
            problems[f"statement {statement.bioguide_id}"] = p
    assert problems == {}


def test_a_timeline_event_the_record_does_not_hold_is_caught():
    rows = public_record()
    invented = [
        {"date": "2025-09", "event": "Moved to another jail.", "source": "WSKG"},
        {"date": "2026-01-30", "event": "ICE moves him.", "source": "The Daily Example", "facility": "Batavia"},
        {"date": "2026-01-28", "event": "Granted asylum; DHS has 60 days to appeal.", "source": "WSKG"},
        {"date": "2026-02-03", "event": "Released.", "source": "WSKG", "source_url": "https://example.com/"},
        {"date": "2025-08", "event": "Detained.", "source": 'Pipe Dream, "Whistleblower freed"'},
    ]
    fields = ("event", "source", "facility", "city", "state")
    assert [bool(unsupported(e, fields, ("source",), rows)) for e in invented] == [True] * len(invented)


# --- Every download of a private file is audited; who recorded an action is shown ---------------------


def test_every_download_of_a_case_file_is_audited_and_staff_get_none(organizer_client, staff_client, guan_heng, db):
    save_facts(organizer_client, release_file=(io.BytesIO(PDF), "release.pdf"))
    evidence = {"action-evidence_url": "", "action-evidence_file": (io.BytesIO(PDF), "letter.pdf")}
    assert record(organizer_client, GILLIBRAND, "letter_to_dhs_ice", **evidence).status_code == 302
    files = {f.kind: f.id for f in db.session.scalars(select(CaseFile))}
    assert set(files) == {"release", "evidence"}
    for kind in ("release", "evidence"):
        assert staff_client.get(f"{CASEWORK}/files/{files[kind]}").status_code == 403
        download = organizer_client.get(f"{CASEWORK}/files/{files[kind]}")
        assert download.data == PDF and download.headers["Cache-Control"] == "no-store"
    opened = [
        (e.action, e.filters, e.user_id)
        for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        if e.action == "case.file"
    ]
    assert opened == [
        ("case.file", {"file": files["release"], "kind": "release"}, organizer_client.user.id),
        ("case.file", {"file": files["evidence"], "kind": "evidence"}, organizer_client.user.id),
    ]


def test_the_casework_page_says_who_recorded_each_action(organizer_client, guan_heng):
    assert record(organizer_client).status_code == 302
    page = organizer_client.get(CASEWORK + "/").get_data(as_text=True)
    table = page.split("What offices have done for the case")[1].split("</table>")[0]
    assert "Recorded by" in table and organizer_client.user.email in table


def test_a_file_load_never_silently_brings_back_a_retired_event(organizer_client, guan_heng, runner, db):
    from advocacy.casework.timeline import events_with_ids

    first = events_with_ids(guan_heng)[0]
    assert organizer_client.post(f"{CASEWORK}/timeline/{first['id']}/retire").status_code == 302
    result = runner.invoke(args=["campaigns", "load", "campaigns/guan-heng"])
    assert result.exit_code == 1 and "guan-heng (timeline)" in result.output
    db.session.expire_all()
    assert next(e for e in guan_heng.timeline if e["event"] == first["event"])["retired"] is True
