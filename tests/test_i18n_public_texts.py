"""What was still English on translated pages (issue 21): the privacy page, organizers' own public words (updates,
the outcome message, the case timeline), state and party names, and the notice that a campaign is only partly
translated. Each is checked on the page, in what was stored and audited, and in the emails in the SMTP sink."""

from __future__ import annotations

import copy
import datetime as dt
import re

import pytest
from sqlalchemy import select

from advocacy.campaigns.models import Campaign
from advocacy.delivery.models import Delivery
from advocacy.reports.models import AuditEvent
from advocacy.updates.models import CampaignUpdate
from tests.delivery_support import OUTCOME_FORM, run_batch, site_mail_config
from tests.factories import SENATOR, make_action, make_letter

PARTLY = {
    "zh-Hans": "此行动的部分内容尚未翻译成这种语言",
    "es": "Algunas partes de esta campaña todavía no están traducidas",
}
OUTCOME_ES = "Salió en libertad el 3 de febrero. Gracias por escribir."
EVENT_ES = "(Evento de muestra) Se crea la campaña de muestra."


@pytest.fixture
def app_config(smtp_server):
    return {**site_mail_config(smtp_server), "DELIVERY_INLINE": False}


def _stored(db, campaign_id: int) -> dict:
    db.session.expire_all()
    return copy.deepcopy(db.session.get(Campaign, campaign_id).translations)


def _form(campaign, codes=("zh-Hans", "es")) -> dict:
    """The translations page's form as it would be sent back with the campaign's own complete translations."""
    form = {}
    for code in codes:
        entry = campaign.translations[code]
        for name in ("title", "story", "ask", "share_text"):
            form[f"{code}.{name}"] = entry[name]
        for index, letter in enumerate(campaign.letters):
            form[f"{code}.letters.{index}"] = entry["letters"][letter.name]
    return form


def _audits(db, action: str) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


# The privacy page ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "heading", "keep"),
    [
        ("zh-Hans", "隐私", "我们保存什么"),
        ("zh-Hant", "隱私", "我們儲存什麼"),
        ("es", "Privacidad", "Qué guardamos"),
        ("ug", "شەخسىيەت", "نېمىنى ساقلايمىز"),
    ],
)
def test_the_privacy_page_is_translated_and_links_to_the_english_that_counts(client, code, heading, keep):
    body = client.get(f"/privacy?lang={code}").get_data(as_text=True)
    assert f"<h1>{heading}</h1>" in body and f"<h2>{keep}</h2>" in body
    assert "What we keep" not in body
    note = re.search(r'<p class="flash" role="note" id="privacy-authoritative">(.*?)</p>', body, re.S).group(1)
    assert 'href="/privacy?lang=en"' in note and 'lang="en"' in note


def test_the_english_privacy_page_needs_no_such_note(client):
    body = client.get("/privacy?lang=en").get_data(as_text=True)
    assert "<h2>What we keep</h2>" in body and "privacy-authoritative" not in body


# State and party names -------------------------------------------------------------------------------------------


def test_state_names_read_in_the_page_language_and_the_stored_action_keeps_the_code(client, db, live_campaign):
    spanish = client.get("/c/sample-campaign?lang=es").get_data(as_text=True)
    assert '<option value="NY">Nueva York</option>' in spanish
    assert '<option value="NC">Carolina del Norte</option>' in spanish
    chinese = client.get("/c/sample-campaign?lang=zh-Hans").get_data(as_text=True)
    assert '<option value="NY">纽约州</option>' in chinese
    english = client.get("/c/sample-campaign?lang=en").get_data(as_text=True)
    assert '<option value="NY">New York</option>' in english


def test_the_scoreboard_and_lookup_name_parties_and_states_in_the_page_language(client, live_campaign):
    board = client.get("/c/sample-campaign/scoreboard?lang=es").get_data(as_text=True)
    assert "Demócrata" in board and "Nueva York" in board
    assert ">Democrat<" not in board
    chinese = client.get("/c/sample-campaign/scoreboard?lang=zh-Hans").get_data(as_text=True)
    assert "民主党" in chinese and "纽约州" in chinese
    lookup = client.get("/lookup?zip=12207&lang=ug").get_data(as_text=True)
    assert "دېموكرات" in lookup
    # The API keeps the roster's English: data, not words for a reader.
    api = client.get("/api/v1/representatives?zip=12207", headers={"Accept-Language": "es"}).get_json()
    assert {office["party"] for office in api["offices"]} <= {"Democrat", "Republican", "Independent"}


