"""Organizer pages for updates (/organizer/campaigns/<id>/updates), the public Atom feed, and unsubscribing.

Unsubscribing needs no login: the token in the URL is HMAC-signed and carries the email key (never the address)
and the campaign. GET shows the choice (this campaign or all, a CSRF-protected form); a POST to the same URL is
RFC 8058's one-click unsubscribe from a mail client, which cannot carry a CSRF token: that one endpoint is exempt,
and accepts nothing but a valid signed token.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.exc import SQLAlchemyError

from advocacy.auth.access import public, role_required
from advocacy.auth.models import Role
from advocacy.caching import bounded_cache, read_through
from advocacy.campaigns.models import Campaign
from advocacy.campaigns.services import campaign_or_404, campaign_row_or_404
from advocacy.delivery.suppression import ALL_CAMPAIGNS, read_token, suppress
from advocacy.extensions import csrf, db
from advocacy.i18n import DEFAULT, LANGUAGES
from advocacy.reports import audit
from advocacy.statements.public import PUBLIC_CACHE, public_campaign_or_404
from advocacy.updates import services
from advocacy.updates.atom import updates_atom
from advocacy.updates.forms import ButtonForm, PreferencesForm, UpdateForm
from advocacy.updates.models import CampaignUpdate

bp = Blueprint("updates", __name__)


def _update_or_404(campaign: Campaign, update_id: int) -> CampaignUpdate:
    return campaign_row_or_404(CampaignUpdate, update_id, campaign)


@bp.route("/organizer/campaigns/<int:campaign_id>/updates", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def index(campaign_id: int):
    """The campaign's updates and a form for a new one; "Preview" shows it rendered, "Save" keeps a draft."""
    campaign = campaign_or_404(campaign_id)
    form = UpdateForm()
    preview = None
    errors: dict[str, str] = {}
    if request.method == "POST" and form.validate_on_submit():
        audience, errors = services.parse_audience(form.states.data, form.districts.data)
        if audience is not None and request.form.get("intent") == "save":
            update = services.create_update(
                campaign.id, form.title.data, form.body.data, form.ask.data or "", audience, current_user.id
            )
            flash("Update saved as a draft. Send yourself the test copy, then send it to supporters.")
            return redirect(url_for("updates.show", campaign_id=campaign.id, update_id=update.id))
        if audience is not None:
            preview = CampaignUpdate(
                campaign_id=campaign.id, title=form.title.data, body=form.body.data, ask=form.ask.data or ""
            )
    status = 400 if request.method == "POST" and (form.errors or errors) else 200
    updates = db.session.scalars(
        db.select(CampaignUpdate)
        .where(CampaignUpdate.campaign_id == campaign.id)
        .order_by(CampaignUpdate.created_at.desc(), CampaignUpdate.id.desc())
    ).all()
    return render_template(
        "updates/index.html",
        campaign=campaign,
        form=form,
        errors=errors,
        preview=preview,
        preview_html=services.render_body(preview) if preview else None,
        updates=updates,
    ), status


@bp.get("/organizer/campaigns/<int:campaign_id>/updates/<int:update_id>")
@role_required(Role.ORGANIZER)
def show(campaign_id: int, update_id: int):
    campaign = campaign_or_404(campaign_id)
    update = _update_or_404(campaign, update_id)
    return render_template(
        "updates/show.html",
        campaign=campaign,
        update=update,
        body_html=services.render_body(update),
        audience=services.audience_size(update) if update.sent_at is None else update.recipients,
        counts=services.counts(update),
        button=ButtonForm(),
    )


@bp.post("/organizer/campaigns/<int:campaign_id>/updates/<int:update_id>/test")
@role_required(Role.ORGANIZER)
def send_test(campaign_id: int, update_id: int):
    campaign = campaign_or_404(campaign_id)
    update = _update_or_404(campaign, update_id)
    if ButtonForm().validate_on_submit():
        try:
            services.send_test(update, current_user.email)
            flash("The test copy is on its way to your address. Check it, then send the update to supporters.")
        except services.UpdateRefused as exc:
            flash(str(exc), "error")
    return redirect(url_for("updates.show", campaign_id=campaign.id, update_id=update.id))


@bp.post("/organizer/campaigns/<int:campaign_id>/updates/<int:update_id>/send")
@role_required(Role.ORGANIZER)
def send(campaign_id: int, update_id: int):
    campaign = campaign_or_404(campaign_id)
    update = _update_or_404(campaign, update_id)
    if ButtonForm().validate_on_submit():
        try:
            queued = services.send_to_supporters(update)
            flash(f"Queued {queued:,} emails; they go out at the hourly limit. The update is now public.")
        except services.UpdateRefused as exc:
            flash(str(exc), "error")
    return redirect(url_for("updates.show", campaign_id=campaign.id, update_id=update.id))


