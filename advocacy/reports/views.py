"""Staff pages: campaign list, dashboard, exports, the contact list and delivery packets."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from typing import IO

from flask import (
    Blueprint,
    Response,
    abort,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from sqlalchemy import func, select

from advocacy.auth.access import role_required
from advocacy.auth.models import Role
from advocacy.campaigns.models import Campaign
from advocacy.campaigns.services import campaign_by_slug_or_404
from advocacy.db import utcnow
from advocacy.delivery import jobfiles, jobs
from advocacy.delivery.jobs import Job, JobRefused
from advocacy.extensions import db
from advocacy.reports import audit, export_jobs
from advocacy.reports.charts import bar_chart
from advocacy.reports.dashboard import MAX_DAILY_BARS, build_dashboard, by_week, campaign_letter_counts
from advocacy.reports.exports import (
    FORMATS,
    KINDS,
    MIMETYPES,
    ExportError,
    build_export,
    contacts_query,
    csv_chunks,
    export_filename,
    write_xlsx,
)
from advocacy.reports.filters import CHAMBERS, DELIVERY_STATUSES, FilterError, ReportFilters, parse_filters
from advocacy.reports.packets import (
    PacketError,
    build_packet,
    find_office,
    packet_filename,
    packet_offices,
    write_packets_zip,
)
from advocacy.reports.sql import deliveries, letter_conditions, letters

bp = Blueprint("reports", __name__, url_prefix="/staff")

CONTACTS_PAGE = 50
# Beyond this a ZIP of packets is a job for `flask reports packets`, not a web request.
MAX_WEB_PACKET_LETTERS = 20_000


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


def _spooled(write: Callable[[IO[bytes]], int], event_id: int, mimetype: str, filename: str) -> Response:
    """A download written whole to a temporary file first (`write` returns its row count, recorded on the audit
    event), then sent; the file is closed if writing fails, and by send_file once sent."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - send_file closes it once sent
    try:
        count = write(spool)
    except BaseException:
        spool.close()
        raise
    audit.set_row_count(event_id, count)
    spool.seek(0)
    return send_file(spool, mimetype=mimetype, as_attachment=True, download_name=filename)


def _matching_letters(campaign: Campaign, filters: ReportFilters) -> int:
    source = letters.join(deliveries, deliveries.c.letter_id == letters.c.id) if filters.status else letters
    stmt = select(func.count()).select_from(source).where(*letter_conditions(campaign.id, filters))
    return db.session.scalar(stmt) or 0


def _exports_page(campaign: Campaign, filters: ReportFilters | None, errors: dict[str, str], status: int = 200):
    filters_ok = filters if filters is not None else ReportFilters()
    offices = packet_offices(campaign, filters_ok) if filters is not None else []
    return render_template(
        "reports/exports.html",
        campaign=campaign,
        filters=filters_ok,
        values=request.args,
        errors=errors,
        matching=_matching_letters(campaign, filters_ok) if filters is not None else None,
        offices=offices,
        office_choices=packet_offices(campaign, ReportFilters()),  # the office picker: every office written to
        kinds=KINDS,
        formats=FORMATS,
        chambers=CHAMBERS,
        statuses=DELIVERY_STATUSES,
        max_zip=_packets_inline_limit(),
        inline_rows=export_jobs.inline_rows(),
        recent_jobs=export_jobs.visible_jobs(current_user, campaign),
    ), status


@bp.errorhandler(FilterError)
def _bad_filters(exc: FilterError):
    """Filters that do not parse, on any page here: the exports page with the errors beside the fields (400)."""
    return _exports_page(campaign_by_slug_or_404(request.view_args["slug"]), None, exc.errors, 400)


def _packets_inline_limit() -> int:
    return min(MAX_WEB_PACKET_LETTERS, export_jobs.inline_rows())


@bp.get("/campaigns")
@role_required(Role.STAFF)
def index():
    campaigns = db.session.scalars(select(Campaign).order_by(Campaign.created_at.desc(), Campaign.id.desc())).all()
    return render_template("reports/index.html", campaigns=campaigns, counts=campaign_letter_counts())