def test_member_titles_read_in_the_page_language_and_letters_and_the_api_keep_the_english(client, db, live_campaign):
    lookup = client.get("/lookup?zip=12207&lang=es").get_data(as_text=True)
    assert "Senador(a) " in lookup and "Representante " in lookup
    assert re.search(r">Senator [A-Z]", lookup) is None
    board = client.get("/c/sample-campaign/scoreboard?lang=zh-Hans").get_data(as_text=True)
    assert "参议员 " in board and "众议员 " in board
    english = client.get("/lookup?zip=12207&lang=en").get_data(as_text=True)
    assert "Senator " in english and "Senador" not in english
    # What offices read, and what programs read, stays in the roster's English.
    api = client.get("/api/v1/representatives?zip=12207", headers={"Accept-Language": "es"}).get_json()
    assert {office["title"] for office in api["offices"]} == {"Senator", "Representative"}
    sent = client.post(
        "/api/v1/campaigns/sample-campaign/actions",
        json={"first_name": "Ana", "last_name": "Pérez", "email": "titles@example.org", "address": "1 Main St",
              "city": "Albany", "state": "NY", "zip": "12207", "consent": True},
        headers={"Accept-Language": "es"},
    )  # fmt: skip
    assert sent.status_code == 201, sent.json
    assert all(letter["office"]["title"] in ("Senator", "Representative") for letter in sent.json["letters"])
    assert all(not letter["body"].startswith("Dear Senador") for letter in sent.json["letters"])


# The outcome message and the timeline ---------------------------------------------------------------------------


def test_outcome_and_timeline_translations_are_stored_audited_shown_and_emailed_in_the_writers_language(
    organizer_client, client, db, smtp_server, live_campaign
):
    campaign = live_campaign
    for first, email, language in (("Ana", "ana@example.org", "es"), ("Bo", "bo@example.org", "zh-Hans")):
        make_letter(make_action(campaign, first, "Lopez", email, language=language), SENATOR)
    assert organizer_client.post(f"/organizer/campaigns/{campaign.id}/outcome", data=OUTCOME_FORM).status_code == 302

    page = organizer_client.get(f"/organizer/campaigns/{campaign.id}/translations").get_data(as_text=True)
    assert 'id="t-es-outcome_message"' in page and 'id="t-es-timeline-0"' in page
    form = {**_form(campaign), "es.outcome_message": OUTCOME_ES, "es.timeline.0": EVENT_ES}
    response = organizer_client.post(f"/organizer/campaigns/{campaign.id}/translations", data=form)
    assert response.status_code == 302
    stored = _stored(db, campaign.id)
    event = campaign.timeline[0]["event"]
    assert stored["es"]["outcome_message"] == OUTCOME_ES
    assert stored["es"]["timeline"] == {event: EVENT_ES}
    assert "outcome_message" not in stored["zh-Hans"] and "timeline" not in stored["zh-Hans"]
    assert _audits(db, "campaign.translations")[-1].filters["languages"] == ["es", "zh-Hans"]

    spanish = client.get("/c/sample-campaign?lang=es").get_data(as_text=True)
    assert f"<p>{OUTCOME_ES}</p>" in spanish and f"<span>{EVENT_ES}</span>" in spanish
    assert PARTLY["es"] not in spanish
    chinese = client.get("/c/sample-campaign?lang=zh-Hans").get_data(as_text=True)
    assert f'<p lang="en" dir="ltr">{OUTCOME_FORM["outcome_message"]}</p>' in chinese
    assert f'<span lang="en" dir="ltr">{event}</span>' in chinese
    assert PARTLY["zh-Hans"] in chinese  # said in the reader's language
    home = client.get("/?lang=es").get_data(as_text=True)
    assert OUTCOME_ES in home

    run_batch("test-worker")
    mail = {message["To"]: message for message in smtp_server.messages}
    assert OUTCOME_ES in mail["ana@example.org"].get_content()
    chinese_mail = mail["bo@example.org"].get_content()
    assert OUTCOME_FORM["outcome_message"] in chinese_mail and OUTCOME_ES not in chinese_mail


def test_a_typed_lang_for_an_incomplete_translation_says_parts_are_in_english(client, db, live_campaign):
    translations = copy.deepcopy(live_campaign.translations)
    del translations["es"]["ask"]
    live_campaign.translations = translations
    db.session.commit()
    body = client.get("/c/sample-campaign?lang=es").get_data(as_text=True)
    assert PARTLY["es"] in body
    assert "?lang=es" not in body.split('class="language-switcher"')[1][:1500]  # still not offered
    complete = client.get("/c/sample-campaign?lang=zh-Hans").get_data(as_text=True)
    assert PARTLY["zh-Hans"] not in complete and "partly-english" not in complete
    assert "partly-english" not in client.get("/c/sample-campaign?lang=en").get_data(as_text=True)


