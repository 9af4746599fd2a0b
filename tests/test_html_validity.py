"""Every public page and every email's HTML passes the Nu Html Checker (vnu, npm `vnu-jar`, on Debian's Java)
with zero errors. One JVM checks every document at once. Outside CI a missing java or vnu.jar skips with the
reason; in CI it fails (scripts/install-java and `npm install` provide them)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from advocacy.letters.models import Action
from advocacy.letters.receipts import compose
from tests.letters_support import GOOD

ROOT = Path(__file__).resolve().parent.parent
FORM = {**GOOD, "consent": "y"}


def vnu_command() -> list[str]:
    jar = Path(os.environ.get("ADVOCACY_VNU_JAR") or ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar")
    java = shutil.which("java")
    missing = None if java else "java not found (scripts/install-java)"
    missing = missing or (None if jar.is_file() else f"{jar} not found (npm install)")
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"the HTML check cannot run in CI: {missing}", pytrace=False)
        pytest.skip(missing)
    return [java, "-Xss1m", "-jar", str(jar), "--errors-only", "--format", "json", "--exit-zero-always"]


def started(client) -> str:
    return re.search(r'name="started" value="([^"]+)"', client.get("/c/sample-campaign").get_data(as_text=True))[1]


def documents(client, db) -> dict[str, str]:
    """Name → HTML of every public page, in every state a person meets, and of the receipt email."""
    pages = {}

    def get(name, path, status=200):
        response = client.get(path)
        assert response.status_code == status, (path, response.status_code)
        pages[name] = response.get_data(as_text=True)

    def post(name, path, data, status=200):
        response = client.post(path, data=data)
        assert response.status_code == status, (path, response.status_code)
        pages[name] = response.get_data(as_text=True)

    with_casework(db)
    get("home", "/")
    get("campaign", "/c/sample-campaign")
    get("campaign-closed-won", "/c/guan-heng")
    get("scoreboard", "/c/sample-campaign/scoreboard")
    get("scoreboard-zip", "/c/sample-campaign/scoreboard?zip=10025&page=2")
    get("lookup", "/lookup")
    get("lookup-zip", "/lookup?zip=12207")
    get("lookup-split", "/lookup?zip=10025")
    post("lookup-bad", "/lookup", {"zip": "1"}, 400)
    get("privacy", "/privacy")
    get("login", "/login")
    get("not-found", "/c/no-such-campaign", 404)
    post("campaign-errors", "/c/sample-campaign/write", {**FORM, "email": "x", "started": started(client)}, 400)
    post("campaign-split", "/c/sample-campaign/write", {**FORM, "zip": "10025", "started": started(client)}, 422)
    post("review", "/c/sample-campaign/write", {**FORM, "message": "My words", "started": started(client)})
    sent = client.post("/c/sample-campaign/send", data={**FORM, "started": started(client)})
    get("thanks", sent.headers["Location"])
    _subject, _text, html = compose(db.session.scalar(select(Action)))
    pages["email-receipt"] = html
    get_with_a_photo(get, db)
    assert 'class="priority-notes"' in pages["review"] and 'id="actions-heading"' in pages["scoreboard"]
    return pages


def with_casework(db) -> None:
    """Priority targets of every kind and an office action on the sample campaign, so the review page shows the
    writer's priority notes and the scoreboard its priority offices and office actions (issue 19)."""
    import datetime as dt

    from advocacy.campaigns.models import Campaign
    from advocacy.casework.actions import ActionInput, record_action
    from advocacy.casework.models import OfficeAction

    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == "sample-campaign"))
    campaign.priority_targets = [
        {"kind": "committee", "id": "SSAS", "reason": "Armed Services & the Judiciary."},
        {"kind": "office", "id": "T000469", "reason": "He asked ICE about the case."},
        {"kind": "caucus", "id": "Uyghur Human Rights Caucus", "members": ["S000148"], "reason": "They follow it."},
        {"kind": "state", "id": "NY", "reason": "He is held in New York."},
    ]
    db.session.commit()
    if db.session.scalar(select(OfficeAction.id)) is None:
        action = ActionInput(
            "G000555", dt.date(2025, 12, 12), "letter_to_dhs_ice", "https://www.gillibrand.senate.gov/"
        )
        record_action(campaign, action, None)


def get_with_a_photo(get, db) -> None:
    """The campaign and home pages once the campaign has an uploaded photo (a figure with its credit)."""
    import io

    from PIL import Image

    from advocacy.campaigns import photos
    from advocacy.campaigns.models import Campaign

    out = io.BytesIO()
    Image.new("RGB", (400, 300), "gray").save(out, "JPEG")
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == "sample-campaign"))
    photos.set_photo(campaign, photos.clean_photo(out.getvalue()), "A grey square", "A credit & thanks", None)
    db.session.commit()
    get("campaign-photo", "/c/sample-campaign")
    get("home-photo", "/")


def test_every_public_page_and_email_passes_the_nu_html_checker(client, db, live_campaign, guan_heng, tmp_path):
    command = vnu_command()
    files = []
    for name, html in documents(client, db).items():
        path = tmp_path / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        files.append(str(path))
    result = subprocess.run([*command, *files], capture_output=True, text=True, timeout=300, check=False)
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    errors = [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m.get('message')} [{m.get('extract', '').strip()[:80]}]"
        for m in messages
        if m.get("type") == "error"
    ]
    assert errors == [], "\n".join(errors)