@bp.get("/campaigns/<slug>")
@role_required(Role.STAFF)
def dashboard(slug: str):
    campaign = campaign_by_slug_or_404(slug)
    data = build_dashboard(campaign)
    if len(data.per_day) > MAX_DAILY_BARS:
        chart = bar_chart("Letters per week", by_week(data.per_day))
    else:
        chart = bar_chart("Letters per day", [(d.strftime("%b %-d"), n) for d, n in data.per_day])
    return render_template("reports/dashboard.html", campaign=campaign, data=data, chart=chart)


@bp.get("/campaigns/<slug>/exports")
@role_required(Role.STAFF)
def exports(slug: str):
    campaign = campaign_by_slug_or_404(slug)
    return _exports_page(campaign, parse_filters(request.args), {})


@bp.get("/campaigns/<slug>/exports/<kind>.<fmt>")
@role_required(Role.STAFF)
def download(slug: str, kind: str, fmt: str):
    campaign = campaign_by_slug_or_404(slug)
    if kind not in KINDS or fmt not in FORMATS:
        abort(404)
    filters = parse_filters(request.args)
    try:
        export = build_export(kind, campaign, filters)
    except ExportError as exc:
        return _exports_page(campaign, None, {"export": str(exc)}, 400)
    if kind == "contacts" and (matching := _matching_letters(campaign, filters)) > export_jobs.inline_rows():
        # Too large for a web request: offer to build it in the background (a GET changes nothing).
        return render_template(
            "reports/job_start.html", campaign=campaign, kind=kind, fmt=fmt, filters=filters, matching=matching
        )
    event_id = audit.record(f"export.{kind}", campaign=slug, filters={**filters.to_json(), "format": fmt}).id
    filename = export_filename(slug, kind, fmt, utcnow().date())
    if fmt == "csv":

        def generate():
            yield from csv_chunks(export)
            audit.set_row_count(event_id, export.count)

        return Response(stream_with_context(generate()), mimetype=MIMETYPES["csv"], headers=_attachment(filename))

    def write(spool) -> int:
        write_xlsx(export, spool)
        return export.count

    return _spooled(write, event_id, MIMETYPES["xlsx"], filename)


