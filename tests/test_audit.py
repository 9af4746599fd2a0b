"""The audit log: what is recorded, and the admin page that reads it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from advocacy.reports import audit
from advocacy.reports.models import AuditEvent
from tests.factories import make_sample_campaign


def test_viewing_the_contact_list_is_recorded(staff_client, db):
    make_sample_campaign()
    response = staff_client.get("/staff/campaigns/guan-heng/contacts", query_string={"state": "CA"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Nguyễn" in body and "Lopez" not in body
    event = db.session.scalars(select(AuditEvent)).one()
    assert (event.action, event.user_id, event.campaign, event.row_count) == (
        "view.contacts",
        staff_client.user.id,
        "guan-heng",
        2,
    )
    assert event.filters == {"state": "CA", "page": 1}


def test_contact_list_shows_email_only_with_consent(staff_client, db):
    make_sample_campaign()
    body = staff_client.get("/staff/campaigns/guan-heng/contacts").get_data(as_text=True)
    assert "ana@example.org" in body and "周" in body
    assert "zhou@example.org" not in body.lower()


def test_contact_list_pages(staff_client, db, monkeypatch):
    from advocacy.reports import views

    monkeypatch.setattr(views, "CONTACTS_PAGE", 3)
    make_sample_campaign()
    first = staff_client.get("/staff/campaigns/guan-heng/contacts").get_data(as_text=True)
    last = staff_client.get("/staff/campaigns/guan-heng/contacts?page=3").get_data(as_text=True)
    assert "Page 1 of 3" in first and "Page 3 of 3" in last
    assert "Nguyễn" in last and "Nguyễn" not in first
    counts = [e.row_count for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert counts == [3, 2]


def add_events(db, user_id, n, action="export.contacts", campaign="guan-heng", start=None):
    start = start or datetime(2025, 3, 1, tzinfo=UTC)
    for i in range(n):
        db.session.add(
            AuditEvent(
                user_id=user_id,
                source="web" if user_id else "cli",
                action=action,
                campaign=campaign,
                filters={"state": "NY"},
                row_count=i,
                created_at=start + timedelta(hours=i),
            )
        )
    db.session.commit()


def test_admin_reads_the_audit_log_newest_first_in_pages(admin_client, login_as, db):
    staff = login_as("staff")
    add_events(db, staff.user.id, audit.PAGE_SIZE + 5)
    page1 = admin_client.get("/admin/audit")
    assert page1.status_code == 200
    body = page1.get_data(as_text=True)
    assert f"{audit.PAGE_SIZE + 5} event(s)" in body
    assert staff.user.email in body
    assert "Page 1 of 2" in body
    assert body.index("2025-03-03 06:00:00") < body.index("2025-03-03 05:00:00")  # newest first
    page2 = admin_client.get("/admin/audit?page=2").get_data(as_text=True)
    assert "2025-03-01 00:00:00" in page2 and "2025-03-03 06:00:00" not in page2


def test_audit_log_filters(admin_client, login_as, db):
    staff = login_as("staff")
    add_events(db, staff.user.id, 2, "export.contacts")
    add_events(db, None, 3, "privacy.purge", campaign="other", start=datetime(2025, 4, 1, tzinfo=UTC))
    add_events(db, admin_client.user.id, 1, "view.contacts")

    def count(**args):
        return audit.list_events(audit.AuditQuery(**args)).total

    assert count() == 6
    assert count(action="privacy.purge") == 3
    assert count(source="cli") == 3
    assert count(user_id=staff.user.id) == 2
    assert count(campaign="other") == 3
    assert count(date_from=datetime(2025, 4, 1).date()) == 3
    assert count(date_to=datetime(2025, 3, 31).date()) == 3
    body = admin_client.get("/admin/audit?action=privacy.purge&source=cli").get_data(as_text=True)
    assert "3 event(s)" in body and "command line" in body
    bad = admin_client.get("/admin/audit?from=yesterday&action=drop")
    assert bad.status_code == 400
    assert "is not a date written as YYYY-MM-DD" in bad.get_data(as_text=True)


@pytest.mark.parametrize("role", ["staff", "organizer"])
@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/admin/audit"),
        ("GET", "/admin/privacy"),
        ("POST", "/admin/privacy/lookup"),
        ("POST", "/admin/privacy/erase"),
    ],
)
def test_admin_pages_refuse_staff_and_organizers(login_as, db, role, method, path):
    make_sample_campaign()
    response = login_as(role).open(path, method=method, data={"email": "ana@example.org", "confirm": "y"})
    assert response.status_code == 403
    assert db.session.scalars(select(AuditEvent)).all() == []


def test_unknown_audit_action_is_refused():
    with pytest.raises(ValueError):
        audit.record("export.everything")
