"""Languages (issue 21): how a page chooses its language, the switcher, the writer's language stored with their
action and used by their receipt, letters that stay English, translated API errors with fixed codes, and the
campaign file's translations."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
from flask import Response
from sqlalchemy import select

from advocacy.campaigns.files import CampaignFileError, read_campaign_file
from advocacy.delivery.models import Delivery
from advocacy.delivery.worker import Worker
from advocacy.i18n import language_code, remember_choice
from advocacy.letters.models import Action, Letter
from tests.letters_support import GOOD, SAMPLE

FORM = {**GOOD, "consent": "y"}


@pytest.fixture
def app_config(smtp_server):
    return {"ENVIRON": smtp_server.environ(), "DELIVERY_INLINE": False}


def html_attributes(body: str) -> tuple[str, str]:
    match = re.search(r'<html lang="([^"]+)" dir="([^"]+)">', body)
    return match.group(1), match.group(2)


@pytest.mark.parametrize(
    "tag, code",
    [
        ("zh-CN", "zh-Hans"),
        ("zh", "zh-Hans"),
        ("zh-Hans-CN", "zh-Hans"),
        ("zh-TW", "zh-Hant"),
        ("zh-HK", "zh-Hant"),
        ("zh-Hant", "zh-Hant"),
        ("es-MX", "es"),
        ("ug-CN", "ug"),
        ("ug_Arab", "ug"),
        ("en-GB", "en"),
        ("fr-FR", None),
        ("", None),
    ],
)
def test_language_tags_map_to_our_codes(tag, code):
    assert language_code(tag) == code


def test_a_first_visit_follows_accept_language_and_the_page_says_its_language_and_direction(client, live_campaign):
    body = client.get("/c/sample-campaign", headers={"Accept-Language": "fr;q=1, ug-CN;q=0.8, en;q=0.5"}).get_data(
        as_text=True
    )
    assert html_attributes(body) == ("ug", "rtl")
    assert "كونگرېس ئەزالىرىڭىزغا خەت يېزىڭ" in body  # "Write to your members of Congress"
    assert "ئۈلگە ھەرىكەت: Sample Q. Person نى قويۇپ بېرىڭ" in body  # the campaign's own title, translated
    body = client.get("/c/sample-campaign", headers={"Accept-Language": "zh-TW"}).get_data(as_text=True)
    assert html_attributes(body) == ("zh-Hant", "ltr") and "寫信給您的國會議員" in body


def test_the_switcher_link_keeps_the_page_and_its_choice_is_remembered_in_a_cookie_not_a_session(client, live_campaign):
    response = client.get("/c/sample-campaign?lang=zh-Hans", headers={"Accept-Language": "es"})
    assert html_attributes(response.get_data(as_text=True))[0] == "zh-Hans"
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("lang=zh-Hans;") and "HttpOnly" in c and "SameSite=Lax" in c for c in cookies)
    assert not any(c.startswith("session=") for c in cookies)
    assert {"Accept-Language", "Cookie"} <= set(response.vary)
    # The next page, without the query, speaks the remembered language over the browser's
    body = client.get("/c/sample-campaign", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert html_attributes(body)[0] == "zh-Hans"
    # Every language is offered, each link to the same page, with hreflang alternates for search engines
    for code in ("en", "zh-Hans", "zh-Hant", "es", "ug"):
        assert f'href="/c/sample-campaign?lang={code}"' in body
        assert re.search(rf'<link rel="alternate" hreflang="{code}" href="[^"]*/c/sample-campaign\?lang={code}">', body)


def test_an_unknown_language_falls_back_to_english_and_sets_no_cookie(client, live_campaign):
    response = client.get("/c/sample-campaign?lang=xx", headers={"Accept-Language": "de"})
    assert html_attributes(response.get_data(as_text=True)) == ("en", "ltr")
    assert not any(c.startswith("lang=") for c in response.headers.getlist("Set-Cookie"))


def test_staff_pages_stay_english_whatever_the_cookie(organizer_client, live_campaign):
    organizer_client.set_cookie("lang", "ug")
    body = organizer_client.get("/organizer/campaigns", headers={"Accept-Language": "ug"}).get_data(as_text=True)
    assert html_attributes(body) == ("en", "ltr")
    assert 'class="language-switcher"' not in body


def test_a_language_without_the_campaigns_translation_is_not_offered_on_its_pages(client, db, live_campaign):
    translations = copy.deepcopy(live_campaign.translations)
    del translations["es"]["letters"]["Thank offices that have spoken"]
    live_campaign.translations = translations
    db.session.commit()
    body = client.get("/c/sample-campaign").get_data(as_text=True)
    assert "?lang=zh-Hans" in body and "?lang=es" not in body


def test_errors_on_the_form_are_in_the_writers_language_and_nothing_is_stored(client, db, live_campaign):
    client.set_cookie("lang", "es")
    page = client.get("/c/sample-campaign").get_data(as_text=True)
    stamp = re.search(r'name="started" value="([^"]+)"', page).group(1)
    response = client.post("/c/sample-campaign/write", data={**FORM, "zip": "1", "city": "", "started": stamp})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Escriba un código postal de 5 dígitos (o ZIP+4)." in body
    assert "Ciudad es obligatorio." in body
    assert "Hay 2 problemas" in body
    assert db.session.scalar(select(Action)) is None


def _send_in(client, code: str) -> None:
    client.set_cookie("lang", code)
    page = client.get("/c/sample-campaign").get_data(as_text=True)
    stamp = re.search(r'name="started" value="([^"]+)"', page).group(1)
    review = client.post("/c/sample-campaign/write", data={**FORM, "started": stamp}).get_data(as_text=True)
    assert 'lang="en" dir="ltr"' in review  # the English letter, marked as English inside the page
    response = client.post("/c/sample-campaign/send", data={**FORM, "started": stamp})
    assert response.status_code == 303


def test_the_review_page_shows_the_english_letter_beside_its_gloss_and_says_offices_read_english(client, live_campaign):
    client.set_cookie("lang", "zh-Hans")
    page = client.get("/c/sample-campaign").get_data(as_text=True)
    stamp = re.search(r'name="started" value="([^"]+)"', page).group(1)
    body = client.post("/c/sample-campaign/write", data={**FORM, "started": stamp}).get_data(as_text=True)
    assert "国会办公室阅读英文" in body and "您自己写的话会按您输入的原样寄出" in body
    assert "这封信请您的参议员公开为 Sample Q. Person 发声" in body  # the gloss
    assert "(Sample) Please speak up for Sample Q. Person" in body  # the English letter the office gets
    # The switcher on a page answering a POST leads back to the campaign page: nothing typed goes in a URL
    assert (
        'href="/c/sample-campaign?lang=ug"' in body and "Albany" not in body.split('class="language-switcher"')[1][:800]
    )


def test_a_letter_written_in_uyghur_is_stored_with_its_language_and_the_receipt_speaks_it(
    client, db, live_campaign, smtp_server
):
    _send_in(client, "ug")
    action = db.session.scalar(select(Action))
    assert action.language == "ug"
    letters = list(db.session.scalars(select(Letter)))
    assert letters and all(letter.body.isascii() or "Pérez" in letter.body for letter in letters)
    assert all("Dear" in letter.body for letter in letters)  # offices receive English
    Worker(burst=True).run()
    receipts = [m for m in smtp_server.messages if m["To"] == "ana@example.org"]
    [receipt] = receipts
    assert receipt["Subject"] == "«ئۈلگە ھەرىكەت: Sample Q. Person نى قويۇپ بېرىڭ» ئۈچۈن يازغان خەتلىرىڭىز"
    text = receipt.get_body(("plain",)).get_content()
    html = receipt.get_body(("html",)).get_content()
    assert text.startswith("ھۆرمەتلىك Ana،")
    assert "كونگرېس ئىشخانىلىرى ئىنگلىزچە ئوقۇيدۇ" in text
    assert '<html lang="ug" dir="rtl">' in html
    kinds = sorted(d.kind for d in db.session.scalars(select(Delivery)))
    assert kinds.count("receipt") == 1


def test_a_letter_written_in_english_keeps_an_english_receipt(client, db, live_campaign, smtp_server):
    _send_in(client, "en")
    assert db.session.scalar(select(Action)).language == "en"
    Worker(burst=True).run()
    [receipt] = [m for m in smtp_server.messages if m["To"] == "ana@example.org"]
    assert receipt["Subject"] == "Your letters for Sample campaign: Free Sample Q. Person"


def test_api_error_messages_follow_accept_language_and_their_codes_do_not(client, db, live_campaign):
    url = "/api/v1/campaigns/sample-campaign/actions"
    english = client.post(url, json={**GOOD, "zip": "1"}).get_json()["error"]
    spanish = client.post(url, json={**GOOD, "zip": "1"}, headers={"Accept-Language": "es"}).get_json()["error"]
    assert english["code"] == spanish["code"] == "invalid_input"
    assert english["message"] == "Some fields need attention."
    assert spanish["message"] == "Algunos campos necesitan atención."
    assert spanish["fields"]["zip"] == "Escriba un código postal de 5 dígitos (o ZIP+4)."
    missing = client.post("/api/v1/campaigns/nope/actions", json=GOOD, headers={"Accept-Language": "zh-CN"})
    assert missing.get_json()["error"] == {"code": "not_found", "message": "没有这个行动。", "fields": {}}
    assert db.session.scalar(select(Action)) is None


def test_a_submission_through_the_api_stores_the_language_it_was_asked_in(client, db, live_campaign):
    url = "/api/v1/campaigns/sample-campaign/actions"
    assert client.post(url, json=GOOD, headers={"Accept-Language": "zh-TW"}).status_code == 201
    assert db.session.scalar(select(Action)).language == "zh-Hant"


def _campaign_file(tmp_path: Path, extra: str) -> Path:
    folder = tmp_path / "sample-campaign"
    folder.mkdir(parents=True)
    for source in SAMPLE.iterdir():
        (folder / source.name).write_bytes(source.read_bytes())
    text = (folder / "campaign.yaml").read_text()
    text = text[: text.index("translations:")] + extra
    (folder / "campaign.yaml").write_text(text)
    return folder / "campaign.yaml"


@pytest.mark.parametrize(
    "extra, field, problem",
    [
        ("translations:\n  fr:\n    title: Libérez\n", "translations.fr", "unknown field"),
        ("translations:\n  es:\n    titel: x\n", "translations.es.titel", "unknown field"),
        (
            "translations:\n  es:\n    letters:\n      No such letter: x\n",
            "translations.es.letters.No such letter",
            "unknown",
        ),
        ("translations:\n  es:\n    title: [a]\n", "translations.es.title", "must be text"),
        ("translations:\n  es: hola\n", "translations.es", "must be a mapping"),
        ("translations:\n  es:\n    timeline: [uno, dos]\n", "translations.es.timeline", "the timeline has 1 events"),
        ("translations:\n  es:\n    timeline: hola\n", "translations.es.timeline", "must be a list"),
        ("translations:\n  es:\n    timeline: [[a]]\n", "translations.es.timeline[0]", "must be text"),
    ],
)
def test_campaign_file_translations_are_validated(tmp_path, extra, field, problem):
    with pytest.raises(CampaignFileError) as caught:
        read_campaign_file(_campaign_file(tmp_path, extra))
    assert caught.value.field == field and problem in str(caught.value)


def test_a_files_timeline_translation_is_kept_by_each_events_english_words(tmp_path):
    spec = read_campaign_file(_campaign_file(tmp_path, "translations:\n  es:\n    timeline: [Se crea.]\n"))
    assert spec.translations["es"]["timeline"] == {spec.timeline[0]["event"]: "Se crea."}
    empty = read_campaign_file(_campaign_file(tmp_path / "b", "translations:\n  es:\n    timeline: ['']\n"))
    assert "timeline" not in empty.translations.get("es", {})


def test_both_shipped_campaigns_carry_every_language():
    from advocacy.i18n import CODES, translated_languages

    for folder in ("sample-campaign", "guan-heng"):
        spec = read_campaign_file(SAMPLE.parent / folder / "campaign.yaml")
        campaign = type(
            "Spec",
            (),
            {
                "title": spec.title,
                "story_html": spec.story_markdown,
                "ask": spec.ask,
                "share_text": spec.share_text,
                "letters": spec.letters,
                "translations": spec.translations,
            },
        )
        assert translated_languages(campaign) == CODES, folder
        # The outcome message and every timeline event too, so no page of theirs falls back to English.
        for code, entry in spec.translations.items():
            assert set(entry.get("timeline", {})) == {event["event"] for event in spec.timeline}, (folder, code)
            assert bool(entry.get("outcome_message")) == bool(spec.outcome_message), (folder, code)


def test_the_scoreboard_is_translated_and_its_cached_page_is_kept_per_language(client, live_campaign):
    english = client.get("/c/sample-campaign/scoreboard").get_data(as_text=True)
    uyghur = client.get("/c/sample-campaign/scoreboard", headers={"Accept-Language": "ug"}).get_data(as_text=True)
    again = client.get("/c/sample-campaign/scoreboard").get_data(as_text=True)
    assert html_attributes(english) == html_attributes(again) == ("en", "ltr")
    assert "Which offices have spoken for Sample Q. Person" in english and english == again
    assert html_attributes(uyghur) == ("ug", "rtl")
    assert "قايسى ئىشخانىلار Sample Q. Person ئۈچۈن ئاۋاز چىقاردى" in uyghur
    assert "ئاۋاز چىقارغان ئىشخانىلار، شتات بويىچە" in uyghur  # the state map's title
    # The table's filters: every "Any" in the page's language, none left in English.
    assert english.count('<option value="">Any</option>') == 4
    assert uyghur.count('<option value="">ھەممىسى</option>') == 4 and ">Any<" not in uyghur


def test_public_answers_vary_by_language_and_cookie_whatever_vary_they_had(app):
    """remember_choice writes the header at once when there is none, and adds to one a view set: the same
    header either way as two `vary.add` calls make."""
    with app.test_request_context("/api/v1/campaigns"):
        fresh = remember_choice(Response("{}"))
        assert fresh.headers.getlist("Vary") == ["Accept-Language, Cookie"]
        own = Response("{}", headers={"Vary": "Origin"})
        assert remember_choice(own).headers.getlist("Vary") == ["Origin, Accept-Language, Cookie"]
        again = Response("{}", headers={"Vary": "Cookie"})
        assert remember_choice(again).headers.getlist("Vary") == ["Cookie, Accept-Language"]
