"""Organizer pages under /organizer/campaigns: campaigns, their letter variants, targets and preview."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from advocacy.auth.access import role_required
from advocacy.auth.models import Role
from advocacy.campaigns import pickers, services, stale
from advocacy.campaigns.forms import CampaignForm, ConfirmForm, CustomTargetForm, LetterForm, OutcomeForm, TargetsForm
from advocacy.campaigns.models import Campaign, CustomTarget, LetterTemplate, Status
from advocacy.campaigns.placeholders import PLACEHOLDERS
from advocacy.campaigns.preview import coverage, draft_variant, editor_preview, preview_offices, preview_variant
from advocacy.campaigns.rendering import (
    MAX_VALIDATION_CPU,
    TemplateProblem,
    clean_template_source,
    shared_time_limit,
    validate_template,
)
from advocacy.campaigns.services import campaign_or_404, campaign_row_or_404
from advocacy.congress.offices import office_for
from advocacy.db import app_now
from advocacy.extensions import db

bp = Blueprint("campaigns", __name__, url_prefix="/organizer/campaigns")
ORGANIZER = Role.ORGANIZER


def _letter_or_404(campaign: Campaign, letter_id: int) -> LetterTemplate:
    return campaign_row_or_404(LetterTemplate, letter_id, campaign)


class SaveConflict(Exception):
    """A save that broke a uniqueness rule its form checks had passed: another save won a race (409)."""


RACE_MESSAGE = "Not saved: {what} was saved by someone else at the same time. Reload the page to see it."


def _commit(*, flush_only: bool = False) -> None:
    try:
        db.session.flush() if flush_only else db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise SaveConflict from None


def _commit_keeping_live(campaign: Campaign) -> list[str]:
    """Commit, unless the change would leave a live campaign unable to serve every office.

    Raises SaveConflict (after rolling back) when a concurrent save took the same slug, variant or target."""
    _commit(flush_only=True)
    problems = services.publish_problems(campaign) if campaign.status == Status.LIVE.value else []
    if problems:
        db.session.rollback()
        return problems
    _commit()
    return []


def _slug_taken(slug: str, campaign_id: int | None) -> bool:
    existing = db.session.scalar(select(Campaign.id).where(Campaign.slug == slug))
    return existing is not None and existing != campaign_id


@bp.get("")
@role_required(ORGANIZER)
def index():
    campaigns = db.session.scalars(select(Campaign).order_by(Campaign.status != "live", Campaign.title)).all()
    days = stale.stale_days()
    now = app_now()
    stale_ids = {c.id for c in campaigns if stale.is_stale(c, now, days)}
    return render_template("organizer/campaigns/index.html", campaigns=campaigns, stale_ids=stale_ids, stale_days=days)


@bp.route("/new", methods=["GET", "POST"])
@role_required(ORGANIZER)
def create():
    form = CampaignForm()
    if form.validate_on_submit():
        if _slug_taken(form.slug.data, None):
            form.slug.errors.append("Another campaign already uses this slug.")
        else:
            campaign = Campaign(status=Status.DRAFT.value)
            _fill(campaign, form)
            db.session.add(campaign)
            try:
                _commit()
            except SaveConflict:
                form.slug.errors.append(RACE_MESSAGE.format(what="a campaign with this slug"))
                return render_template("organizer/campaigns/form.html", form=form, campaign=None), 409
            flash("Campaign created as a draft. Add its letters, then publish it.", "info")
            return redirect(url_for(".show", campaign_id=campaign.id))
    return render_template("organizer/campaigns/form.html", form=form, campaign=None), 400 if form.errors else 200


def _fill(campaign: Campaign, form: CampaignForm) -> None:
    campaign.slug = form.slug.data
    campaign.title = form.title.data
    campaign.detainee_name = form.detainee_name.data
    campaign.photo_url = form.photo_url.data or ""
    campaign.story_markdown = form.story_markdown.data or ""
    campaign.ask = form.ask.data
    campaign.share_text = form.share_text.data or ""
    campaign.keywords = form.keywords.terms
    campaign.aliases = form.aliases.terms
    campaign.cwc_topic = form.cwc_topic.data


def _outcome_form(campaign: Campaign) -> OutcomeForm:
    form = OutcomeForm(formdata=None, obj=campaign)
    form.thanks_open.data = bool(campaign.thanks_open) if campaign.outcome else False
    return form


def _show_page(campaign: Campaign, outcome_form: OutcomeForm | None = None, status: int = 200):
    return render_template(
        "organizer/campaigns/show.html",
        campaign=campaign,
        confirm=ConfirmForm(),
        outcome_form=outcome_form or _outcome_form(campaign),
        problems=services.publish_problems(campaign),
        counts=services.campaign_counts(campaign),
        stale=stale.is_stale(campaign, app_now(), stale.stale_days()),
    ), status


@bp.get("/<int:campaign_id>")
@role_required(ORGANIZER)
def show(campaign_id: int):
    return _show_page(campaign_or_404(campaign_id))


@bp.post("/<int:campaign_id>/outcome")
@role_required(ORGANIZER)
def outcome(campaign_id: int):
    """Close with an outcome (or correct it). The first outcome queues the writers' outcome emails, in the
    same transaction."""
    campaign = campaign_or_404(campaign_id)
    form = OutcomeForm()
    if not form.validate_on_submit():
        return _show_page(campaign, form, 400)
    try:
        newly_decided = services.set_outcome(
            campaign, form.outcome.data, form.outcome_date.data, form.outcome_message.data, form.thanks_open.data
        )
        db.session.flush()
        if newly_decided:
            services.outcome_decided(campaign.id)
    except services.CampaignStateError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".show", campaign_id=campaign_id))
    db.session.commit()
    flash(f"Outcome saved: {campaign.outcome_label}. The campaign is closed.", "info")
    return redirect(url_for(".show", campaign_id=campaign_id))


@bp.route("/<int:campaign_id>/edit", methods=["GET", "POST"])
@role_required(ORGANIZER)
def edit(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    form = CampaignForm(obj=campaign)
    if not form.is_submitted():
        form.keywords.data = "\n".join(campaign.keywords or [])
        form.aliases.data = "\n".join(campaign.aliases or [])
    elif form.validate():
        if campaign.status != Status.DRAFT.value and form.slug.data != campaign.slug:
            form.slug.errors.append("A published campaign keeps its address: links to it have been shared.")
        elif _slug_taken(form.slug.data, campaign.id):
            form.slug.errors.append("Another campaign already uses this slug.")
        else:
            _fill(campaign, form)
            try:
                problems = _commit_keeping_live(campaign)
            except SaveConflict:
                form.slug.errors.append(RACE_MESSAGE.format(what="a campaign with this slug"))
                return render_template("organizer/campaigns/form.html", form=form, campaign=campaign), 409
            if problems:
                # Nothing was saved; the form keeps what the organizer typed.
                flash("Not saved: this campaign is live, and " + "; ".join(problems) + ".", "error")
                return render_template("organizer/campaigns/form.html", form=form, campaign=campaign), 400
            flash("Campaign saved.", "info")
            return redirect(url_for(".show", campaign_id=campaign.id))
    status = 400 if form.errors else 200
    return render_template("organizer/campaigns/form.html", form=form, campaign=campaign), status


def _state_change(campaign_id: int, change, done: str):
    campaign = campaign_or_404(campaign_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        change(campaign)
    except services.CampaignStateError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".show", campaign_id=campaign_id))
    db.session.commit()
    flash(done, "info")
    return None


@bp.post("/<int:campaign_id>/publish")
@role_required(ORGANIZER)
def publish(campaign_id: int):
    return _state_change(campaign_id, services.publish, "The campaign is live.") or redirect(
        url_for(".show", campaign_id=campaign_id)
    )


@bp.post("/<int:campaign_id>/close")
@role_required(ORGANIZER)
def close(campaign_id: int):
    return _state_change(campaign_id, services.close, "The campaign is closed; it no longer accepts letters.") or (
        redirect(url_for(".show", campaign_id=campaign_id))
    )


@bp.post("/<int:campaign_id>/delete")
@role_required(ORGANIZER)
def delete(campaign_id: int):
    return _state_change(campaign_id, services.delete_draft, "The draft was deleted.") or redirect(url_for(".index"))


# Letter variants


def _variant_conflict(campaign: Campaign, form: LetterForm, letter_id: int | None) -> LetterTemplate | None:
    for other in campaign.letters:
        if other.id != letter_id and (other.chamber, other.stance) == (form.chamber.data, form.stance.data):
            return other
    return None


def _check_template(form: LetterForm, campaign: Campaign) -> tuple[int, str] | None | bool:
    """Render the template against the samples; put any problem, with its line, on the field.

    Returns True when the template is fine, else the (line number, text) of the body line at fault
    (or None when the problem has no body line)."""
    form.subject.data = clean_template_source(form.subject.data or "")
    form.body.data = clean_template_source(form.body.data or "")
    try:
        validate_template(form.subject.data, form.body.data, form.chamber.data, form.stance.data, campaign=campaign)
    except TemplateProblem as exc:
        field = form.subject if exc.part == "subject" else form.body
        where = f"Line {exc.line}: " if exc.line and exc.part == "body" else ""
        field.errors = [*field.errors, where + exc.message]
        lines = form.body.data.split("\n")
        if exc.line and exc.part == "body" and 0 < exc.line <= len(lines):
            return (exc.line, lines[exc.line - 1])
        return None
    return True


def _letter_page(
    campaign: Campaign, form: LetterForm, letter: LetterTemplate | None, status=200, problem_line=None, typed=False
):
    """The editor. `typed`: "Preview without saving" was pressed, so the letter as typed is rendered and judged
    by the publish checklist in place of the saved one; otherwise the checklist shows the saved variants."""
    return render_template(
        "organizer/campaigns/letter_form.html",
        campaign=campaign,
        form=form,
        letter=letter,
        problem_line=problem_line,
        placeholders=PLACEHOLDERS,
        confirm=ConfirmForm(),
        preview=editor_preview(campaign, _draft_of(campaign, form, letter) if typed else None, letter),
    ), status


def _draft_of(campaign: Campaign, form: LetterForm, letter: LetterTemplate | None):
    return draft_variant(
        campaign,
        form.name.data,
        form.chamber.data,
        form.stance.data,
        form.subject.data,
        form.body.data,
        form.priority.data if isinstance(form.priority.data, int) else 0,
        letter,
    )


def _save_letter(campaign: Campaign, form: LetterForm, letter: LetterTemplate | None):
    if "preview" in request.form:  # "Preview" without JavaScript: the same page, the letter rendered below it
        return _letter_page(campaign, form, letter, typed=True)  # CSRF: checked app-wide
    if not form.validate_on_submit():
        return _letter_page(campaign, form, letter, 400)
    if other := _variant_conflict(campaign, form, letter.id if letter else None):
        form.stance.errors = [f"“{other.name}” already covers this chamber and stance; edit that one instead."]
        return _letter_page(campaign, form, letter, 400)
    checked = _check_template(form, campaign)
    if checked is not True:
        return _letter_page(campaign, form, letter, 400, problem_line=checked)
    if letter is None:
        letter = LetterTemplate()
        campaign.letters.append(letter)
    letter.name, letter.chamber, letter.stance = form.name.data, form.chamber.data, form.stance.data
    letter.priority = form.priority.data or 0
    letter.subject, letter.body = form.subject.data, form.body.data
    try:
        problems = _commit_keeping_live(campaign)
    except SaveConflict:
        form.stance.errors = [RACE_MESSAGE.format(what="a letter for this chamber and stance")]
        return _letter_page(campaign, form, None if letter.id is None else letter, 409)
    if problems:
        form.stance.errors = ["Not saved: this campaign is live and would then have " + "; ".join(problems) + "."]
        return _letter_page(campaign, form, None if letter.id is None else letter, 400)
    flash(f"Letter “{letter.name}” saved.", "info")
    return redirect(url_for(".show", campaign_id=campaign.id))


@bp.route("/<int:campaign_id>/letters/new", methods=["GET", "POST"])
@role_required(ORGANIZER)
def new_letter(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    form = LetterForm()
    if not form.is_submitted():
        return _letter_page(campaign, form, None)
    return _save_letter(campaign, form, None)


@bp.post("/<int:campaign_id>/letters/preview")
@role_required(ORGANIZER)
def preview_letter_draft(campaign_id: int):
    """The editor's live preview (static/js/letter-preview.js): the letter as typed, rendered, and every variant
    against the publish checklist with it in place of `?letter=` (the one being edited); nothing is stored."""
    campaign = campaign_or_404(campaign_id)
    letter_id = request.args.get("letter", type=int)
    letter = _letter_or_404(campaign, letter_id) if letter_id is not None else None
    draft = _draft_of(campaign, LetterForm(), letter)
    return render_template("organizer/campaigns/_draft_preview.html", preview=editor_preview(campaign, draft, letter))


@bp.route("/<int:campaign_id>/letters/<int:letter_id>", methods=["GET", "POST"])
@role_required(ORGANIZER)
def edit_letter(campaign_id: int, letter_id: int):
    campaign = campaign_or_404(campaign_id)
    letter = _letter_or_404(campaign, letter_id)
    form = LetterForm(obj=letter)
    if not form.is_submitted():
        return _letter_page(campaign, form, letter)
    return _save_letter(campaign, form, letter)


@bp.post("/<int:campaign_id>/letters/<int:letter_id>/delete")
@role_required(ORGANIZER)
def delete_letter(campaign_id: int, letter_id: int):
    campaign = campaign_or_404(campaign_id)
    letter = _letter_or_404(campaign, letter_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name = letter.name
    campaign.letters.remove(letter)
    if problems := _commit_keeping_live(campaign):
        flash(f"“{name}” was not deleted: this live campaign would then have " + "; ".join(problems) + ".", "error")
    else:
        flash(f"Letter “{name}” deleted.", "info")
    return redirect(url_for(".show", campaign_id=campaign_id))


# Targets


def _targets_page(campaign: Campaign, form: TargetsForm, custom_form: CustomTargetForm, status: int = 200):
    if form.is_submitted():  # redisplay what was checked, not what is saved
        members, committees = form.member.data or [], form.committee.data or []
    else:
        members, committees = campaign.target_members or [], campaign.target_committees or []
    office_q = request.args.get("office_q", "")[:100]
    committee_q = request.args.get("committee_q", "")[:100]
    return render_template(
        "organizer/campaigns/targets.html",
        campaign=campaign,
        form=form,
        custom_form=custom_form,
        confirm=ConfirmForm(),
        chosen_offices=pickers.chosen_offices(members),
        chosen_committees=pickers.chosen_committees(committees),
        office_q=office_q,
        committee_q=committee_q,
        found_offices=pickers.find_offices(office_q, exclude=members),
        found_committees=pickers.find_committees(committee_q, exclude=committees),
    ), status


@bp.route("/<int:campaign_id>/targets", methods=["GET", "POST"])
@role_required(ORGANIZER)
def targets(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    form = TargetsForm()
    if not form.is_submitted():
        form.include_delegation.data = campaign.include_delegation
        return _targets_page(campaign, form, CustomTargetForm(formdata=None))
    if not form.validate():
        return _targets_page(campaign, form, CustomTargetForm(formdata=None), 400)
    campaign.include_delegation = bool(form.include_delegation.data)
    campaign.target_members = form.member_ids
    campaign.target_committees = form.committee_ids
    if problems := _commit_keeping_live(campaign):
        flash("Not saved: a live campaign needs " + "; ".join(problems) + ".", "error")
        return redirect(url_for(".targets", campaign_id=campaign_id))
    flash("Targets saved.", "info")
    return redirect(url_for(".targets", campaign_id=campaign_id))


@bp.get("/pickers/offices.json")
@role_required(Role.STAFF)
def pick_offices():
    """The office picker's live search (static/js/picker.js); the page works without it."""
    return jsonify(results=[c.to_json() for c in pickers.find_offices(request.args.get("q", ""))])


