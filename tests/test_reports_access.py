"""The role matrix for every report route: anonymous → login, staff/organizer/admin allowed, admin pages 403."""

from __future__ import annotations

import re

import pytest

from tests.factories import make_sample_campaign

STAFF_ROUTES = [
    ("GET", "/staff/campaigns"),
    ("GET", "/staff/campaigns/guan-heng"),
    ("GET", "/staff/campaigns/guan-heng/exports"),
    ("GET", "/staff/campaigns/guan-heng/exports/contacts.csv"),
    ("GET", "/staff/campaigns/guan-heng/exports/contacts.xlsx"),
    ("GET", "/staff/campaigns/guan-heng/exports/offices.csv"),
    ("GET", "/staff/campaigns/guan-heng/exports/offices.xlsx"),
    ("GET", "/staff/campaigns/guan-heng/exports/statements.csv"),
    ("GET", "/staff/campaigns/guan-heng/exports/statements.xlsx"),
    ("GET", "/staff/campaigns/guan-heng/contacts"),
    ("GET", "/staff/campaigns/guan-heng/packets/G000555.pdf"),
    ("GET", "/staff/campaigns/guan-heng/packets.zip"),
]
# Background exports: anyone anonymous goes to the login; staff use them in test_export_jobs.py.
JOB = "00000000-0000-4000-8000-000000000000"
JOB_ROUTES = [
    ("POST", "/staff/campaigns/guan-heng/exports/contacts.xlsx/job"),
    ("POST", "/staff/campaigns/guan-heng/exports/packets.zip/job"),
    ("GET", f"/staff/jobs/{JOB}"),
    ("GET", f"/staff/jobs/{JOB}.json"),
    ("POST", f"/staff/jobs/{JOB}/retry"),
    ("GET", f"/staff/jobs/{JOB}/download"),
]
ADMIN_ROUTES = [
    ("GET", "/admin/audit"),
    ("GET", "/admin/privacy"),
    ("POST", "/admin/privacy/lookup"),
    ("POST", "/admin/privacy/erase"),
]


def test_every_report_route_is_listed_here(app):
    """A new report route must join the matrix below."""
    listed = {path.replace("guan-heng", "<slug>") for _, path in STAFF_ROUTES + JOB_ROUTES + ADMIN_ROUTES}
    listed = {re.sub(r"\.[a-z]+", "", p.replace("G000555", "<office_key>").replace(JOB, "<job_id>")) for p in listed}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(("reports.", "privacy.")):
            path = re.sub(r"\.<fmt>|\.[a-z]+", "", rule.rule).replace("/<kind>", "/contacts")
            assert path in listed, rule.rule


@pytest.mark.parametrize("method, path", STAFF_ROUTES + JOB_ROUTES + ADMIN_ROUTES)
def test_anonymous_goes_to_login(client, db, method, path):
    make_sample_campaign()
    response = client.open(path, method=method)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert "guan-heng" not in response.headers["Location"].split("next=")[0]


@pytest.mark.parametrize("role", ["staff", "organizer", "admin"])
def test_staff_and_up_use_every_report_route(login_as, db, role):
    make_sample_campaign()
    client = login_as(role)
    for method, path in STAFF_ROUTES:
        response = client.open(path, method=method, buffered=True)
        assert response.status_code == 200, (role, path, response.status_code)


@pytest.mark.parametrize("role", ["staff", "organizer"])
def test_admin_routes_refuse_lower_roles(login_as, db, role):
    client = login_as(role)
    for method, path in ADMIN_ROUTES:
        assert client.open(path, method=method).status_code == 403, (role, path)


def test_admin_uses_admin_routes(admin_client, db):
    make_sample_campaign()
    assert admin_client.get("/admin/audit").status_code == 200
    assert admin_client.get("/admin/privacy").status_code == 200
    assert admin_client.post("/admin/privacy/lookup", data={"email": "ana@example.org"}).status_code == 200
    assert admin_client.post("/admin/privacy/erase", data={}).status_code == 302  # nothing chosen: flashed


def test_reports_link_shows_for_signed_in_staff(staff_client, client):
    assert 'href="/staff/campaigns"' in staff_client.get("/dashboard").get_data(as_text=True)
    assert 'href="/staff/campaigns"' not in client.get("/").get_data(as_text=True)