def errors_in(command: list[str], documents: dict[str, str], folder: Path) -> list[str]:
    files = []
    for name, html in documents.items():
        path = folder / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        files.append(str(path))
    result = subprocess.run([*command, *files], capture_output=True, text=True, timeout=300, check=False)
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    return [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m.get('message')} [{m.get('extract', '').strip()[:80]}]"
        for m in messages
        if m.get("type") == "error"
    ]


def test_translated_pages_and_receipts_pass_the_nu_html_checker(client, db, live_campaign, guan_heng, tmp_path):
    """Issue 21: the same pages in Simplified Chinese and in Uyghur (right to left), and the receipt in each."""
    from advocacy.i18n import in_language

    command = vnu_command()
    pages = {}
    for code in ("zh-Hans", "ug"):
        client.set_cookie("lang", code)
        db.session.execute(Action.__table__.delete())
        db.session.commit()
        translated = documents(client, db)
        with client.application.test_request_context(), in_language(code):
            translated["email-receipt"] = compose(db.session.scalar(select(Action)))[2]
        assert (
            f'<html lang="{code}"' in translated["campaign"] and f'<html lang="{code}"' in translated["email-receipt"]
        )
        pages.update({f"{code}-{name}": html for name, html in translated.items()})
    errors = errors_in(command, pages, tmp_path)
    assert errors == [], "\n".join(errors)


def test_organizer_texts_in_other_languages_pass_the_nu_html_checker(
    client, organizer_client, db, live_campaign, tmp_path
):
    """Issue 21: a published update translated (es) and falling back to English (ug), on the campaign page and in
    its email; the privacy page in Spanish; the partly-English notice; the organizers' translations pages with
    every error shown."""
    from advocacy.db import utcnow
    from advocacy.i18n import in_language
    from advocacy.updates.emails import compose as compose_update
    from advocacy.updates.models import CampaignUpdate

    command = vnu_command()
    update = CampaignUpdate(
        campaign_id=live_campaign.id,
        title="Moved",
        body="He was moved **last night**.",
        ask="Call your senator.",
        translations={"es": {"title": "Trasladado", "body": "Lo trasladaron **anoche**.", "ask": "Llame."}},
        sent_at=utcnow(),
    )
    db.session.add(update)
    db.session.commit()
    pages = {}
    for code in ("es", "ug"):
        pages[f"campaign-update-{code}"] = client.get(f"/c/sample-campaign?lang={code}").get_data(as_text=True)
        with client.application.test_request_context(), in_language(code):
            pages[f"email-update-{code}"] = compose_update(update, live_campaign, "Ana", "k" * 32, test=False).html
    assert "Trasladado" in pages["campaign-update-es"] and 'lang="en" dir="ltr">Moved' in pages["campaign-update-ug"]
    pages["privacy-es"] = client.get("/privacy?lang=es").get_data(as_text=True)
    translations = dict(live_campaign.translations)
    translations["es"] = {key: value for key, value in translations["es"].items() if key != "ask"}
    live_campaign.translations = translations
    db.session.commit()
    pages["campaign-partly-english"] = client.get("/c/sample-campaign?lang=es").get_data(as_text=True)
    assert 'id="partly-english"' in pages["campaign-partly-english"]
    base = f"/organizer/campaigns/{live_campaign.id}"
    bad = {"es.title": "x" * 400, "zh-Hans.letters.0": "y" * 1200, "ug.timeline.0": "z" * 600}
    pages["translations-errors"] = organizer_client.post(f"{base}/translations", data=bad).get_data(as_text=True)
    pages["update-translations-errors"] = organizer_client.post(
        f"{base}/updates/{update.id}/translations", data={"es.title": "t" * 201, "ug.body": "b" * 20_001}
    ).get_data(as_text=True)
    assert pages["translations-errors"].count('class="error"') >= 3
    errors = errors_in(command, pages, tmp_path)
    assert errors == [], "\n".join(errors)


def test_the_organizers_pickers_and_letter_checklist_pass_the_nu_html_checker(organizer_client, guan_heng, tmp_path):
    """The casework page with both picker searches answered and a refused priority form, a campaign's targets
    page searched, and the letter editor with its checklist and a typed preview."""
    command = vnu_command()
    casework = "/organizer/campaigns/guan-heng/casework/"
    edit = f"/organizer/campaigns/{guan_heng.id}/letters/{guan_heng.letters[0].id}"
    letter = guan_heng.letters[0]
    typed = {"name": "Typed", "chamber": "senate", "stance": "spoken", "priority": "0", "subject": "Hi"}
    pages = {
        "casework-searched": organizer_client.get(
            casework, query_string={"office_q": "New York", "committee_q": "Judiciary"}
        ),
        "casework-refused": organizer_client.post(
            casework + "priority", data={"priority-caucus": "A caucus", "priority-reason": "x"}
        ),
        "targets-searched": organizer_client.get(
            f"/organizer/campaigns/{guan_heng.id}/targets", query_string={"office_q": "NY", "committee_q": "Judiciary"}
        ),
        "editor": organizer_client.get(edit),
        "editor-typed": organizer_client.post(edit, data={**typed, "body": letter.body, "preview": "1"}),
        "editor-broken": organizer_client.post(
            edit, data={**typed, "body": "{{ office.salutation }\n", "preview": "1"}
        ),
    }
    assert {name: r.status_code for name, r in pages.items()} == {
        **{name: 200 for name in pages},
        "casework-refused": 400,
    }
    texts = {name: r.get_data(as_text=True) for name, r in pages.items()}
    assert 'name="priority-office"' in texts["casework-searched"] and 'id="variant-checklist"' in texts["editor-typed"]
    assert errors_in(command, texts, tmp_path) == []
