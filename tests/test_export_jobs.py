"""Large exports built by the delivery workers as background jobs: progress, encrypted files, links, limits."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from advocacy.db import utcnow
from advocacy.delivery import jobfiles, jobrunner, jobs
from advocacy.delivery.jobs import Job
from advocacy.delivery.worker import Worker
from advocacy.letters.models import Action
from advocacy.privacy.services import erase_actions, purge_campaign
from advocacy.reports.models import AuditEvent
from tests.factories import make_sample_campaign

URL = "/staff/campaigns/guan-heng/exports"
LETTERS = 8  # in the sample campaign


@pytest.fixture
def app_config(smtp_server, tmp_path):
    return {
        "ENVIRON": smtp_server.environ(),
        "DELIVERY_INLINE": False,
        "EXPORT_INLINE_ROWS": 3,
        "JOB_FILES_DIR": str(tmp_path / "exports"),
        "JOB_POLL_INTERVAL": 0.05,
        "DELIVERY_POLL_INTERVAL": 0.05,
    }


def start(client, kind="contacts", fmt="xlsx", **form):
    return client.post(f"{URL}/{kind}.{fmt}/job", data=form)


def job_of(response, db) -> Job:
    assert response.status_code == 303, response.get_data(as_text=True)
    job_id = response.headers["Location"].rsplit("/", 1)[-1]
    return db.session.get(Job, job_id)


def stored_files(app) -> list:
    with app.app_context():
        return sorted(p.name for p in jobfiles.files_dir().iterdir())


def test_a_large_export_is_offered_as_a_job_and_the_get_changes_nothing(staff_client, db):
    make_sample_campaign()
    response = staff_client.get(f"{URL}/contacts.xlsx")
    assert response.status_code == 200
    assert "built in the background" in response.get_data(as_text=True)
    assert db.session.scalar(select(Job)) is None
    page = staff_client.get(URL).get_data(as_text=True)
    assert "/exports/contacts.xlsx/job" in page


def test_a_large_xlsx_is_built_by_a_worker_encrypted_and_read_only_by_who_asked(
    app, staff_client, login_as, db, smtp_server
):
    make_sample_campaign()
    job = job_of(start(staff_client, email_me="1"), db)
    page = staff_client.get(f"/staff/jobs/{job.id}").get_data(as_text=True)
    assert "Waiting for a worker" in page and 'http-equiv="refresh"' in page

    Worker(burst=True).run()  # builds the file and queues the "ready" mail
    Worker(burst=True).run()  # sends the mail
    db.session.expire_all()
    assert job.status == "done" and job.result_rows == LETTERS

    state = staff_client.get(f"/staff/jobs/{job.id}.json").get_json()
    assert state["status"] == "done" and state["download"] == f"/staff/jobs/{job.id}/download"
    response = staff_client.get(state["download"], buffered=True)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    assert len(list(book.worksheets[0].iter_rows())) == LETTERS + 1  # the header, then one row per letter

    # At rest the file is ciphertext: no ZIP (XLSX) signature, no constituent's name.
    [name] = stored_files(app)
    raw = (app.config["JOB_FILES_DIR"] and (jobfiles.files_dir() / name)).read_bytes()
    assert raw.startswith(jobfiles.MAGIC) and b"PK\x03\x04" not in raw

    other = login_as("staff")
    assert other.get(state["download"]).status_code == 404
    assert other.get(f"/staff/jobs/{job.id}").status_code == 404
    assert login_as("admin").get(state["download"], buffered=True).status_code == 200

    actions = db.session.execute(select(AuditEvent.action, AuditEvent.row_count).order_by(AuditEvent.id)).all()
    assert ("export.contacts", LETTERS) in actions
    assert actions.count(("export.download", LETTERS)) == 2

    [mail] = smtp_server.messages
    assert mail["To"] == staff_client.user.email
    text = mail.get_content()
    assert f"/staff/jobs/{job.id}" in text
    assert "Ana" not in text and "@" not in text.replace(staff_client.user.email, "")


def test_the_file_is_deleted_when_its_link_expires(app, staff_client, db):
    make_sample_campaign()
    job = job_of(start(staff_client, fmt="csv"), db)
    Worker(burst=True).run()
    assert len(stored_files(app)) == 1
    assert jobs.expire_files(now=utcnow() + timedelta(hours=23)) == 0
    assert jobs.expire_files(now=utcnow() + timedelta(hours=24, minutes=1)) == 1
    assert stored_files(app) == []
    db.session.expire_all()
    assert job.status == "expired"
    assert staff_client.get(f"/staff/jobs/{job.id}/download").status_code == 410


def test_a_purge_deletes_the_stored_exports_of_the_campaign(app, staff_client, db):
    campaign = make_sample_campaign()
    make_sample_campaign("other")
    job = job_of(start(staff_client), db)
    other = job_of(staff_client.post("/staff/campaigns/other/exports/contacts.csv/job"), db)
    Worker(burst=True).run()
    assert len(stored_files(app)) == 2
    purge_campaign(campaign, before=(utcnow() + timedelta(days=1)).date())
    db.session.expire_all()
    assert stored_files(app) == [other.result_file]
    assert job.status == "expired" and job.result_file is None
    assert staff_client.get(f"/staff/jobs/{job.id}/download").status_code == 410


def test_a_job_whose_worker_died_runs_again_and_leaves_no_half_file(app, staff_client, db):
    make_sample_campaign()
    job = job_of(start(staff_client), db)
    [(job_id, attempt)] = jobrunner.claim("dead-worker", 1)
    half = jobfiles.files_dir() / f"{job_id}.{attempt}.part"
    half.write_bytes(jobfiles.MAGIC + b"half a file")  # what a killed worker leaves
    assert jobrunner.recover_abandoned(now=utcnow() + timedelta(seconds=60)) == []  # still within its heartbeat
    assert jobrunner.recover_abandoned(now=utcnow() + timedelta(seconds=121)) == [job_id]
    assert not half.exists()

    Worker(burst=True).run()
    db.session.expire_all()
    assert job.status == "done" and job.attempts == 2
    assert stored_files(app) == [job.result_file]
    # The dead worker's late finish cannot replace the new attempt's result.
    assert jobrunner.run(job_id, attempt, "dead-worker") == "lost"


def test_a_failed_job_says_why_and_can_be_retried(app, staff_client, db):
    make_sample_campaign()
    job = job_of(start(staff_client), db)
    job.params = {**job.params, "filters": {"from": "not a date"}}
    db.session.commit()
    Worker(burst=True).run()
    page = staff_client.get(f"/staff/jobs/{job.id}").get_data(as_text=True)
    assert "The export failed." in page and "The filters are no longer valid" in page
    assert stored_files(app) == []

    job.params = {**job.params, "filters": {}}
    db.session.commit()
    assert staff_client.post(f"/staff/jobs/{job.id}/retry").status_code == 303
    Worker(burst=True).run()
    db.session.expire_all()
    assert job.status == "done" and job.error is None


def test_a_person_may_have_only_so_many_exports_building(staff_client, db):
    make_sample_campaign()
    job_of(start(staff_client), db)
    job_of(start(staff_client, fmt="csv"), db)
    response = start(staff_client, fmt="csv")
    assert response.status_code == 429
    assert "at most 2 at once" in response.get_data(as_text=True)
    assert len(db.session.scalars(select(Job)).all()) == 2


def test_a_stored_file_that_was_cut_or_changed_is_refused(app, tmp_path):
    plain = bytes(range(256)) * (3 * jobfiles.CHUNK // 256 + 7)
    path = tmp_path / "file.enc"
    writer = jobfiles.EncryptedWriter(path, jobfiles.file_key(), "job-1")
    writer.write(plain)
    writer.close()
    assert b"".join(jobfiles.read_chunks(path, jobfiles.file_key(), "job-1")) == plain
    with pytest.raises(jobfiles.DamagedFile):
        list(jobfiles.read_chunks(path, jobfiles.file_key(), "job-2"))  # another job's file
    data = path.read_bytes()
    cut = tmp_path / "cut.enc"
    cut.write_bytes(data[: len(data) - (len(plain) % jobfiles.CHUNK) - 40])
    with pytest.raises(jobfiles.DamagedFile):
        list(jobfiles.read_chunks(cut, jobfiles.file_key(), "job-1"))


def test_a_large_packets_zip_is_a_job_with_offices_as_progress(app, staff_client, db):
    make_sample_campaign()
    assert "built in the background" in staff_client.get(f"{URL.rsplit('/', 1)[0]}/packets.zip").get_data(as_text=True)
    job = job_of(start(staff_client, kind="packets", fmt="zip"), db)
    Worker(burst=True).run()
    db.session.expire_all()
    assert job.status == "done" and job.result_rows == LETTERS
    assert job.done_count == job.total_count == job.summary["files"]  # progress counted in packets
    response = staff_client.get(f"/staff/jobs/{job.id}/download", buffered=True)
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        names = archive.namelist()
    assert len(names) == job.summary["files"] and all(n.endswith(".pdf") for n in names)


def test_an_erasure_deletes_the_stored_exports_of_the_campaigns_it_touches(app, staff_client, db):
    campaign = make_sample_campaign()
    job = job_of(start(staff_client, fmt="csv"), db)
    Worker(burst=True).run()
    assert len(stored_files(app)) == 1
    action_id = db.session.scalars(select(Action.id).where(Action.campaign_id == campaign.id)).first()
    erase_actions([action_id])
    assert stored_files(app) == []
    db.session.expire_all()
    assert job.status == "expired"
