"""Later emails speak the writer's language (issue 21): the follow-up when an office speaks up, the outcome email
and an organizer's update are rendered at send time, by the delivery worker, in the language stored with the
action. Writers in English get English."""

from __future__ import annotations

import datetime as dt

import pytest

from advocacy.statements.services import StatementInput, record_statement
from tests.delivery_support import OUTCOME_FORM, run_batch, site_mail_config
from tests.factories import SENATOR, make_action, make_campaign, make_letter

pytestmark = pytest.mark.usefixtures("congress_data")
OUTCOME = OUTCOME_FORM


@pytest.fixture
def app_config(smtp_server):
    return site_mail_config(smtp_server)


@pytest.fixture
def campaign(app):
    campaign = make_campaign(slug="free-ana", title="Free Ana", detainee_name="Ana Example", keywords=["Ana Example"])
    for first, email, language in (("Ana", "ana@example.org", "es"), ("Bo", "bo@example.org", "ug")):
        make_letter(make_action(campaign, first, "Lopez", email, language=language), SENATOR)
    make_letter(make_action(campaign, "Cy", "Ortiz", "cy@example.org"), SENATOR)
    return campaign


def sent_to(smtp_server) -> dict:
    run_batch("test-worker")
    return {message["To"]: message for message in smtp_server.messages}


def test_the_follow_up_is_in_the_language_each_writer_used(db, smtp_server, campaign):
    statement = StatementInput(
        SENATOR["bioguide_id"], dt.date(2025, 8, 12), "press_release", "supports", "https://example.org/s", "Free her."
    )
    record_statement(campaign.id, statement, None)
    mail = sent_to(smtp_server)
    spanish = mail["ana@example.org"]
    assert spanish["Subject"] == "Senator Gillibrand habló en favor de Ana Example"
    body = spanish.get_content()
    assert body.startswith("Hola, Ana:")
    assert "El 12 de agosto de 2025, la oficina se pronunció (comunicado de prensa)." in body
    uyghur = mail["bo@example.org"]
    assert uyghur["Subject"] == "Senator Gillibrand Ana Example ئۈچۈن ئاۋاز چىقاردى"
    assert uyghur.get_content().startswith("ياخشىمۇسىز Bo،")
    assert mail["cy@example.org"]["Subject"] == "Senator Gillibrand has spoken up for Ana Example"


def test_the_outcome_email_is_in_the_language_each_writer_used(organizer_client, db, smtp_server, campaign):
    assert organizer_client.post(f"/organizer/campaigns/{campaign.id}/outcome", data=OUTCOME).status_code == 302
    mail = sent_to(smtp_server)
    spanish = mail["ana@example.org"]
    assert spanish["Subject"] == "Buenas noticias: Ana Example: liberado/a"
    body = spanish.get_content()
    assert "Liberado/a (3 de febrero de 2026)." in body
    assert "He was released on 3 February." in body  # the organizer's own words, as written
    assert mail["bo@example.org"]["Subject"] == "خۇش خەۋەر: Ana Example: قويۇپ بېرىلدى"
    assert mail["cy@example.org"]["Subject"] == "Good news: Ana Example: released"
