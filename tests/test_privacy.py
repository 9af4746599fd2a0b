"""Purging a campaign's personal data, and erasing one constituent's data on request."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from advocacy.delivery.models import Delivery
from advocacy.identity import email_key
from advocacy.letters.models import Action, Letter
from advocacy.privacy.services import PURGED_BODY
from advocacy.reports.dashboard import build_dashboard
from advocacy.reports.models import AuditEvent
from tests.conftest import KEEP_TABLES, PASSWORD, csrf_token_from
from tests.factories import csv_rows, make_sample_campaign

PERSONAL_ACTION_FIELDS = ("first_name", "last_name", "email", "phone", "address", "city", "zip", "message")


def totals(client, campaign):
    """Everything a purge must leave alone: the dashboard and the office summary."""
    dash = build_dashboard(campaign)
    offices = csv_rows(client.get("/staff/campaigns/guan-heng/exports/offices.csv", buffered=True).data)
    return (
        dash.letters,
        dash.constituents,
        dash.offices,
        dash.per_day,
        dash.by_state,
        dash.by_chamber,
        dash.top_offices,
        offices,
    )


def snapshot(db, campaign):
    actions = db.session.scalars(select(Action).where(Action.campaign_id == campaign.id).order_by(Action.created_at))
    return [(a.id, a.purged_at, {f: getattr(a, f) for f in PERSONAL_ACTION_FIELDS}) for a in actions]


def test_purge_removes_every_personal_field_and_keeps_the_totals(runner, staff_client, db):
    campaign = make_sample_campaign()
    before_totals = totals(staff_client, campaign)
    result = runner.invoke(args=["privacy", "purge", "guan-heng", "--before", "2025-03-11"])
    assert result.exit_code == 0, result.output
    assert "Purged 2 submissions and 6 letters in guan-heng before 2025-03-11" in result.output
    assert "cancelled 3 undelivered letters" in result.output  # pending, handoff, failed
    db.session.expire_all()

    actions = db.session.scalars(select(Action).where(Action.campaign_id == campaign.id)).all()
    purged = [a for a in actions if a.created_at < datetime(2025, 3, 11, tzinfo=UTC)]
    kept = [a for a in actions if a not in purged]
    assert len(purged) == 2 and len(kept) == 1
    for action in purged:
        assert {f: getattr(action, f) for f in PERSONAL_ACTION_FIELDS} == dict.fromkeys(PERSONAL_ACTION_FIELDS, "")
        assert action.email_key is None and action.idempotency_key is None
        assert action.purged_at is not None
        # What reports count by stays.
        assert action.district_state == "NY" and action.district in (6, 13) and action.congress == 119
        for letter in db.session.scalars(select(Letter).where(Letter.action_id == action.id)):
            assert letter.body == PURGED_BODY
            assert letter.personal_message == ""
            assert letter.email_key is None
            assert letter.office_key and letter.office_name and letter.congress == 119
    # Nguyễn wrote after the cutoff: untouched.
    assert kept[0].last_name == "Nguyễn" and kept[0].email_key == email_key("minh@example.org")
    assert kept[0].purged_at is None

    # No personal data of the purged is left anywhere in the database.
    secrets = ["Lopez", "ana@example.org", email_key("ana@example.org"), "212-555-0143", "500 W 120th St"]
    secrets += ["周", "锋锁", "zhou@example.org", email_key("zhou@example.org"), "718-555-0199", "Kissena", "11355"]
    secrets += ["我的邻居", "关恒是我的朋友", "My neighbour in Harlem"]
    for table in db.metadata.sorted_tables:
        if table.name in KEEP_TABLES:  # reference data (members, the ZIP crosswalk), no constituent in it
            continue
        for row in db.session.execute(select(table)):
            text = " ".join(str(v) for v in row).lower()
            for secret in secrets:
                assert secret.lower() not in text, (table.name, secret)
    assert totals(staff_client, campaign) == before_totals

    statuses = dict(
        db.session.execute(
            select(Letter.office_key, Delivery.status)
            .join(Delivery, Delivery.letter_id == Letter.id)
            .where(Letter.action_id == next(a.id for a in purged if a.district == 13))  # Ana's
        ).all()
    )
    assert statuses == {"G000555": "sent", "S000148": "cancelled", "E000297": "cancelled", "custom:1": "sent"}
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.purge")).one()
    assert (event.action, event.source, event.campaign, event.row_count) == ("privacy.purge", "cli", "guan-heng", 2)
    assert event.filters == {"before": "2025-03-11"}


def test_purged_contacts_export_keeps_rows_without_names(runner, staff_client, db):
    make_sample_campaign()
    runner.invoke(args=["privacy", "purge", "guan-heng", "--before", "2025-04-01"])
    rows = csv_rows(staff_client.get("/staff/campaigns/guan-heng/exports/contacts.csv", buffered=True).data)
    assert len(rows) == 9
    for row in rows[1:]:
        assert row[1:5] == ["", "", "", ""] and row[6:8] == ["", ""]
        assert row[8] and row[11]  # district and office stay


def test_purge_again_changes_nothing_and_other_campaigns_are_untouched(runner, db):
    make_sample_campaign()
    first = runner.invoke(args=["privacy", "purge", "guan-heng", "--before", "2030-01-01"])
    assert "Purged 3 submissions and 8 letters" in first.output
    again = runner.invoke(args=["privacy", "purge", "guan-heng", "--before", "2030-01-01"])
    assert "Purged 0 submissions and 0 letters" in again.output
    stranger = db.session.scalars(select(Action).where(Action.last_name == "Included")).one()
    assert stranger.email == "stranger@example.org" and stranger.purged_at is None


def test_purge_dry_run_changes_nothing(runner, db):
    campaign = make_sample_campaign()
    before = snapshot(db, campaign)
    result = runner.invoke(args=["privacy", "purge", "guan-heng", "--before", "2030-01-01", "--dry-run"])
    assert result.exit_code == 0
    assert "Would purge 3 submissions and 8 letters" in result.output
    db.session.expire_all()
    assert snapshot(db, campaign) == before
    assert db.session.scalars(select(AuditEvent)).all() == []


def test_purge_failures_are_one_line(runner, db):
    make_sample_campaign()
    bad_date = runner.invoke(args=["privacy", "purge", "guan-heng", "--before", "last week"])
    assert bad_date.exit_code != 0
    assert "--before must be a date written as YYYY-MM-DD" in bad_date.stderr
    unknown = runner.invoke(args=["privacy", "purge", "nope", "--before", "2025-01-01"])
    assert unknown.exit_code != 0 and "no campaign with slug 'nope'" in unknown.stderr


# --- one person's data on request ---------------------------------------------------------------------


def lookup(client, email):
    return client.post("/admin/privacy/lookup", data={"email": email})


def test_admin_finds_a_constituent_by_exact_email_and_erases_them(admin_client, staff_client, db, caplog):
    campaign = make_sample_campaign()
    response = lookup(admin_client, "  ZHOU@example.ORG ")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "41-25 Kissena Blvd" in body and "Free Guan Heng" in body
    assert "Lopez" not in body
    assert "zhou@example.org" not in body.lower()  # the email is not echoed back
    zhou = db.session.scalars(select(Action).where(Action.last_name == "周")).one()
    assert f'value="{zhou.id}"' in body

    response = admin_client.post("/admin/privacy/erase", data={"action_id": zhou.id, "confirm": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    zhou = db.session.get(Action, zhou.id)
    assert zhou.purged_at is not None and zhou.last_name == "" and zhou.email == "" and zhou.email_key is None
    others = db.session.scalars(select(Action).where(Action.id != zhou.id, Action.purged_at.is_not(None))).all()
    assert others == []
    assert build_dashboard(campaign).letters == 8
    assert "Kissena" not in lookup(admin_client, "zhou@example.org").get_data(as_text=True)

    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.action, e.row_count, e.user_id) for e in events] == [
        ("privacy.lookup", 1, admin_client.user.id),
        ("privacy.delete", 1, admin_client.user.id),
        ("privacy.lookup", 0, admin_client.user.id),
    ]
    assert events[1].filters == {"campaigns": ["guan-heng"]}
    for event in events:
        assert "zhou" not in str(event.filters).lower()
    assert "zhou@example.org" not in caplog.text.lower()
    audit_page = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "privacy.delete" in audit_page and "campaigns: guan-heng" in audit_page
    assert "zhou" not in audit_page.lower()


def test_erase_needs_confirmation(admin_client, db):
    make_sample_campaign()
    ana = db.session.scalars(select(Action).where(Action.last_name == "Lopez")).one()
    response = admin_client.post("/admin/privacy/erase", data={"action_id": ana.id})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Action, ana.id).purged_at is None
    assert admin_client.post("/admin/privacy/erase", data={"action_id": "not-an-id", "confirm": "y"}).status_code == 400


def test_lookup_is_post_only_and_validated(admin_client, db):
    assert admin_client.get("/admin/privacy/lookup?email=ana@example.org").status_code == 405
    response = admin_client.post("/admin/privacy/lookup", data={"email": "not an email"})
    assert response.status_code == 400
    assert db.session.scalars(select(AuditEvent)).all() == []


def test_email_key_is_a_keyed_hash_of_the_normalized_email(app):
    import hashlib
    import hmac

    key = app.config["PSEUDONYM_KEY"]
    assert email_key(" Ana@Example.ORG\n") == hmac.new(key, b"ana@example.org", hashlib.sha256).hexdigest()
    assert email_key("ana@example.org") != hashlib.sha256(b"ana@example.org").hexdigest()  # not a plain hash


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_privacy_forms_need_the_csrf_token(client, make_user, db, app_config):
    make_user("boss@example.org", "admin")
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    login = client.post("/login", data={"email": "boss@example.org", "password": PASSWORD, "csrf_token": token})
    assert login.status_code == 302
    admin_client = client
    make_sample_campaign()
    ana = db.session.scalars(select(Action).where(Action.last_name == "Lopez")).one()
    assert admin_client.post("/admin/privacy/lookup", data={"email": "ana@example.org"}).status_code == 400
    assert admin_client.post("/admin/privacy/erase", data={"action_id": ana.id, "confirm": "y"}).status_code == 400
    token = csrf_token_from(admin_client.get("/admin/privacy").get_data(as_text=True))
    found = admin_client.post("/admin/privacy/lookup", data={"email": "ana@example.org", "csrf_token": token})
    assert found.status_code == 200 and "Lopez" in found.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Action, ana.id).purged_at is None


def test_purge_removes_follow_up_records(runner, db):
    from advocacy.delivery import kinds
    from advocacy.delivery.models import Delivery

    campaign = make_sample_campaign()
    purged = db.session.scalars(select(Action).where(Action.campaign_id == campaign.id)).first()
    kinds.enqueue(
        "followup", action_id=purged.id, ref="1", dedupe_key=f"followup:{campaign.id}:{purged.email_key}:G000555"
    )
    db.session.commit()
    assert runner.invoke(args=["privacy", "purge", "guan-heng", "--before", "2030-01-01"]).exit_code == 0
    db.session.expire_all()
    assert db.session.scalars(select(Delivery).where(Delivery.kind == "followup")).all() == []