@bp.route("/organizer/campaigns/<int:campaign_id>/updates/<int:update_id>/translations", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def translations(campaign_id: int, update_id: int):
    """The update in other languages: supporters read it in the language they wrote in (page and email), the
    English where a field is not translated. Every problem is shown at once; a save is audited."""
    campaign = campaign_or_404(campaign_id)
    update = _update_or_404(campaign, update_id)
    form = ButtonForm()
    values, problems = update.translations or {}, {}
    if request.method == "POST":
        posted = {key: value for key, value in request.form.items() if key != "csrf_token"}
        if not form.validate_on_submit():
            problems = {"csrf_token": "The form had expired. Please send it again."}
            values = _posted_values(posted)
        else:
            cleaned, problems = services.clean_translations(update, posted)
            values = _posted_values(posted)
            if not problems:
                if cleaned == (update.translations or {}):
                    flash("Nothing changed.", "info")
                else:
                    update.translations = cleaned
                    audit.record(
                        "update.translations",
                        campaign=campaign.slug,
                        filters={"update": update.id, "languages": sorted(cleaned)},
                        commit=False,
                    )
                    db.session.commit()
                    _updates.clear()
                    flash("Translations saved.", "info")
                return redirect(url_for("updates.translations", campaign_id=campaign.id, update_id=update.id))
    known = {  # the fields the page shows: an ask only when the English has one
        f"{language.code}.{name}"
        for language in LANGUAGES
        for name, _limit in services.TRANSLATED_FIELDS
        if language.code != DEFAULT and getattr(update, name)
    }
    fields = {key: "u-" + key.replace(".", "-") for key in problems if key in known}
    return render_template(
        "updates/translations.html",
        campaign=campaign,
        update=update,
        form=form,
        languages=[language for language in LANGUAGES if language.code != DEFAULT],
        values=values,
        errors=problems,
        error_fields=fields,
    ), (400 if problems else 200)


def _posted_values(posted: dict[str, str]) -> dict[str, dict[str, str]]:
    values: dict[str, dict[str, str]] = {}
    for key, value in posted.items():
        code, _, name = key.partition(".")
        values.setdefault(code, {})[name] = value
    return values


@bp.get("/c/<slug>/updates.atom")
@public
def atom(slug: str):
    campaign = public_campaign_or_404(slug)
    return Response(updates_atom(campaign), mimetype="application/atom+xml", headers={"Cache-Control": PUBLIC_CACHE})


def _token_or_404(token: str) -> tuple[str, int]:
    read = read_token(token)
    if read is None:
        abort(404)
    return read


def _unsubscribe(key: str, campaign_id: int, scope: str, via: str) -> None:
    """Record the suppression and audit it (which campaign, which scope; never who)."""
    target = ALL_CAMPAIGNS if scope == "all" else campaign_id
    new = suppress(key, target)
    campaign = db.session.get(Campaign, campaign_id)
    audit.record(
        "supporters.unsubscribe",
        campaign=campaign.slug if campaign else None,
        filters={"scope": scope, "via": via, "new": new},
        row_count=1 if new else 0,
        commit=False,
    )
    db.session.commit()


@bp.get("/unsubscribe/<token>")
@public
def preferences(token: str):
    _, campaign_id = _token_or_404(token)
    campaign = db.session.get(Campaign, campaign_id)
    return render_template(
        "updates/unsubscribe.html", campaign=campaign, form=PreferencesForm(), token=token, done=None
    )


@bp.post("/unsubscribe/<token>")
@public
@csrf.exempt
def one_click(token: str):
    """RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" to the URL from the header. Stops this
    campaign's mail. Exempt from CSRF (no form to carry a token); the signed token is the only thing read."""
    key, campaign_id = _token_or_404(token)
    _unsubscribe(key, campaign_id, "campaign", "one-click")
    return Response("Unsubscribed.\n", mimetype="text/plain", headers={"Cache-Control": "no-store"})


@bp.post("/unsubscribe/<token>/choose")
@public
def choose(token: str):
    key, campaign_id = _token_or_404(token)
    form = PreferencesForm()
    campaign = db.session.get(Campaign, campaign_id)
    if not form.validate_on_submit():
        return render_template("updates/unsubscribe.html", campaign=campaign, form=form, token=token, done=None), 400
    _unsubscribe(key, campaign_id, form.scope.data, "page")
    return render_template("updates/unsubscribe.html", campaign=campaign, form=form, token=token, done=form.scope.data)


@dataclass(frozen=True)
class PublicUpdate:
    id: int
    title: str
    ask: str
    sent_at: datetime
    body_html: Markup
    # By language code: {"title", "ask", "body_html"}, what the organizer translated (advocacy.i18n.update_text).
    translations: dict


# The campaign page makes no query per view and is served while the database is away (letters/views.py): its
# updates are kept in the process for CAMPAIGN_CACHE_SECONDS (default 5), and the last copy is shown if the
# database fails (for up to an hour).
_updates = bounded_cache("campaign updates", maxsize=1000, ttl=3600)


@bp.app_template_global()
def campaign_updates(campaign_id: int) -> list[tuple[PublicUpdate, Markup]]:
    """The campaign page's include: its published updates with their safe HTML."""
    try:
        return read_through(
            _updates,
            (current_app.config["SQLALCHEMY_DATABASE_URI"], campaign_id),
            lambda: _published(campaign_id),
            fresh_for=float(current_app.config.get("CAMPAIGN_CACHE_SECONDS", 5)),
            keep_serving=(SQLAlchemyError,),
        )
    except SQLAlchemyError:
        return []  # nothing kept: the page goes on without its updates


def _public(update: CampaignUpdate) -> PublicUpdate:
    translations = {}
    for code, entry in (update.translations or {}).items():
        shown = {key: entry[key] for key in ("title", "ask") if entry.get(key)}
        if entry.get("body"):
            shown["body_html"] = Markup(services.render_body(update, entry["body"]))  # noqa: S704 - nh3-cleaned
        translations[code] = shown
    body_html = Markup(services.render_body(update))  # noqa: S704 - nh3-cleaned
    return PublicUpdate(update.id, update.title, update.ask, update.sent_at, body_html, translations)


def _published(campaign_id: int) -> list[tuple[PublicUpdate, Markup]]:
    try:
        return [
            (_public(u), Markup(services.render_body(u)))  # noqa: S704 - nh3-cleaned
            for u in services.published(campaign_id, limit=5)
        ]
    except SQLAlchemyError:
        try:
            db.session.rollback()
        except SQLAlchemyError:
            pass
        raise
