"""The outcome email: when an organizer closes a campaign with its outcome, each writer who asked to be kept
informed gets one email (a real SMTP server), once, whatever happens afterwards."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import select

from advocacy.campaigns.models import Campaign
from advocacy.delivery.models import Delivery
from tests.delivery_support import OUTCOME_FORM, run_batch, site_mail_config
from tests.factories import REPRESENTATIVE, SENATOR, make_action, make_campaign, make_letter

OUTCOME = OUTCOME_FORM


@pytest.fixture
def app_config(smtp_server):
    return site_mail_config(smtp_server)


@pytest.fixture
def campaign(app):
    """Ana and Cy asked to be kept informed (Cy wrote twice); Bo did not; Dee did but was purged since; Eve
    only sent a thank-you letter after the outcome."""
    campaign = make_campaign(slug="free-ana", title="Free Ana", detainee_name="Ana Example")
    ana = make_action(campaign, "Ana", "Lopez", "ana@example.org")
    bo = make_action(campaign, "Bo", "Chen", "bo@example.org", consent=False)
    cy = make_action(campaign, "Cy", "Ortiz", "cy@example.org")
    cy_again = make_action(campaign, "Cy", "Ortiz", "cy@example.org")
    dee = make_action(campaign, "Dee", "Park", "dee@example.org", purged_at=dt.datetime(2025, 9, 1, tzinfo=dt.UTC))
    eve = make_action(campaign, "Eve", "Ng", "eve@example.org")
    for action in (ana, bo, cy, dee):
        make_letter(action, SENATOR)
    make_letter(cy_again, REPRESENTATIVE)
    make_letter(eve, REPRESENTATIVE, purpose="thanks")
    return campaign


def queued(db) -> list[Delivery]:
    db.session.expire_all()
    return list(db.session.scalars(select(Delivery).where(Delivery.kind == "outcome").order_by(Delivery.created_at)))


def send_pending() -> Counter:
    """What the delivery worker does with the outcome emails that are due: their outcomes."""
    return Counter(result.outcome for result in run_batch("test-worker"))


def close(client, campaign, **changes):
    return client.post(f"/organizer/campaigns/{campaign.id}/outcome", data={**OUTCOME, **changes})


def test_closing_with_an_outcome_emails_each_consenting_writer_once(
    organizer_client, runner, db, smtp_server, campaign
):
    response = close(organizer_client, campaign)
    assert response.status_code == 302
    stored = db.session.get(Campaign, campaign.id)
    assert (stored.status, stored.outcome, stored.outcome_date) == ("closed", "released", dt.date(2026, 2, 3))
    assert stored.accepts_thanks
    assert len(queued(db)) == 2  # queued with the outcome in the outbox, nothing sent yet
    assert smtp_server.messages == []
    result = runner.invoke(args=["campaigns", "outcome-emails"])
    assert result.exit_code == 0 and result.output.strip() == "outcome emails: 2 waiting for the delivery workers"

    assert send_pending() == {"sent": 2}
    assert [d.status for d in queued(db)] == ["sent", "sent"]
    assert sorted(to for _, [to] in smtp_server.recorder.envelopes) == ["ana@example.org", "cy@example.org"]
    message = smtp_server.messages[0]
    assert message["Subject"] == "Good news: Ana Example: released"
    body = message.get_content()
    assert "Released (February 3, 2026)." in body and "He was released on 3 February." in body
    assert "https://act.example.org/c/free-ana" in body and "thank the offices that acted" in body

    # Correcting the outcome, or sending again, writes to nobody a second time.
    assert close(organizer_client, campaign, outcome_message="Released on 3 February 2026.").status_code == 302
    assert db.session.get(Campaign, campaign.id).outcome_message == "Released on 3 February 2026."
    assert send_pending() == {}
    assert len(queued(db)) == 2 and len(smtp_server.messages) == 2


def test_a_bad_outcome_changes_nothing_and_says_why(organizer_client, db, smtp_server, campaign):
    response = close(organizer_client, campaign, outcome="deported")  # a lost campaign thanks nobody
    assert response.status_code == 302
    page = organizer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "only a won campaign (released or relief_granted) can keep the thank-you action open" in page
    missing = close(organizer_client, campaign, outcome_message="", outcome_date="soon")
    assert missing.status_code == 400
    html = missing.get_data(as_text=True)
    assert "Enter a short public message." in html and "Enter the date, e.g. 2026-02-03." in html
    stored = db.session.get(Campaign, campaign.id)
    assert (stored.status, stored.outcome) == ("live", None)
    assert queued(db) == []


def test_a_closed_campaign_cannot_be_reopened_once_it_has_an_outcome(organizer_client, db, campaign):
    close(organizer_client, campaign)
    response = organizer_client.post(f"/organizer/campaigns/{campaign.id}/publish", follow_redirects=True)
    assert "it stays closed as the public record" in response.get_data(as_text=True)
    assert db.session.get(Campaign, campaign.id).status == "closed"


def test_a_writer_purged_after_queuing_is_skipped(organizer_client, db, smtp_server, campaign):
    close(organizer_client, campaign)
    ana = queued(db)[0]
    from advocacy.letters.models import Action

    db.session.get(Action, ana.action_id).purged_at = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    db.session.commit()
    assert send_pending() == {"sent": 1, "skipped": 1}
    assert len(smtp_server.messages) == 1


def test_no_mail_settings_no_outcome_emails(app, db, runner):
    from advocacy.letters.outcome_emails import queue_outcome_emails

    app.config["ADVOCACY_SETTINGS"] = app.config["ADVOCACY_SETTINGS"].__class__(env="testing")
    campaign = make_campaign(slug="free-bo")
    make_letter(make_action(campaign), SENATOR)
    assert queue_outcome_emails(campaign.id) == 0
    result = runner.invoke(args=["campaigns", "outcome-emails"])
    assert result.exit_code != 0 and "mail is not configured" in result.output


def test_a_campaign_file_that_brings_the_outcome_emails_each_consenting_writer_once(runner, db, smtp_server, tmp_path):
    """The way Guan Heng's campaign closed: its file, loaded with `campaigns load`, gains the outcome."""
    import shutil

    from tests.letters_support import SAMPLE

    folder = shutil.copytree(SAMPLE, tmp_path / "sample-campaign")
    assert runner.invoke(args=["campaigns", "load", str(folder)]).exit_code == 0
    live = db.session.scalar(select(Campaign).where(Campaign.slug == "sample-campaign"))
    make_letter(make_action(live, "Ana", "Lopez", "ana@example.org"), SENATOR)
    make_letter(make_action(live, "Bo", "Chen", "bo@example.org", consent=False), SENATOR)
    yaml = folder / "campaign.yaml"
    closed = "status: closed\noutcome: {kind: released, date: 2026-02-03, message: He was released.}"
    yaml.write_text(yaml.read_text().replace("status: live", closed))

    for expected in ({"sent": 1}, {}):  # loaded twice: the second load writes to nobody again
        result = runner.invoke(args=["campaigns", "load", str(folder)])
        assert result.exit_code == 0, result.output
        assert send_pending() == expected
    assert [d.status for d in queued(db)] == ["sent"]
    assert [to for _, [to] in smtp_server.recorder.envelopes] == ["ana@example.org"]
    assert "He was released." in smtp_server.messages[0].get_content()
