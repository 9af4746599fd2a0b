"""Running background jobs (`advocacy.delivery.jobs`) in the delivery workers: claims, runs, recovery.

Why here, beside the outbox: `deliveries work` already is the long-running process with a claim loop, recovery
of claims a dead worker left, and a wake-up on NOTIFY. A job is claimed like a delivery (one UPDATE of rows
picked with SKIP LOCKED on PostgreSQL), keeps a heartbeat while it runs, and is put back in the queue when
its heartbeat stops (a killed worker). Its result file is written encrypted to a part file and renamed into
place only when complete, under a name holding the attempt, so a killed or recovered run never leaves a half
file where a download could find it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.exc import SQLAlchemyError

from advocacy.db import utcnow
from advocacy.delivery import jobfiles
from advocacy.delivery.engine import is_postgres
from advocacy.delivery.jobs import (
    Job,
    JobFailed,
    JobStatus,
    Progress,
    call_finished_hooks,
    expire_files,
    job_option,
    part_path,
    runner,
)
from advocacy.extensions import db

log = logging.getLogger(__name__)

UNEXPECTED = "The job stopped on an unexpected error. Retry it; if it fails again, tell an administrator."


def claim(worker: str, limit: int, now: datetime | None = None) -> list[tuple[str, int]]:
    """Claim up to `limit` queued jobs, oldest first, within JOB_MAX_RUNNING across workers: [(id, attempt)]."""
    now = now or utcnow()
    running = db.session.scalar(select(func.count()).where(Job.status == JobStatus.RUNNING.value)) or 0
    room = min(limit, int(job_option("JOB_MAX_RUNNING")) - running)
    if room <= 0:
        db.session.rollback()
        return []
    ids = select(Job.id).where(Job.status == JobStatus.QUEUED.value).order_by(Job.created_at).limit(room)
    if is_postgres():
        ids = ids.with_for_update(skip_locked=True)
    picked = list(db.session.scalars(ids))
    if not picked:
        db.session.rollback()
        return []
    claimed = []
    for job_id in picked:  # one guarded UPDATE each: a row another thread took meanwhile is not ours
        taken = db.session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == JobStatus.QUEUED.value)
            .values(
                status=JobStatus.RUNNING.value,
                attempts=Job.attempts + 1,
                claimed_by=worker,
                heartbeat_at=now,
                started_at=now,
                done_count=0,
                error=None,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        if taken:
            claimed.append(job_id)
    db.session.commit()
    if not claimed:
        return []
    rows = db.session.execute(select(Job.id, Job.attempts).where(Job.id.in_(claimed)))
    return [(job_id, attempt) for job_id, attempt in rows]


def run(job_id: str, attempt: int, worker: str, clock: Callable[[], float] = time.monotonic) -> str:
    """Run one claimed job to the end: done (file in place), failed (why), or lost (recovered meanwhile)."""
    job = db.session.get(Job, job_id)
    if job is None or job.attempts != attempt or job.claimed_by != worker or job.status != JobStatus.RUNNING.value:
        return "lost"
    part = part_path(job_id, attempt)
    final_name = f"{job_id}.{attempt}.enc"
    output = jobfiles.EncryptedWriter(part, jobfiles.file_key(), job_id)
    progress = Progress(job_id, attempt, clock)
    try:
        result = runner(job.kind)(job, output, progress)
        output.close()
        db.session.rollback()  # end the job's reads before recording the outcome
    except JobFailed as exc:
        return _fail(job_id, attempt, output, part, str(exc))
    except Exception:  # noqa: BLE001 - any failure of a job is recorded on it, in words
        log.exception("job %s (%s): unexpected error", job_id, job.kind)
        return _fail(job_id, attempt, output, part, UNEXPECTED)
    final: Path | None = jobfiles.files_dir() / final_name
    if result.name:
        part.replace(final)  # atomic: the file is whole or absent
    else:  # a job without a file (a scan): its result is the summary
        jobfiles.remove(part)
        final, final_name = None, None
    now = utcnow()
    done = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.attempts == attempt, Job.claimed_by == worker, Job.status == "running")
        .values(
            status=JobStatus.DONE.value,
            result_file=final_name,
            result_name=result.name or None,
            result_type=result.mimetype or None,
            result_rows=result.rows,
            summary=result.summary,
            # Finished: all of what it counted (offices, feeds, rows) is done.
            done_count=func.coalesce(Job.total_count, result.rows, Job.done_count),
            total_count=func.coalesce(Job.total_count, result.rows),
            finished_at=now,
            expires_at=now + timedelta(hours=float(job_option("JOB_FILE_HOURS"))),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if not done:  # recovered while we ran: another attempt owns the job now
        jobfiles.remove(final)
        return "lost"
    call_finished_hooks(job_id)
    return "done"


def _fail(job_id: str, attempt: int, output: jobfiles.EncryptedWriter, part: Path, reason: str) -> str:
    output.abandon()
    jobfiles.remove(part)
    db.session.rollback()
    db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.attempts == attempt, Job.status == JobStatus.RUNNING.value)
        .values(status=JobStatus.FAILED.value, error=reason[:500], finished_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    call_finished_hooks(job_id)
    return "failed"


def recover_abandoned(now: datetime | None = None) -> list[str]:
    """Jobs whose worker stopped (no heartbeat for JOB_HEARTBEAT_TIMEOUT): queued again, or failed after
    JOB_MAX_ATTEMPTS; the part file the dead run left is deleted."""
    now = now or utcnow()
    cutoff = now - timedelta(seconds=float(job_option("JOB_HEARTBEAT_TIMEOUT")))
    stuck = db.session.execute(
        select(Job.id, Job.attempts).where(Job.status == JobStatus.RUNNING.value, Job.heartbeat_at < cutoff)
    ).all()
    limit = int(job_option("JOB_MAX_ATTEMPTS"))
    for job_id, attempt in stuck:
        jobfiles.remove(part_path(job_id, attempt))
        values: dict = {"status": JobStatus.QUEUED.value, "claimed_by": None, "message": "restarted"}
        if attempt >= limit:
            values = {
                "status": JobStatus.FAILED.value,
                "error": f"The worker stopped {attempt} times while building this; retry it, or narrow the filters.",
                "finished_at": now,
            }
        db.session.execute(
            update(Job)
            .where(Job.id == job_id, Job.attempts == attempt, Job.status == JobStatus.RUNNING.value)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    db.session.commit()
    return [job_id for job_id, _ in stuck]


class JobLoop:
    """Runs beside the delivery claim loop in `deliveries work`: claims jobs into a few threads of its own."""

    def __init__(self, app, worker: str, stop: threading.Event, wake: threading.Event, burst: bool = False):
        self.app, self.worker, self.stop, self.wake, self.burst = app, worker, stop, wake, burst
        with app.app_context():
            self.concurrency = max(1, int(job_option("JOB_CONCURRENCY")))
            self.poll_interval = float(job_option("JOB_POLL_INTERVAL"))
        self.threads: list[threading.Thread] = []
        self.finished = 0

    def start(self) -> None:
        for n in range(self.concurrency):
            thread = threading.Thread(target=self._run, name=f"jobs-{n}", daemon=True)
            thread.start()
            self.threads.append(thread)

    def join(self) -> None:
        for thread in self.threads:
            thread.join()

    def _run(self) -> None:
        with self.app.app_context():
            last_upkeep = float("-inf")
            while not self.stop.is_set():
                try:
                    if time.monotonic() - last_upkeep > 30:
                        recover_abandoned()
                        expire_files()
                        last_upkeep = time.monotonic()
                    claims = claim(self.worker, 1)
                except SQLAlchemyError as exc:
                    log.warning("job loop: database unavailable (%s)", type(exc).__name__)
                    db.session.rollback()
                    self.stop.wait(self.poll_interval)
                    continue
                for job_id, attempt in claims:
                    run(job_id, attempt, self.worker)
                    self.finished += 1
                if claims:
                    continue
                if self.burst:
                    return
                self.wake.wait(self.poll_interval)
                self.wake.clear()
