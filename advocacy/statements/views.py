"""Organizer pages: record and edit statements, list and filter them, the monitor's feeds and review queue."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from advocacy.auth.access import role_required
from advocacy.auth.models import Role, User
from advocacy.campaigns.services import campaign_by_slug_or_404, campaign_row_or_404
from advocacy.congress.history import offices_as_of
from advocacy.congress.offices import current_offices, office_for, office_matches
from advocacy.db import utcnow
from advocacy.delivery.jobs import JobRefused
from advocacy.extensions import db
from advocacy.places import STATE_NAMES
from advocacy.stances import KIND_LABELS, Stance
from advocacy.statements import alerts, govinfo, scan_job
from advocacy.statements.discovery import Recognition, recognize, refused_address
from advocacy.statements.feed_status import member_feeds
from advocacy.statements.feeds import normalize_url
from advocacy.statements.forms import EmptyForm, FeedForm, StatementForm
from advocacy.statements.matching import highlight
from advocacy.statements.models import (
    CandidateStatus,
    FeedState,
    MonitoredFeed,
    SourceKind,
    Statement,
    StatementCandidate,
)
from advocacy.statements.monitor import source_flag
from advocacy.statements.scoreboard import group_of, office_label
from advocacy.statements.services import (
    StatementError,
    get_statement,
    record_statement,
    statements_for,
    update_statement,
)

bp = Blueprint("statements", __name__, url_prefix="/organizer/campaigns/<slug>/statements")


def _office_names(ids) -> dict[str, str]:
    names = {}
    for bioguide_id in ids:
        office = office_for(bioguide_id, include_former=True)
        names[bioguide_id] = office_label(office) if office else bioguide_id
    return names


def _pending_count(campaign_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(StatementCandidate)
        .where(
            StatementCandidate.campaign_id == campaign_id, StatementCandidate.status == CandidateStatus.PENDING.value
        )
    )


# --- Statements ---------------------------------------------------------------------------------


@bp.get("/")
@role_required(Role.ORGANIZER)
def index(slug: str):
    campaign = campaign_by_slug_or_404(slug)
    filters = {
        "stance": request.args.get("stance", ""),
        "kind": request.args.get("kind", ""),
        "chamber": request.args.get("chamber", ""),
        "state": request.args.get("state", "").upper(),
    }
    statements = statements_for(campaign.id)
    # Each statement names its member as they were in the Congress of its date (party, seat: kept rosters).
    then = offices_as_of({(s.bioguide_id, s.date) for s in statements})
    offices = {s.id: then.get((s.bioguide_id, s.date)) for s in statements}
    shown = [
        s
        for s in statements
        if (not filters["stance"] or s.stance == filters["stance"])
        and (not filters["kind"] or s.kind == filters["kind"])
        and (not filters["chamber"] or (offices[s.id] and group_of(offices[s.id]) == filters["chamber"]))
        and (not filters["state"] or (offices[s.id] and offices[s.id].state == filters["state"]))
    ]
    return render_template(
        "statements/index.html",
        campaign=campaign,
        statements=shown,
        total=len(statements),
        filters=filters,
        names={sid: office_label(o) for sid, o in offices.items() if o},
        kinds=KIND_LABELS,
        stances=list(Stance),
        states=STATE_NAMES,
        pending=_pending_count(campaign.id),
    )


def _statement_form(query: str = "", extra: tuple[str, str] | None = None, **kwargs) -> StatementForm:
    form = StatementForm(**kwargs)
    offices = current_offices()
    if request.method == "GET" and query:
        offices = [o for o in offices if office_matches(o, query)]
    form.set_offices(offices, extra)
    return form


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def new(slug: str):
    campaign = campaign_by_slug_or_404(slug)
    query = request.args.get("q", "").strip()[:100]
    form = _statement_form(query)
    if request.method == "GET":
        form.date.data = form.date.data or dt.date.today()
        form.kind.data = form.kind.data or "press_release"
        matches = [c.value for c in form.bioguide_id.choices if c.value]
        if query and len(matches) == 1:
            form.bioguide_id.data = matches[0]
    if form.validate_on_submit():
        try:
            statement = record_statement(campaign.id, form.to_input(), current_user.id)
        except StatementError as exc:
            form.show_errors(exc.fields)
        else:
            flash(f"Statement recorded for {office_label(office_for(statement.bioguide_id))}.", "info")
            return redirect(url_for(".index", slug=slug))
    status = 400 if request.method == "POST" else 200
    return render_template("statements/form.html", campaign=campaign, form=form, query=query, statement=None), status


@bp.route("/<int:statement_id>/edit", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def edit(slug: str, statement_id: int):
    campaign = campaign_by_slug_or_404(slug)
    statement = get_statement(campaign.id, statement_id)
    if statement is None:
        abort(404)
    query = request.args.get("q", "").strip()[:100]
    current = office_for(statement.bioguide_id, include_former=True)
    extra = (statement.bioguide_id, office_label(current) + " (former)" if current else statement.bioguide_id)
    form = _statement_form(query, extra, obj=statement)
    if form.validate_on_submit():
        try:
            changed = update_statement(statement, form.to_input(), current_user.id)
        except StatementError as exc:
            form.show_errors(exc.fields)
        else:
            flash("Statement updated." if changed else "Nothing changed.", "info")
            return redirect(url_for(".index", slug=slug))
    names = _office_names({r.bioguide_id for r in statement.revisions} | {statement.bioguide_id})
    status = 400 if request.method == "POST" else 200
    return render_template(
        "statements/form.html",
        campaign=campaign,
        form=form,
        query=query,
        statement=statement,
        names=names,
        kinds=KIND_LABELS,
        editors=_editors(statement),
    ), status


def _editors(statement: Statement) -> dict[int, str]:
    ids = {r.changed_by_id for r in statement.revisions if r.changed_by_id} | (
        {statement.recorded_by_id} if statement.recorded_by_id else set()
    )
    if not ids:
        return {}
    return {uid: email for uid, email in db.session.execute(select(User.id, User.email).where(User.id.in_(ids)))}


# --- Monitored feeds ----------------------------------------------------------------------------


def _feeds_page(campaign, form: FeedForm, status: int = 200, offer=None):
    feeds = db.session.scalars(
        select(MonitoredFeed).where(MonitoredFeed.campaign_id == campaign.id).order_by(MonitoredFeed.created_at)
    ).all()
    states = (
        {s.url: s for s in db.session.scalars(select(FeedState).where(FeedState.url.in_([f.url for f in feeds]))).all()}
        if feeds
        else {}
    )
    record = _record_source(campaign)
    return render_template(
        "statements/feeds.html",
        scan_job=scan_job.latest_scan(campaign),
        scan_form=EmptyForm(),
        campaign=campaign,
        feeds=feeds,
        states=states,
        form=form,
        remove_form=EmptyForm(),
        names=_office_names({f.bioguide_id for f in feeds if f.bioguide_id}),
        member_feeds=member_feeds(utcnow()),
        offer=offer,
        flags={url: flag for url, state in states.items() if (flag := source_flag(state, utcnow()))},
        record=record,
    ), status


def _record_source(campaign) -> dict:
    """The Congressional Record's row on the feeds page: whether it is read at all (a GovInfo key is set), its
    last read, whether it needs attention, and how many candidates it has given this campaign."""
    state = db.session.scalar(select(FeedState).where(FeedState.url == govinfo.SOURCE_URL))
    found = db.session.scalar(
        select(func.count())
        .select_from(StatementCandidate)
        .where(StatementCandidate.campaign_id == campaign.id, StatementCandidate.feed_url == govinfo.SOURCE_URL)
    )
    return {
        "configured": bool(current_app.config["ADVOCACY_SETTINGS"].govinfo_api_key),
        "state": state,
        "flag": source_flag(state, utcnow()),
        "found": found or 0,
    }


@bp.get("/feeds")
@role_required(Role.ORGANIZER)
def feeds(slug: str):
    campaign = campaign_by_slug_or_404(slug)
    form = FeedForm()
    form.set_offices(current_offices())
    return _feeds_page(campaign, form)


@bp.post("/feeds/scan")
@role_required(Role.ORGANIZER)
def scan_now(slug: str):
    """Run the statement scan for this campaign now, as a background job; the feeds page follows it."""
    campaign = campaign_by_slug_or_404(slug)
    if EmptyForm().validate_on_submit():
        try:
            scan_job.queue_scan(campaign, current_user.id)
        except JobRefused as exc:
            flash(str(exc), "error")
    return redirect(url_for(".feeds", slug=slug), 303)


@bp.post("/feeds")
@role_required(Role.ORGANIZER)
def add_feed(slug: str):
    """Add a feed or a press page. The address is checked and read once now: a feed is added; a web page
    that links to a feed offers that feed or the page itself; a page without a feed is watched as a page."""
    campaign = campaign_by_slug_or_404(slug)
    form = FeedForm()
    form.set_offices(current_offices())
    if not form.validate_on_submit():
        return _feeds_page(campaign, form, 400)
    url = normalize_url(form.url.data)
    refused = refused_address(url)
    if refused:
        form.url.errors = [*form.url.errors, refused]
        return _feeds_page(campaign, form, 400)
    exists = db.session.scalar(
        select(MonitoredFeed.id).where(MonitoredFeed.campaign_id == campaign.id, MonitoredFeed.url == url)
    )
    if exists:
        flash("That address is already monitored.", "info")
        return redirect(url_for(".feeds", slug=slug))
    kind = form.watch.data or ""
    if not kind:
        db.session.commit()  # no transaction (nor pooled connection) held while the address is fetched
        found = recognize(url)
        if found.kind == "unreadable":
            form.url.errors = [*form.url.errors, f"The monitor cannot read this address: {found.reason}."]
            return _feeds_page(campaign, form, 400)
        if found.kind == "page" and found.feed_url:
            return _feeds_page(campaign, form, 200, offer=(url, found))
        kind = SourceKind.PAGE.value if found.kind == "page" else SourceKind.FEED.value
        flash(_added_message(found), "info")
    else:
        flash("Added. The next `statements scan` will read it.", "info")
    db.session.add(
        MonitoredFeed(
            campaign_id=campaign.id,
            url=url,
            label=(form.label.data or "").strip(),
            kind=kind,
            bioguide_id=form.bioguide_id.data or None,
            added_by_id=current_user.id,
        )
    )
    db.session.commit()
    return redirect(url_for(".feeds", slug=slug))


def _added_message(found: Recognition) -> str:
    if found.kind == "feed":
        return f"Feed added: {found.items} items in it now, {found.dated} of them dated."
    if found.kind == "page":
        return (
            "This address is a web page without a feed, so the monitor will watch the page itself: new headline "
            f"links on it ({found.items} now) that mention the campaign's keywords go to the review queue."
        )
    return f"Added, but it could not be read just now ({found.reason}). The next scan will try again."


@bp.post("/feeds/<int:feed_id>/remove")
@role_required(Role.ORGANIZER)
def remove_feed(slug: str, feed_id: int):
    campaign = campaign_by_slug_or_404(slug)
    feed = campaign_row_or_404(MonitoredFeed, feed_id, campaign)
    if not EmptyForm().validate_on_submit():
        abort(400)
    db.session.delete(feed)
    db.session.commit()
    flash("Feed removed.", "info")
    return redirect(url_for(".feeds", slug=slug))


# --- Review queue ---------------------------------------------------------------------------------


def _candidate(campaign, candidate_id: int) -> StatementCandidate:
    return campaign_row_or_404(StatementCandidate, candidate_id, campaign)


@bp.get("/review")
@role_required(Role.ORGANIZER)
def review(slug: str):
    campaign = campaign_by_slug_or_404(slug)
    status = request.args.get("status", CandidateStatus.PENDING.value)
    if status not in {s.value for s in CandidateStatus}:
        status = CandidateStatus.PENDING.value
    candidates = db.session.scalars(
        select(StatementCandidate)
        .where(StatementCandidate.campaign_id == campaign.id, StatementCandidate.status == status)
        # An undated item sorts by when it was found, among dated ones, rather than sinking to the bottom.
        .order_by(
            func.coalesce(StatementCandidate.published, StatementCandidate.created_at).desc(),
            StatementCandidate.id.desc(),
        )
        .limit(500)
    ).all()
    return render_template(
        "statements/review.html",
        campaign=campaign,
        candidates=candidates,
        groups=_by_office(candidates),
        status=status,
        statuses=[s.value for s in CandidateStatus],
        names=_office_names({c.bioguide_id for c in candidates if c.bioguide_id}),
        dismiss_form=EmptyForm(),
        alerting=alerts.has_alert(campaign.id, current_user.id),
    )


@bp.post("/alerts")
@role_required(Role.ORGANIZER)
def candidate_alerts(slug: str):
    """Opt in to (or out of) an email when the monitor queues new candidates for this campaign."""
    campaign = campaign_by_slug_or_404(slug)
    if EmptyForm().validate_on_submit():
        on = request.form.get("alerts") == "on"
        alerts.set_alert(campaign.id, current_user.id, on)
        flash("You will be emailed when new items arrive." if on else "No more emails about new items.", "info")
    return redirect(url_for(".review", slug=slug))


def _by_office(candidates: list[StatementCandidate]) -> list[tuple[str | None, list[StatementCandidate]]]:
    """The candidates grouped by the office they are attributed to (None: no office named yet), groups in the
    order of their newest candidate, so one office's ten releases read as one item of news."""
    groups: dict[str | None, list[StatementCandidate]] = {}
    for candidate in candidates:
        groups.setdefault(candidate.bioguide_id, []).append(candidate)
    return list(groups.items())


