"""Casework pages: office actions, the timeline, private case facts and files, the casework packet (organizers),
and the priority-office report (staff)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from advocacy.auth.access import role_required
from advocacy.auth.models import Role, User
from advocacy.campaigns import pickers
from advocacy.campaigns.services import campaign_by_slug_or_404
from advocacy.campaigns.snapshots import campaign_changed
from advocacy.casework import crypto, facts, priority, timeline
from advocacy.casework.actions import ActionInput, actions_for, record_action
from advocacy.casework.forms import ActionForm, EventForm, FactsForm, PacketForm, PlainForm, PriorityForm
from advocacy.casework.models import ACTION_WORDS, FileKind
from advocacy.casework.packet import build_casework_packet
from advocacy.congress.offices import current_offices, office_for
from advocacy.db import utcnow
from advocacy.extensions import db
from advocacy.inputs import accepts_upload
from advocacy.reports import audit
from advocacy.statements.forms import office_choices
from advocacy.statements.scoreboard import office_label

bp = Blueprint("casework", __name__)
PREFIX = "/organizer/campaigns/<slug>/casework"


def _upload_limit() -> int:
    """Uploads may be larger than the site's 1 MB request limit, up to CASE_FILE_MAX_BYTES (plus the form). Set by
    `accepts_upload` before anything reads the body (a blueprint's before_request ran after the form was parsed)."""
    return current_app.config["CASE_FILE_MAX_BYTES"] + 64 * 1024


# Office actions in the reader's words on the public scoreboard (the English labels stay for staff pages).
bp.add_app_template_global(ACTION_WORDS, "action_words")


@bp.app_template_global()
def priority_notes(campaign, offices) -> list:
    """For the letter review page: the writer's offices that are priority targets (offices or targets with
    `bioguide_id` or `key`)."""
    ids = [getattr(o, "bioguide_id", None) or getattr(o, "key", "") for o in offices]
    return priority.notes_for(campaign, ids)


@bp.app_template_global()
def priority_scoreboard(campaign, board) -> list:
    """For the public scoreboard: its rows for the priority offices, those that acted first."""
    return priority.priority_rows(campaign, board)


@bp.app_template_global()
def priority_progress(campaign) -> list:
    """For the staff dashboard: priority offices with their letter counts, those without letters first."""
    return priority.progress(campaign)


def _file_data(field) -> tuple[str, bytes]:
    storage = field.data
    if not storage or not getattr(storage, "filename", ""):
        return "", b""
    return storage.filename, storage.read()


def _office_form(form, offices=None):
    form.bioguide_id.choices = [SelectChoice("", "Choose an office…"), *office_choices(offices or current_offices())]
    return form


def _priority_pickers(form: PriorityForm) -> dict:
    """The priority form with the campaign pickers' search (?office_q=, ?committee_q=) and what was checked."""
    offices, committees = form.office.data or [], form.committee.data or []
    office_q = request.args.get("office_q", "")[:100]
    committee_q = request.args.get("committee_q", "")[:100]
    return {
        "priority_form": form,
        "office_q": office_q,
        "committee_q": committee_q,
        "chosen_offices": pickers.chosen_offices(offices),
        "chosen_committees": pickers.chosen_committees(committees),
        "found_offices": pickers.find_offices(office_q, exclude=offices),
        "found_committees": pickers.find_committees(committee_q, exclude=committees),
    }


def _overview(campaign, action_form=None, event_form=None, packet_form=None, priority_form=None, status=200):
    action_form = action_form or _office_form(ActionForm(prefix="action"))
    packet_form = packet_form or _office_form(PacketForm(prefix="packet"))
    actions = actions_for(campaign.id)
    names = {a.bioguide_id: office_label(o) for a in actions if (o := office_for(a.bioguide_id, include_former=True))}
    recorder_ids = {a.recorded_by_id for a in actions if a.recorded_by_id is not None}
    recorders = (
        dict(db.session.execute(select(User.id, User.email).where(User.id.in_(recorder_ids))).all())
        if recorder_ids
        else {}
    )
    return render_template(
        "casework/index.html",
        campaign=campaign,
        actions=actions,
        names=names,
        recorders=recorders,
        described=priority.describe_targets(list(campaign.priority_targets or ())),
        action_form=action_form,
        event_form=event_form or EventForm(prefix="event"),
        packet_form=packet_form,
        **_priority_pickers(priority_form or PriorityForm(prefix="priority")),
        plain=PlainForm(),
        events=timeline.events_with_ids(campaign),
        history=timeline.history(campaign.id),
        priorities=priority.progress(campaign),
        keys_ready=crypto.configured(),
    ), status


@bp.get(PREFIX + "/")
@role_required(Role.ORGANIZER)
def index(slug: str):
    return _overview(campaign_by_slug_or_404(slug))


@bp.post(PREFIX + "/actions")
@role_required(Role.ORGANIZER)
@accepts_upload(_upload_limit)
def new_action(slug: str):
    campaign = campaign_by_slug_or_404(slug)
    form = _office_form(ActionForm(prefix="action"))
    if not form.validate_on_submit():
        return _overview(campaign, action_form=form, status=400)
    name, data = _file_data(form.evidence_file)
    try:
        record_action(
            campaign,
            ActionInput(
                bioguide_id=form.bioguide_id.data,
                date=form.date.data,
                kind=form.kind.data,
                evidence_url=(form.evidence_url.data or "").strip(),
                note=form.note.data or "",
                evidence_name=name,
                evidence_data=data,
            ),
            current_user.id,
        )
    except (facts.CaseworkError, crypto.CaseKeysMissing) as exc:
        db.session.rollback()
        _field_error(form, exc)
        return _overview(campaign, action_form=form, status=400)
    flash("Action recorded.", "success")
    return redirect(url_for(".index", slug=slug))


def _field_error(form, exc: Exception) -> None:
    name = getattr(exc, "field", None)
    names = ("evidence_file", "release_file") if name == "file" else (name,) if name else ()
    field = next((getattr(form, n) for n in names if hasattr(form, n)), None)
    if field is None:  # not about one field (no case keys, say): say it above the form
        flash(str(exc), "error")
        return
    field.errors = [*field.errors, str(exc)] if isinstance(field.errors, list) else [str(exc)]


# --- Timeline ------------------------------------------------------------------------------------


def _event_input(form: EventForm) -> timeline.EventInput:
    return timeline.EventInput(
        **{name: (getattr(form, name).data or "") for name in timeline.EventInput.__dataclass_fields__}
    )


def _timeline_changed(campaign) -> None:
    campaign_changed(campaign.slug)


@bp.post(PREFIX + "/timeline")
@role_required(Role.ORGANIZER)
def new_event(slug: str):
    campaign = campaign_by_slug_or_404(slug)
    form = EventForm(prefix="event")
    if not form.validate_on_submit():
        return _overview(campaign, event_form=form, status=400)
    try:
        timeline.add_event(campaign, _event_input(form), current_user.id)
    except facts.CaseworkError as exc:
        db.session.rollback()
        _field_error(form, exc)
        return _overview(campaign, event_form=form, status=400)
    _timeline_changed(campaign)
    flash("Event added to the public timeline.", "success")
    return redirect(url_for(".index", slug=slug) + "#timeline")


@bp.route(PREFIX + "/timeline/<event_id>", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def edit_event(slug: str, event_id: str):
    campaign = campaign_by_slug_or_404(slug)
    event = next((e for e in timeline.events_with_ids(campaign) if e["id"] == event_id), None)
    if event is None:
        abort(404)
    form = EventForm(prefix="event", data=None if request.method == "POST" else event)
    if form.validate_on_submit():
        try:
            timeline.edit_event(campaign, event_id, _event_input(form), current_user.id)
        except facts.CaseworkError as exc:
            db.session.rollback()
            _field_error(form, exc)
        else:
            _timeline_changed(campaign)
            flash("Event changed.", "success")
            return redirect(url_for(".index", slug=slug) + "#timeline")
    status = 400 if request.method == "POST" else 200
    return render_template("casework/event.html", campaign=campaign, event=event, form=form), status


@bp.post(PREFIX + "/timeline/<event_id>/retire")
@role_required(Role.ORGANIZER)
def retire_event(slug: str, event_id: str):
    campaign = campaign_by_slug_or_404(slug)
    if not PlainForm().validate_on_submit():
        abort(400)
    try:
        timeline.retire_event(campaign, event_id, current_user.id)
    except facts.CaseworkError:
        abort(404)
    _timeline_changed(campaign)
    flash("Event retired: it no longer shows on the public timeline; its history is kept.", "success")
    return redirect(url_for(".index", slug=slug) + "#timeline")


# --- Priority targets ------------------------------------------------------------------------------


@bp.post(PREFIX + "/priority")
@role_required(Role.ORGANIZER)
def new_priority(slug: str):
    campaign = campaign_by_slug_or_404(slug)
    form = PriorityForm(prefix="priority")
    if not form.validate_on_submit():
        return _overview(campaign, priority_form=form, status=400)
    try:
        targets = priority.picked_targets(
            form.committee.data or [], form.office.data or [], form.state.data or "", form.caucus.data or "",
            form.reason.data,
        )  # fmt: skip
        priority.add_targets(campaign, targets)
    except facts.CaseworkError as exc:
        db.session.rollback()
        _field_error(form, exc)
        return _overview(campaign, priority_form=form, status=400)
    campaign_changed(campaign.slug)
    flash("Priority target added." if len(targets) == 1 else f"{len(targets)} priority targets added.", "success")
    return redirect(url_for(".index", slug=slug) + "#priority")


@bp.post(PREFIX + "/priority/<int:index>/remove")
@role_required(Role.ORGANIZER)
def remove_priority(slug: str, index: int):
    campaign = campaign_by_slug_or_404(slug)
    if not PlainForm().validate_on_submit():
        abort(400)
    if not priority.remove_target(campaign, index):
        abort(404)
    campaign_changed(campaign.slug)
    flash("Priority target removed.", "success")
    return redirect(url_for(".index", slug=slug) + "#priority")


# --- Private facts and files ----------------------------------------------------------------------


@bp.route(PREFIX + "/facts", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
@accepts_upload(_upload_limit)
def facts_page(slug: str):
    campaign = campaign_by_slug_or_404(slug)
    if not crypto.configured():
        return render_template("casework/facts.html", campaign=campaign, form=None, keys_ready=False), 503
    form = FactsForm()
    if request.method == "POST" and form.validate_on_submit():
        current = facts.read_facts(campaign, purpose="edit")
        entered = facts.PrivateFacts(
            a_number=form.a_number.data or "",
            birth_date=form.birth_date.data or "",
            lawyer_name=form.lawyer_name.data or "",
            lawyer_contact=form.lawyer_contact.data or "",
            release_status=form.release_status.data,
            release_file_id=current.release_file_id,
        )
        try:
            name, data = _file_data(form.release_file)
            if data:
                stored = facts.store_file(campaign, FileKind.RELEASE.value, name, data, current_user.id)
                db.session.flush()
                entered.release_file_id = stored.id
            facts.save_facts(campaign, entered, current_user.id)
        except facts.CaseworkError as exc:
            db.session.rollback()
            _field_error(form, exc)
        else:
            flash("Private case facts saved (encrypted).", "success")
            return redirect(url_for(".facts_page", slug=slug))
        return render_template("casework/facts.html", campaign=campaign, form=form, keys_ready=True), 400
    try:
        current = facts.read_facts(campaign, purpose="page")
    except crypto.CaseDataUnreadable as exc:
        return render_template("casework/facts.html", campaign=campaign, form=None, problem=str(exc)), 503
    if request.method == "GET":
        for name in ("a_number", "birth_date", "lawyer_name", "lawyer_contact", "release_status"):
            getattr(form, name).data = getattr(current, name)
    status = 400 if request.method == "POST" else 200
    response = render_template("casework/facts.html", campaign=campaign, form=form, facts=current, keys_ready=True)
    return _private(Response(response, status=status))


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get(PREFIX + "/files/<int:file_id>")
@role_required(Role.ORGANIZER)
def case_file(slug: str, file_id: int):
    campaign = campaign_by_slug_or_404(slug)
    found = facts.open_file(campaign, file_id)
    if found is None:
        abort(404)
    row, _name, data = found
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}[row.content_type]
    response = Response(data, mimetype=row.content_type)
    # A neutral name: the uploaded one may name the person.
    response.headers["Content-Disposition"] = f'attachment; filename="{campaign.slug}-{row.kind}-{row.id}.{extension}"'
    return _private(response)


# --- The casework packet -------------------------------------------------------------------------


@bp.post(PREFIX + "/packet")
@role_required(Role.ORGANIZER)
def packet(slug: str):
    campaign = campaign_by_slug_or_404(slug)
    form = _office_form(PacketForm(prefix="packet"))
    if not form.validate_on_submit():
        return _overview(campaign, packet_form=form, status=400)
    office = office_for(form.bioguide_id.data)
    if office is None:
        abort(404)
    private = None
    if form.include_private.data:
        if not facts.office_opened_inquiry(campaign.id, office.bioguide_id):
            form.include_private.errors = [
                "Private facts go only to an office that has opened an inquiry: record the inquiry first."
            ]
            return _overview(campaign, packet_form=form, status=400)
        if not crypto.configured():
            form.include_private.errors = [str(crypto.CaseKeysMissing())]
            return _overview(campaign, packet_form=form, status=400)
        private = facts.read_facts(campaign, purpose="packet")
    release = facts.release_status(campaign) if crypto.configured() else facts.RELEASE_STATUSES["none"]
    today = utcnow().date()
    data = build_casework_packet(
        campaign,
        office,
        release_status=release,
        organizer_contact=current_user.email,
        private=private,
        today=today,
    )
    audit.record(
        "case.packet",
        campaign=campaign.slug,
        filters={"office": office.bioguide_id, "private": private is not None},
    )
    response = Response(data, mimetype="application/pdf")
    name = f"{campaign.slug}-casework-{office.bioguide_id}-{today.isoformat()}.pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return _private(response)


# --- Staff: priority offices ---------------------------------------------------------------------


@bp.get("/staff/campaigns/<slug>/priority")
@role_required(Role.STAFF)
def priority_report(slug: str):
    campaign = campaign_by_slug_or_404(slug)
    rows = priority.progress(campaign)
    return render_template(
        "casework/priority.html",
        campaign=campaign,
        rows=rows,
        without=[r for r in rows if not r.letters],
        label=office_label,
    )
