"""'Scan now' from the monitored-feeds page: the statement scan as a background job of the delivery workers."""

from __future__ import annotations

from sqlalchemy import select

from advocacy.campaigns.models import Campaign
from advocacy.delivery import jobfiles, jobs
from advocacy.delivery.jobs import Job, JobFailed, JobResult, Progress
from advocacy.extensions import db
from advocacy.statements.monitor import keywords_of, scan

SCAN = "scan"


def queue_scan(campaign: Campaign, user_id: int) -> Job:
    """Queue a scan of the campaign's feeds (JobRefused when this person has too many jobs running)."""
    return jobs.enqueue(SCAN, {"campaign": campaign.slug}, user_id=user_id, campaign_id=campaign.id)


def latest_scan(campaign: Campaign) -> Job | None:
    stmt = select(Job).where(Job.kind == SCAN, Job.campaign_id == campaign.id).order_by(Job.created_at.desc())
    return db.session.scalars(stmt.limit(1)).first()


@jobs.job_kind(SCAN)
def run_scan(job: Job, output: jobfiles.EncryptedWriter, progress: Progress) -> JobResult:
    campaign = db.session.get(Campaign, job.campaign_id) if job.campaign_id else None
    if campaign is None:
        raise JobFailed("The campaign no longer exists.")
    if not keywords_of(campaign):
        raise JobFailed("The campaign has no keywords to look for: add some, then scan again.")
    progress(0, None, "reading feeds", force=True)
    summary = scan([campaign], progress=lambda done, total: progress(done, total, f"{done} of {total} feeds read"))
    lines = summary.lines(per_feed=False)
    return JobResult(
        "",
        "",
        rows=summary.feeds,
        summary={"lines": lines, "new_candidates": summary.new_candidates, "failed": summary.failed},
    )