@bp.get("/campaigns/<slug>/contacts")
@role_required(Role.STAFF)
def contacts(slug: str):
    """The contact report on screen, a page at a time. Viewing it is recorded like an export."""
    campaign = campaign_by_slug_or_404(slug)
    filters = parse_filters(request.args)
    page = max(1, request.args.get("page", 1, type=int) or 1)
    total = _matching_letters(campaign, filters)
    pages = max(1, -(-total // CONTACTS_PAGE))
    page = min(page, pages)
    rows = db.session.execute(
        contacts_query(campaign.id, filters).limit(CONTACTS_PAGE).offset((page - 1) * CONTACTS_PAGE)
    ).all()
    audit.record("view.contacts", campaign=slug, filters={**filters.to_json(), "page": page}, row_count=len(rows))
    return render_template(
        "reports/contacts.html", campaign=campaign, rows=rows, filters=filters, page=page, pages=pages, total=total
    )


@bp.get("/campaigns/<slug>/packets/<office_key>.pdf")
@role_required(Role.STAFF)
def packet(slug: str, office_key: str):
    campaign = campaign_by_slug_or_404(slug)
    filters = parse_filters(request.args)
    try:
        office = find_office(campaign, office_key, filters)
        volume = request.args.get("part", 1, type=int) or 1
        data, count = build_packet(campaign, office, filters, volume)
    except PacketError:
        abort(404)
    audit.record(
        "export.packet",
        campaign=slug,
        filters={**filters.to_json(), "office": office.office_key, "part": volume},
        row_count=count,
    )
    filename = packet_filename(slug, office.office_key, volume, office.volumes, utcnow().date())
    return Response(data, mimetype="application/pdf", headers=_attachment(filename))


@bp.get("/campaigns/<slug>/packets.zip")
@role_required(Role.STAFF)
def packets_zip(slug: str):
    campaign = campaign_by_slug_or_404(slug)
    filters = parse_filters(request.args)
    matching = _matching_letters(campaign, filters)
    if matching > _packets_inline_limit():
        return render_template(
            "reports/job_start.html", campaign=campaign, kind="packets", fmt="zip", filters=filters, matching=matching
        )
    event_id = audit.record("export.packets", campaign=slug, filters=filters.to_json()).id
    filename = f"{slug}-packets-{utcnow().date().isoformat()}.zip"
    return _spooled(lambda spool: write_packets_zip(campaign, filters, spool)[1], event_id, "application/zip", filename)


# --- exports built in the background (advocacy.delivery.jobs) ---------------------------------------


@bp.post("/campaigns/<slug>/exports/<kind>.<fmt>/job")
@role_required(Role.STAFF)
def start_job(slug: str, kind: str, fmt: str):
    campaign = campaign_by_slug_or_404(slug)
    if not ((kind in KINDS and fmt in FORMATS) or (kind, fmt) == ("packets", "zip")):
        abort(404)
    filters = parse_filters(request.form)
    matching = _matching_letters(campaign, filters)
    email = request.form.get("email_me") == "1"
    try:
        if kind == "packets":
            job = export_jobs.queue_packets(campaign, filters, matching, current_user.id, email)
        else:
            job = export_jobs.queue_export(campaign, kind, fmt, filters, matching, current_user.id, email)
    except JobRefused as exc:
        return _exports_page(campaign, filters, {"export": str(exc)}, 429)
    return redirect(url_for("reports.job", job_id=job.id), 303)


def _job_or_404(job_id: str) -> Job:
    job = db.session.get(Job, job_id) if len(job_id) == 36 else None
    # Someone else's job is as absent as a job that never was.
    if job is None or job.kind not in (export_jobs.EXPORT, export_jobs.PACKETS):
        abort(404)
    if not export_jobs.may_read(job, current_user):
        abort(404)
    return job


def _job_state(job: Job) -> dict:
    return {
        "status": job.status,
        "done": job.done_count,
        "total": job.total_count,
        "message": job.message,
        "error": job.error,
        "download": url_for("reports.job_download", job_id=job.id) if job.downloadable() else None,
        "expires_at": job.expires_at.isoformat() if job.expires_at else None,
    }


@bp.get("/jobs/<job_id>")
@role_required(Role.STAFF)
def job(job_id: str):
    job = _job_or_404(job_id)
    campaign = db.session.get(Campaign, job.campaign_id) if job.campaign_id else None
    return render_template("reports/job.html", job=job, campaign=campaign, state=_job_state(job))


@bp.get("/jobs/<job_id>.json")
@role_required(Role.STAFF)
def job_status(job_id: str):
    return jsonify(_job_state(_job_or_404(job_id)))


@bp.post("/jobs/<job_id>/retry")
@role_required(Role.STAFF)
def job_retry(job_id: str):
    job = _job_or_404(job_id)
    try:
        jobs.retry(job)
    except JobRefused:
        pass  # not failed (any more): the page shows what it is
    return redirect(url_for("reports.job", job_id=job.id), 303)


@bp.get("/jobs/<job_id>/download")
@role_required(Role.STAFF)
def job_download(job_id: str):
    job = _job_or_404(job_id)
    if not job.downloadable():
        return render_template("reports/job.html", job=job, campaign=None, state=_job_state(job)), 410
    path = jobs.result_path(job)
    chunks = jobfiles.read_chunks(path, jobfiles.file_key(), job.id)
    try:
        first = next(chunks)  # opens and checks the file before the response starts
    except (OSError, jobfiles.DamagedFile):
        abort(410)
    slug = db.session.scalar(select(Campaign.slug).where(Campaign.id == job.campaign_id))
    audit.record("export.download", campaign=slug, filters={"job": job.id}, row_count=job.result_rows)

    def body():
        yield first
        yield from chunks

    headers = {**_attachment(job.result_name), "Cache-Control": "no-store"}
    return Response(body(), mimetype=job.result_type, headers=headers)
