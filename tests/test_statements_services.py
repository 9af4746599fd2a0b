"""Recording statements, their history, and each office's current stance."""

import datetime as dt

import pytest
from sqlalchemy import delete, select

from advocacy.statements.models import Statement, StatementRevision
from advocacy.statements.services import (
    StatementError,
    StatementInput,
    has_spoken,
    record_statement,
    spoken_count,
    stance_for,
    stances_for,
    update_statement,
)
from tests.factories import make_campaign

pytestmark = pytest.mark.usefixtures("congress_data")

GILLIBRAND, SCHUMER, NADLER = "G000555", "S000148", "N000002"


def said(bioguide_id=GILLIBRAND, day=dt.date(2025, 8, 1), stance="supports", kind="press_release", url=None, quote=""):
    return StatementInput(
        bioguide_id=bioguide_id,
        date=day,
        kind=kind,
        stance=stance,
        source_url=url or f"https://example.senate.gov/{bioguide_id}/{day.isoformat()}/{stance}",
        quote_or_summary=quote,
    )


def test_an_office_that_has_not_spoken_has_no_stance(app):
    campaign = make_campaign()
    assert stance_for(campaign.id, GILLIBRAND) is None
    assert stances_for(campaign.id) == {}
    assert not has_spoken(campaign.id, GILLIBRAND)


def test_recorded_statement_sets_the_stance(app, make_user):
    user = make_user("organizer@example.org", role="organizer")
    campaign = make_campaign()
    statement = record_statement(campaign.id, said(quote="  Free Guan Heng.  "), user.id)
    assert statement.recorded_by_id == user.id
    assert statement.quote_or_summary == "Free Guan Heng."
    assert statement.created_at.tzinfo is not None
    assert stance_for(campaign.id, GILLIBRAND) == "supports"
    assert has_spoken(campaign.id, GILLIBRAND)
    assert stance_for(campaign.id, SCHUMER) is None


def test_latest_statement_by_date_then_entry_wins(app):
    campaign = make_campaign()
    record_statement(campaign.id, said(day=dt.date(2025, 8, 1), stance="neutral"), None)
    record_statement(campaign.id, said(day=dt.date(2025, 8, 5), stance="supports"), None)
    # Entered later but dated earlier: it does not change the current stance.
    record_statement(campaign.id, said(day=dt.date(2025, 7, 1), stance="opposes"), None)
    assert stances_for(campaign.id) == {GILLIBRAND: "supports"}
    # Same date as the latest, entered later: it wins.
    record_statement(campaign.id, said(day=dt.date(2025, 8, 5), stance="neutral"), None)
    assert stance_for(campaign.id, GILLIBRAND) == "neutral"
    assert not has_spoken(campaign.id, GILLIBRAND)


def test_stances_are_per_campaign(app):
    first, second = make_campaign(), make_campaign(slug="another-detainee", title="Another")
    record_statement(first.id, said(), None)
    record_statement(second.id, said(bioguide_id=NADLER, stance="opposes"), None)
    assert stances_for(first.id) == {GILLIBRAND: "supports"}
    assert stances_for(second.id) == {NADLER: "opposes"}


def test_stances_are_cached_for_the_request_and_refreshed_after_recording(app, db):
    campaign = make_campaign()
    with app.test_request_context("/"):
        assert stances_for(campaign.id) == {}
        # Written behind the service's back: this request keeps its answer (one query per request)...
        db.session.add(
            Statement(
                campaign_id=campaign.id,
                bioguide_id=SCHUMER,
                date=dt.date(2025, 8, 1),
                kind="floor_remarks",
                stance="supports",
                source_url="https://www.congress.gov/congressional-record/x",
            )
        )
        db.session.commit()
        assert stance_for(campaign.id, SCHUMER) is None
        # ...but recording through the service refreshes it.
        record_statement(campaign.id, said(), None)
        assert stances_for(campaign.id) == {SCHUMER: "supports", GILLIBRAND: "supports"}
    with app.test_request_context("/"):
        assert stance_for(campaign.id, SCHUMER) == "supports"
    # Outside a request (commands, workers) nothing is cached.
    db.session.execute(delete(Statement))
    db.session.commit()
    assert stances_for(campaign.id) == {}


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"bioguide_id": "Z999999"}, "bioguide_id"),
        ({"bioguide_id": ""}, "bioguide_id"),
        ({"date": dt.date.today() + dt.timedelta(days=3)}, "date"),
        ({"date": dt.date(1900, 1, 1)}, "date"),
        ({"kind": "tweet"}, "kind"),
        ({"stance": "maybe"}, "stance"),
        ({"source_url": ""}, "source_url"),
        ({"source_url": "javascript:alert(1)"}, "source_url"),
        ({"source_url": "ftp://example.org/statement.txt"}, "source_url"),
        ({"source_url": "https://"}, "source_url"),
        ({"quote_or_summary": "x" * 5001}, "quote_or_summary"),
    ],
)
def test_invalid_statements_are_refused_naming_the_field(app, db, changes, field):
    campaign = make_campaign()
    data = said()
    values = {**data.__dict__, **changes}
    with pytest.raises(StatementError) as refused:
        record_statement(campaign.id, StatementInput(**values), None)
    assert field in refused.value.fields
    assert db.session.scalars(select(Statement)).all() == []


def test_edits_keep_the_old_values_who_and_when(app, db, make_user):
    alice = make_user("alice@example.org", role="organizer")
    bob = make_user("bob@example.org", role="organizer")
    campaign = make_campaign()
    statement = record_statement(campaign.id, said(stance="neutral", quote="Monitoring."), alice.id)
    old_url = statement.source_url
    assert update_statement(statement, said(stance="supports", quote="Release him now."), bob.id) is True
    assert update_statement(statement, said(stance="supports", quote="Release him now."), bob.id) is False
    revisions = db.session.scalars(select(StatementRevision)).all()
    assert len(revisions) == 1
    revision = revisions[0]
    assert (revision.stance, revision.quote_or_summary, revision.source_url) == ("neutral", "Monitoring.", old_url)
    assert revision.changed_by_id == bob.id
    assert revision.changed_at >= statement.created_at
    assert statement.updated_at >= revision.changed_at
    assert stance_for(campaign.id, GILLIBRAND) == "supports"
    # An edit to another office moves the stance with it.
    update_statement(statement, said(bioguide_id=SCHUMER, stance="supports"), alice.id)
    assert stances_for(campaign.id) == {SCHUMER: "supports"}
    assert [r.bioguide_id for r in statement.revisions] == [GILLIBRAND, GILLIBRAND]


def test_an_invalid_edit_changes_nothing(app, db):
    campaign = make_campaign()
    statement = record_statement(campaign.id, said(), None)
    with pytest.raises(StatementError):
        update_statement(statement, said(url="not a url"), None)
    db.session.rollback()
    assert db.session.scalars(select(StatementRevision)).all() == []
    assert db.session.get(Statement, statement.id).source_url.startswith("https://")


def test_spoken_count_matches_the_scoreboard(app):
    campaign = make_campaign()
    record_statement(campaign.id, said(GILLIBRAND), None)
    record_statement(campaign.id, said(NADLER, stance="neutral"), None)
    record_statement(campaign.id, said("N000147"), None)  # Eleanor Holmes Norton, DC's delegate
    assert spoken_count(campaign.id) == 1
    assert spoken_count(campaign.id, include_delegates=True) == 2
