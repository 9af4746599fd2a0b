"""A large export in a real browser: built by a real worker thread as a background job, with progress, then
downloaded by the person who asked, and refused to anyone else."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import func, select

from advocacy.campaigns.models import Campaign
from advocacy.delivery.jobs import Job
from advocacy.delivery.worker import Worker
from advocacy.extensions import db
from advocacy.letters.models import Letter
from tests.browser.conftest import log_in
from tests.browser.test_e2e_staff import write_letters

pytestmark = pytest.mark.browser


@pytest.fixture
def small_threshold(live_site, tmp_path):
    """Exports of more than 2 letters become jobs; files go to a temporary folder (restored afterwards)."""
    saved = {key: live_site.config.get(key) for key in ("EXPORT_INLINE_ROWS", "JOB_FILES_DIR", "JOB_POLL_INTERVAL")}
    live_site.config.update(EXPORT_INLINE_ROWS=2, JOB_FILES_DIR=str(tmp_path / "exports"), JOB_POLL_INTERVAL=0.2)
    yield live_site
    live_site.config.update(saved)


@pytest.fixture
def worker(small_threshold):
    """`deliveries work` as a thread of the test: sends nothing here, runs the jobs."""
    with small_threshold.app_context():
        running = Worker(poll_interval=0.2, concurrency=1)
    thread = threading.Thread(target=running.run, daemon=True)
    yield lambda: thread.start()
    running.stop.set()
    running.job_wake.set()
    thread.join(timeout=30)


def test_a_large_xlsx_is_built_in_the_background_and_only_its_requester_downloads_it(
    small_threshold, worker, page, browser, accounts
):
    base = small_threshold.base_url
    write_letters(page, base, "Jobexport", "12207", "Albany", "NY")  # three letters, over the threshold of 2
    with small_threshold.app_context():
        campaign_id = db.session.scalar(select(Campaign.id).where(Campaign.slug == "sample-campaign"))
        letters = db.session.scalar(select(func.count()).where(Letter.campaign_id == campaign_id))
        db.session.remove()
    assert letters > 2

    log_in(page, base, *accounts["staff"])
    page.goto(base + "/staff/campaigns/sample-campaign/exports")
    row = page.get_by_role("row").filter(has_text="One row per letter")
    row.get_by_role("button", name="Build XLSX").click()
    expect(page.get_by_text("Waiting for a worker")).to_be_visible()
    job_url = page.url

    worker()  # the worker starts: the page follows the job to its end by itself
    expect(page.get_by_role("link", name="Download")).to_be_visible(timeout=30_000)
    expect(page.locator("#job-status")).to_have_text("Ready")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download").click()
    download = info.value
    assert download.suggested_filename.startswith("sample-campaign-contacts-")
    sheet = load_workbook(io.BytesIO(Path(download.path()).read_bytes()), read_only=True).worksheets[0]
    assert len(list(sheet.iter_rows())) == letters + 1

    with small_threshold.app_context():
        job = db.session.scalars(select(Job).order_by(Job.created_at.desc())).first()
        assert (job.status, job.result_rows, job.attempts) == ("done", letters, 1)
        db.session.remove()
    assert job_url.endswith(job.id)

    other = browser.new_context()
    try:
        stranger = other.new_page()
        log_in(stranger, base, *accounts["organizer"])
        assert stranger.request.get(f"{base}/staff/jobs/{job.id}/download").status == 404
        assert stranger.request.get(job_url).status == 404
    finally:
        other.close()