@bp.app_template_filter("highlight")
def highlight_filter(text: str, keyword: str):
    """The matched passage, escaped, with the keyword in <mark>."""
    return highlight(text, keyword)


@bp.route("/review/<int:candidate_id>", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def accept(slug: str, candidate_id: int):
    campaign = campaign_by_slug_or_404(slug)
    candidate = _candidate(campaign, candidate_id)
    query = request.args.get("q", "").strip()[:100]
    form = _statement_form(query)
    if request.method == "GET":
        form.bioguide_id.data = candidate.bioguide_id or ""
        # Never today by default: a 2013 release would be recorded as said today. Empty when no date was
        # found, and required, so the organizer reads the source and gives it.
        form.date.data = candidate.published.date() if candidate.published else None
        form.kind.data = "press_release"
        form.stance.data = Stance.SUPPORTS.value
        form.source_url.data = candidate.url
        form.quote_or_summary.data = candidate.snippet
    if candidate.status == CandidateStatus.PENDING.value and form.validate_on_submit():
        try:
            statement = record_statement(campaign.id, form.to_input(), current_user.id, commit=False)
        except StatementError as exc:
            db.session.rollback()
            form.show_errors(exc.fields)
        else:
            _mark(candidate, CandidateStatus.ACCEPTED, statement.id)
            flash(f"Statement recorded for {office_label(office_for(statement.bioguide_id))}.", "info")
            return redirect(url_for(".review", slug=slug))
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and candidate.status != CandidateStatus.PENDING.value:
        flash("This item was already reviewed.", "info")
        return redirect(url_for(".review", slug=slug))
    return render_template(
        "statements/accept.html",
        campaign=campaign,
        candidate=candidate,
        form=form,
        query=query,
        dismiss_form=EmptyForm(),
    ), status


@bp.post("/review/<int:candidate_id>/dismiss")
@role_required(Role.ORGANIZER)
def dismiss(slug: str, candidate_id: int):
    campaign = campaign_by_slug_or_404(slug)
    candidate = _candidate(campaign, candidate_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if candidate.status == CandidateStatus.PENDING.value:
        _mark(candidate, CandidateStatus.DISMISSED, None)
        flash("Dismissed.", "info")
    return redirect(url_for(".review", slug=slug))


def _mark(candidate: StatementCandidate, status: CandidateStatus, statement_id: int | None) -> None:

    candidate.status = status.value
    candidate.statement_id = statement_id
    candidate.reviewed_by_id = current_user.id
    candidate.reviewed_at = utcnow()
    db.session.commit()
