"""Exports too large for a web request, built by the workers as jobs (advocacy.delivery.jobs).

A small export still downloads at once; above EXPORT_INLINE_ROWS matching letters (and for every packet bundle
above the web limit), the page queues a job instead. The finished file is encrypted at rest, downloadable by the
person who asked (and admins) until its link expires, and announced by email when they asked for it.
"""

from __future__ import annotations

import tempfile

from flask import current_app
from sqlalchemy import select

from advocacy.auth.models import Role, User
from advocacy.campaigns.models import Campaign
from advocacy.db import utcnow
from advocacy.delivery import jobfiles, jobs, kinds
from advocacy.delivery.jobs import Job, JobFailed, JobResult, Progress
from advocacy.delivery.models import Delivery
from advocacy.delivery.options import settings
from advocacy.extensions import db
from advocacy.reports import audit
from advocacy.reports.exports import MIMETYPES, ExportError, build_export, csv_chunks, export_filename, write_xlsx
from advocacy.reports.filters import FilterError, ReportFilters, parse_filters
from advocacy.reports.packets import packet_offices, write_packets_zip

EXPORT = "export"
PACKETS = "packets"
READY_MAIL = "export-ready"
DEFAULT_INLINE_ROWS = 50_000


def inline_rows() -> int:
    """Exports of more matching letters than this are built in the background (ADVOCACY_EXPORT_INLINE_ROWS)."""
    return int(current_app.config.get("EXPORT_INLINE_ROWS", DEFAULT_INLINE_ROWS))


def queue_export(
    campaign: Campaign, kind: str, fmt: str, filters: ReportFilters, matching: int, user_id: int, email: bool
) -> Job:
    """Record the request in the audit log and queue the job (JobRefused when the person has too many)."""
    params = {"kind": kind, "format": fmt, "filters": filters.query_args(), "matching": matching}
    job = jobs.enqueue(EXPORT, params, user_id=user_id, campaign_id=campaign.id, email=email)
    event = audit.record(
        f"export.{kind}", campaign=campaign.slug, filters={**filters.to_json(), "format": fmt, "job": job.id}
    )
    job.audit_event_id = event.id
    db.session.commit()
    return job


def queue_packets(campaign: Campaign, filters: ReportFilters, matching: int, user_id: int, email: bool) -> Job:
    params = {"filters": filters.query_args(), "matching": matching}
    job = jobs.enqueue(PACKETS, params, user_id=user_id, campaign_id=campaign.id, email=email)
    event = audit.record("export.packets", campaign=campaign.slug, filters={**filters.to_json(), "job": job.id})
    job.audit_event_id = event.id
    db.session.commit()
    return job


def _campaign_and_filters(job: Job) -> tuple[Campaign, ReportFilters]:
    campaign = db.session.get(Campaign, job.campaign_id) if job.campaign_id else None
    if campaign is None:
        raise JobFailed("The campaign no longer exists.")
    try:
        return campaign, parse_filters(job.params.get("filters", {}))
    except FilterError as exc:
        raise JobFailed("The filters are no longer valid: " + "; ".join(exc.errors.values())) from None


@jobs.job_kind(EXPORT)
def run_export(job: Job, output: jobfiles.EncryptedWriter, progress: Progress) -> JobResult:
    campaign, filters = _campaign_and_filters(job)
    kind, fmt, total = job.params["kind"], job.params["format"], job.params.get("matching")
    try:
        export = build_export(kind, campaign, filters)
    except ExportError as exc:
        raise JobFailed(str(exc)) from None
    unit = "letters" if kind == "contacts" else "rows"

    def report(count: int) -> None:
        progress(count, total if kind == "contacts" else None, f"{count:,} {unit} written")

    progress(0, total if kind == "contacts" else None, "started", force=True)
    if fmt == "csv":
        for chunk in csv_chunks(export, report):
            output.write(chunk)
    else:
        with tempfile.TemporaryFile() as spool:  # unlinked: a killed worker leaves nothing behind
            write_xlsx(export, spool, report)
            progress(export.count, None, f"{export.count:,} {unit} written; saving", force=True)
            jobfiles.copy_into(spool, output)
    name = export_filename(campaign.slug, kind, fmt, utcnow().date())
    return JobResult(name, MIMETYPES[fmt], rows=export.count)


@jobs.job_kind(PACKETS)
def run_packets(job: Job, output: jobfiles.EncryptedWriter, progress: Progress) -> JobResult:
    campaign, filters = _campaign_and_filters(job)
    files = sum(office.volumes for office in packet_offices(campaign, filters))
    progress(0, files, f"0 of {files} packets", force=True)
    with tempfile.TemporaryFile() as spool:
        _files, letters = write_packets_zip(
            campaign, filters, spool, lambda done, _letters: progress(done, files, f"{done} of {files} packets")
        )
        jobfiles.copy_into(spool, output)
    name = f"{campaign.slug}-packets-{utcnow().date().isoformat()}.zip"
    return JobResult(name, MIMETYPES["zip"], rows=letters, summary={"files": files})


@jobs.on_finished
def announce(job: Job) -> None:
    """Fill in the audit event's row count, and queue the 'ready' mail for whoever asked for one."""
    if job.kind not in (EXPORT, PACKETS):
        return
    if job.status == jobs.JobStatus.DONE.value and job.audit_event_id and job.result_rows is not None:
        audit.set_row_count(job.audit_event_id, job.result_rows)
    if job.email_when_done and job.requested_by:
        db.session.add(Delivery(**kinds.row(READY_MAIL, action_id=None, ref=job.id, dedupe_key=f"job:{job.id}")))
        db.session.commit()


@kinds.renderer(READY_MAIL)
def render_ready(delivery) -> kinds.Email:
    """To the staff member who asked: a link to the job's page (sign-in required), no constituent data."""
    job = db.session.get(Job, delivery.ref)
    user = db.session.get(User, job.requested_by) if job and job.requested_by else None
    if job is None or user is None or not user.active:
        raise kinds.Skip()
    site = (settings().site_url or "").rstrip("/")
    link = f"{site}/staff/jobs/{job.id}"
    if job.status == jobs.JobStatus.DONE.value:
        subject = "Your export is ready"
        text = f"Your export {job.result_name} is ready. Download it (sign-in required) before its link expires:\n\n{link}\n"
    else:
        subject = "Your export could not be built"
        text = f"Your export could not be built: {job.error}\n\nSee it, and retry, here:\n\n{link}\n"
    return kinds.Email(to=user.email, subject=subject, text=text)


def may_read(job: Job, user) -> bool:
    """The person who asked, or an admin."""
    return job.requested_by == user.id or user.has_role(Role.ADMIN)


def visible_jobs(user, campaign: Campaign) -> list[Job]:
    stmt = select(Job).where(Job.campaign_id == campaign.id, Job.kind.in_((EXPORT, PACKETS)))
    if not user.has_role(Role.ADMIN):
        stmt = stmt.where(Job.requested_by == user.id)
    return list(db.session.scalars(stmt.order_by(Job.created_at.desc()).limit(10)))
