"""Background jobs (large exports, packet bundles, "scan now"): what a job is, how a feature asks for one, and
its result file's life. The workers claim and run them (`advocacy.delivery.jobrunner`).

A feature adds a kind with `@job_kind("name")`: a function (job, output, progress) -> JobResult, in a module
listed in `advocacy.JOB_MODULES`. Params are JSON and never hold personal data.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from flask import current_app
from sqlalchemy import JSON, ForeignKey, Index, String, func, select, update
from sqlalchemy.orm import Mapped, mapped_column

from advocacy.db import utcnow
from advocacy.delivery import jobfiles, wakeup
from advocacy.extensions import db

log = logging.getLogger(__name__)

DEFAULTS = {
    "JOB_CONCURRENCY": 1,  # jobs at once in one worker process
    "JOB_MAX_RUNNING": 2,  # jobs running at once across every worker
    "JOB_MAX_PER_USER": 2,  # jobs one person may have queued or running
    "JOB_MAX_ATTEMPTS": 3,  # runs before a job that keeps killing its worker is failed
    "JOB_HEARTBEAT_TIMEOUT": 120,  # seconds without progress before a running job counts as abandoned
    "JOB_FILE_HOURS": 24,  # how long a finished job's file can be downloaded
    "JOB_POLL_INTERVAL": 2.0,
}
HEARTBEAT_EVERY = 2.0


def job_option(name: str):
    return current_app.config.get(name, DEFAULTS[name])


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    EXPIRED = "expired"


ACTIVE = (JobStatus.QUEUED.value, JobStatus.RUNNING.value)


class Job(db.Model):
    """One piece of long work, who asked for it, how far it got, and where its result is."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    kind: Mapped[str] = mapped_column(String(30))
    params: Mapped[dict] = mapped_column(JSON, default=dict)  # never personal data
    # The campaign whose people the result holds: a purge of that campaign deletes the file.
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="SET NULL"), index=True)
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    email_when_done: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(10), default=JobStatus.QUEUED.value)
    done_count: Mapped[int] = mapped_column(default=0)
    total_count: Mapped[int | None]
    message: Mapped[str | None] = mapped_column(String(200))  # progress in words ("12 of 40 offices")
    error: Mapped[str | None] = mapped_column(String(500))  # why it failed, in plain words
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    heartbeat_at: Mapped[datetime | None]
    result_file: Mapped[str | None] = mapped_column(String(100))  # a name inside jobfiles.files_dir()
    result_name: Mapped[str | None] = mapped_column(String(200))  # the download's file name
    result_type: Mapped[str | None] = mapped_column(String(100))
    result_rows: Mapped[int | None]
    summary: Mapped[dict | None] = mapped_column(JSON)
    audit_event_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_jobs_status_created_at", "status", "created_at"),)

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    def downloadable(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        expires = self.expires_at
        return self.status == JobStatus.DONE.value and bool(self.result_file) and expires is not None and expires > now


@dataclass(frozen=True)
class JobResult:
    name: str  # download file name ("" for a job whose result is only its summary: the file is dropped)
    mimetype: str
    rows: int | None = None
    summary: dict | None = None


class JobFailed(Exception):  # noqa: N818 - the job's own words for why it cannot finish
    """Raise from a job with a message the person who asked can act on; the job fails without a retry."""


class Progress:
    """What a running job reports: counts and a message, written at most every HEARTBEAT_EVERY seconds on a
    connection of its own (the job's session may be streaming rows), and doubling as its heartbeat."""

    def __init__(self, job_id: str, attempt: int, clock: Callable[[], float] = time.monotonic):
        self.job_id, self.attempt, self.clock = job_id, attempt, clock
        self.last = float("-inf")

    def __call__(self, done: int, total: int | None = None, message: str | None = None, force: bool = False) -> None:
        if not force and self.clock() - self.last < HEARTBEAT_EVERY:
            return
        self.last = self.clock()
        values: dict = {"done_count": done, "heartbeat_at": utcnow()}
        if total is not None:
            values["total_count"] = total
        if message is not None:
            values["message"] = message[:200]
        with db.engine.begin() as conn:
            conn.execute(
                update(Job.__table__)
                .where(Job.id == self.job_id, Job.attempts == self.attempt, Job.status == JobStatus.RUNNING.value)
                .values(**values)
            )


Runner = Callable[[Job, jobfiles.EncryptedWriter, Progress], JobResult]
_kinds: dict[str, Runner] = {}
_finished_hooks: list[Callable[[Job], None]] = []


def job_kind(kind: str) -> Callable[[Runner], Runner]:
    def register(run: Runner) -> Runner:
        _kinds[kind] = run
        return run

    return register


def on_finished(hook: Callable[[Job], None]) -> Callable[[Job], None]:
    """Call `hook(job)` in the worker after a job is done or failed (e.g. to queue the 'ready' email)."""
    _finished_hooks.append(hook)
    return hook


def runner(kind: str) -> Runner:
    return _kinds[kind]


def call_finished_hooks(job_id: str) -> None:
    """Call the `on_finished` hooks for a job that is done or failed; a hook's failure is logged, not raised."""
    job = db.session.get(Job, job_id)
    for hook in _finished_hooks:
        try:
            hook(job)
        except Exception:  # noqa: BLE001 - a hook's failure must not undo the job
            log.exception("job %s: a finished hook failed", job_id)
            db.session.rollback()


# --- asking ---------------------------------------------------------------------------------------


class JobRefused(ValueError):
    """The job cannot be queued now (too many of this person's jobs running); the message says why."""


def enqueue(kind: str, params: dict, *, user_id: int | None, campaign_id: int | None, email: bool = False) -> Job:
    """Queue a job (committed) and wake the workers; JobRefused when this person already has enough running."""
    if kind not in _kinds:
        raise ValueError(f"unknown job kind {kind!r}")
    if user_id is not None:
        active = db.session.scalar(select(func.count()).where(Job.requested_by == user_id, Job.status.in_(ACTIVE)))
        limit = int(job_option("JOB_MAX_PER_USER"))
        if active >= limit:
            raise JobRefused(
                f"You already have {active} job(s) running (at most {limit} at once). "
                "Wait for one to finish, then try again."
            )
    job = Job(kind=kind, params=params, requested_by=user_id, campaign_id=campaign_id, email_when_done=email)
    db.session.add(job)
    db.session.commit()
    wakeup.notify_workers()
    return job


def retry(job: Job) -> None:
    """Queue a failed job again (its attempts start over)."""
    if job.status != JobStatus.FAILED.value:
        raise JobRefused("Only a job that failed can be retried.")
    job.status, job.error, job.attempts, job.done_count, job.message = JobStatus.QUEUED.value, None, 0, 0, None
    db.session.commit()
    wakeup.notify_workers()


def expire_files(now: datetime | None = None) -> int:
    """Delete the files of finished jobs whose link has expired; the job stays, marked expired."""
    now = now or utcnow()
    jobs = db.session.scalars(select(Job).where(Job.status == JobStatus.DONE.value, Job.expires_at <= now)).all()
    for job in jobs:
        _delete_file(job)
        job.status = JobStatus.EXPIRED.value
    db.session.commit()
    return len(jobs)


def _delete_file(job: Job) -> None:
    if job.result_file:
        jobfiles.remove(jobfiles.files_dir() / job.result_file)
        job.result_file = None


def delete_campaign_files(campaign_ids) -> int:
    """Delete every stored file of jobs about these campaigns (a purge or an erasure touched their people).
    Simpler than matching date ranges and filters, and never leaves a purged person in a file."""
    ids = list(campaign_ids)
    if not ids:
        return 0
    jobs = db.session.scalars(select(Job).where(Job.campaign_id.in_(ids), Job.result_file.is_not(None))).all()
    for job in jobs:
        _delete_file(job)
        job.status = JobStatus.EXPIRED.value
        job.error = "Deleted: the campaign's personal data was purged."
    db.session.commit()
    return len(jobs)


def result_path(job: Job) -> Path:
    return jobfiles.files_dir() / job.result_file


def part_path(job_id: str, attempt: int) -> Path:
    """Where one run of a job writes its result until it is complete."""
    return jobfiles.files_dir() / f"{job_id}.{attempt}.part"