def test_the_translations_page_lists_every_problem_at_once_each_linked_to_its_field(
    organizer_client, db, live_campaign
):
    campaign = live_campaign
    before = _stored(db, campaign.id)
    form = {
        **_form(campaign),
        "es.title": "x" * 400,
        "zh-Hans.letters.0": "y" * 1200,
        "ug.timeline.0": "z" * 600,
        "es.timeline.0": "bien",
    }
    response = organizer_client.post(f"/organizer/campaigns/{campaign.id}/translations", data=form)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    summary = re.search(r'<section class="flash flash-error error-summary".*?</section>', body, re.S).group(0)
    links = re.findall(r'<a href="#([^"]+)">', summary)
    assert sorted(links) == ["t-es-title", "t-ug-timeline-0", "t-zh-Hans-letter-0"]
    for field_id in links:
        assert f'id="{field_id}"' in body and f'aria-describedby="{field_id}-error"' in body
    assert "There are 3 problems" in summary
    assert 'value="bien"' in body or ">bien</textarea>" in body  # what was typed is kept
    assert _stored(db, campaign.id) == before
    assert _audits(db, "campaign.translations") == []


# Updates ---------------------------------------------------------------------------------------------------------


UPDATE = {
    "title": "Moved to Batavia",
    "body": "He was moved **last night**.",
    "ask": "Call your senator.",
    "states": "",
}
UPDATE_ES = {
    "es.title": "Trasladado a Batavia",
    "es.body": "Lo trasladaron **anoche**.",
    "es.ask": "Llame a su senador.",
}


def test_an_update_is_translated_audited_shown_and_emailed_in_each_writers_language(
    organizer_client, client, db, smtp_server, live_campaign
):
    campaign = live_campaign
    for first, email, language in (("Ana", "ana@example.org", "es"), ("Bo", "bo@example.org", "ug")):
        make_letter(make_action(campaign, first, "Lopez", email, language=language), SENATOR)
    made = organizer_client.post(f"/organizer/campaigns/{campaign.id}/updates", data={**UPDATE, "intent": "save"})
    base = made.headers["Location"]
    update_id = int(base.rsplit("/", 1)[1])
    assert 'id="update-translations"' in organizer_client.get(base).get_data(as_text=True)

    saved = organizer_client.post(f"{base}/translations", data=UPDATE_ES)
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(CampaignUpdate, update_id).translations == {
        "es": {"title": "Trasladado a Batavia", "body": "Lo trasladaron **anoche**.", "ask": "Llame a su senador."}
    }
    [audit] = _audits(db, "update.translations")
    assert audit.filters == {"update": update_id, "languages": ["es"]} and audit.campaign == "sample-campaign"

    organizer_client.post(f"{base}/test")
    organizer_client.post(f"{base}/send")
    assert db.session.scalars(select(Delivery).where(Delivery.kind == "update")).all()
    run_batch("test-worker")
    run_batch("test-worker", now=dt.datetime.now(dt.UTC) + dt.timedelta(days=2))
    mail = {message["To"]: message for message in smtp_server.messages}
    spanish = mail["ana@example.org"]
    assert spanish["Subject"] == "Sample Q. Person: Trasladado a Batavia"
    assert "Lo trasladaron **anoche**." in spanish.get_body(("plain",)).get_content()
    spanish_html = spanish.get_body(("html",)).get_content()
    assert "<strong>anoche</strong>" in spanish_html and 'lang="en"' not in spanish_html.split("<body>")[1]
    uyghur = mail["bo@example.org"]
    assert uyghur["Subject"] == "Sample Q. Person: Moved to Batavia"
    uyghur_html = uyghur.get_body(("html",)).get_content()
    assert '<span lang="en" dir="ltr">Moved to Batavia</span>' in uyghur_html
    assert '<div lang="en" dir="ltr"><p>He was moved <strong>last night</strong>.</p>' in uyghur_html

    page = client.get("/c/sample-campaign?lang=es").get_data(as_text=True)
    assert "<span>Trasladado a Batavia</span>" in page and "<strong>anoche</strong>" in page
    fallback = client.get("/c/sample-campaign?lang=ug").get_data(as_text=True)
    assert '<span lang="en" dir="ltr">Moved to Batavia</span>' in fallback


def test_bad_update_translations_are_all_shown_at_once_and_change_nothing(organizer_client, db, live_campaign):
    campaign = live_campaign
    no_ask = {**UPDATE, "ask": "", "intent": "save"}
    base = organizer_client.post(f"/organizer/campaigns/{campaign.id}/updates", data=no_ask).headers["Location"]
    update_id = int(base.rsplit("/", 1)[1])
    response = organizer_client.post(
        f"{base}/translations", data={"es.title": "t" * 201, "ug.ask": "سوراق", "zh-Hans.body": "正文", "fr.title": "x"}
    )
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    summary = re.search(r'<section class="flash flash-error error-summary".*?</section>', body, re.S).group(0)
    assert re.findall(r'<a href="#([^"]+)">', summary) == ["u-es-title"]
    assert "ug.ask: the English update has no ask to translate." in summary
    assert "fr.title: not a field of this form." in summary
    assert "There are 3 problems" in summary and ">正文</textarea>" in body
    db.session.expire_all()
    assert db.session.get(CampaignUpdate, update_id).translations == {}
    assert _audits(db, "update.translations") == []