@bp.get("/pickers/committees.json")
@role_required(Role.STAFF)
def pick_committees():
    return jsonify(results=[c.to_json() for c in pickers.find_committees(request.args.get("q", ""))])


@bp.post("/<int:campaign_id>/targets/custom")
@role_required(ORGANIZER)
def add_custom_target(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    custom_form = CustomTargetForm()
    valid = custom_form.validate_on_submit()
    if valid and any(t.email.casefold() == custom_form.email.data.casefold() for t in campaign.custom_targets):
        custom_form.email.errors = ["This campaign already has a target with this email."]
        valid = False
    if not valid:
        form = TargetsForm(formdata=None, include_delegation=campaign.include_delegation)
        return _targets_page(campaign, form, custom_form, 400)
    target = CustomTarget(
        name=custom_form.name.data,
        title=custom_form.title.data or "",
        email=custom_form.email.data,
        salutation=custom_form.salutation.data or "",
    )
    campaign.custom_targets.append(target)
    try:
        problems = _commit_keeping_live(campaign)
    except SaveConflict:
        custom_form.email.errors = [RACE_MESSAGE.format(what="a target with this email")]
        form = TargetsForm(formdata=None, include_delegation=campaign.include_delegation)
        return _targets_page(campaign, form, custom_form, 409)
    if problems:
        flash("Not added: this live campaign would then have " + "; ".join(problems) + ".", "error")
    else:
        flash(f"{target.name} added.", "info")
    return redirect(url_for(".targets", campaign_id=campaign_id))


@bp.post("/<int:campaign_id>/targets/custom/<int:target_id>/delete")
@role_required(ORGANIZER)
def delete_custom_target(campaign_id: int, target_id: int):
    campaign = campaign_or_404(campaign_id)
    target = campaign_row_or_404(CustomTarget, target_id, campaign)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    campaign.custom_targets.remove(target)
    if problems := _commit_keeping_live(campaign):
        flash("Not removed: this live campaign would then have " + "; ".join(problems) + ".", "error")
    else:
        flash("Custom target removed.", "info")
    return redirect(url_for(".targets", campaign_id=campaign_id))


@bp.get("/<int:campaign_id>/preview")
@role_required(ORGANIZER)
def preview(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    # The offices to preview for: the ones the organizer picked (?office=), else a senator, a representative
    # and a delegate.
    picked = [o for o in (office_for(b.strip().upper()) for b in request.args.getlist("office")[:6]) if o]
    offices, real = (picked, True) if picked else preview_offices()
    with shared_time_limit(MAX_VALIDATION_CPU):  # each render keeps its own budget; all of them this one
        variants = [(variant, preview_variant(campaign, variant, offices)) for variant in campaign.letters]
    office_q = request.args.get("office_q", "")[:100]
    return render_template(
        "organizer/campaigns/preview.html",
        campaign=campaign,
        real_offices=real,
        coverage=coverage(campaign, offices),
        variants=variants,
        problems=services.publish_problems(campaign),
        picked=[pickers.office_choice(o) for o in offices] if real else [],
        office_q=office_q,
        found_offices=pickers.find_offices(office_q, exclude=[o.bioguide_id for o in picked]),
    )
