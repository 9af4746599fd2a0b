"""A `deliveries work` process SIGKILLed in the middle of an export: no file is served, and the job runs again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import text

from advocacy.config import PROJECT_ROOT
from advocacy.db import utcnow
from advocacy.delivery import jobfiles, jobrunner
from advocacy.delivery.jobs import Job
from advocacy.delivery.worker import Worker
from tests.conftest import TEST_ENVIRON
from tests.factories import make_sample_campaign

BOUND = 60.0


def wait_until(condition, what: str) -> None:
    deadline = time.monotonic() + BOUND
    pause = threading.Event()
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        pause.wait(0.05)


@pytest.fixture
def app_config(tmp_path):
    return {"EXPORT_INLINE_ROWS": 3, "JOB_FILES_DIR": str(tmp_path / "exports")}


def test_a_worker_killed_mid_export_leaves_no_file_and_the_job_runs_again(
    app, staff_client, db, database_url, tmp_path
):
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: the test holds a table lock to stop the export halfway")
    make_sample_campaign()
    response = staff_client.post("/staff/campaigns/guan-heng/exports/contacts.xlsx/job")
    job_id = response.headers["Location"].rsplit("/", 1)[-1]
    env = {
        **os.environ,
        **TEST_ENVIRON,
        "ADVOCACY_DATABASE_URL": database_url,
        "ADVOCACY_LOG_LEVEL": "WARNING",
        "ADVOCACY_TEST_CONFIG": json.dumps({"JOB_FILES_DIR": app.config["JOB_FILES_DIR"], "JOB_POLL_INTERVAL": 0.1}),
    }
    folder = jobfiles.files_dir()
    # Hold the letters: the worker claims the job, opens its file, and waits on its first read of the rows.
    holder = db.engine.connect()
    blocker = holder.begin()
    holder.execute(text("LOCK TABLE letters IN ACCESS EXCLUSIVE MODE"))
    flask = [sys.executable, "-m", "flask", "--app", "tests.fakes.worker_app:create"]
    worker = subprocess.Popen(
        [*flask, "deliveries", "work", "--poll-interval", "0.1"],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: any(p.suffix == ".part" for p in folder.iterdir()), "the worker to start the file")
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
        blocker.rollback()
        holder.close()

    db.session.expire_all()
    job = db.session.get(Job, job_id)
    assert (job.status, job.attempts, job.result_file) == ("running", 1, None)
    assert [p.suffix for p in folder.iterdir()] == [".part"]  # never renamed into place, never served
    assert staff_client.get(f"/staff/jobs/{job_id}/download").status_code == 410

    assert jobrunner.recover_abandoned(now=utcnow() + timedelta(seconds=121)) == [job_id]
    assert list(folder.iterdir()) == []
    Worker(burst=True).run()
    db.session.expire_all()
    assert (job.status, job.attempts, job.result_rows) == ("done", 2, 8)
    assert [p.name for p in folder.iterdir()] == [job.result_file]
    assert staff_client.get(f"/staff/jobs/{job_id}/download").status_code == 200
