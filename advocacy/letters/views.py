"""The constituent's flow, without JavaScript: campaign page → review letters → send → confirmation.

Personal data travels only in POST bodies and the signed session, never in a URL. The confirmation page is
shown only to the browser that sent the letters (its session holds the action ids), and shows only the letters
that browser sent, never every letter an email wrote.
"""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_babel import gettext
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from advocacy.auth.access import public
from advocacy.campaigns.services import campaign_counts, public_campaigns
from advocacy.campaigns.snapshots import campaign_snapshot
from advocacy.congress.lookup import office_to_call
from advocacy.congress.offices import office_for
from advocacy.delivery.services import mark_handoff_sent
from advocacy.extensions import db, limiter
from advocacy.letters.api import FIELDS
from advocacy.letters.models import Action, Letter
from advocacy.letters.problems import PROBLEMS, FlowError, Throttled
from advocacy.letters.progress import LABELS as PROGRESS_LABELS
from advocacy.letters.progress import letter_progress, progress_counts, progress_heading
from advocacy.letters.services import (
    deliveries_for,
    mark_called,
    preview,
    submission_notice,
    submit,
)
from advocacy.letters.validation import PREFIXES, clean_text, parse_bool
from advocacy.organization.identity import public_url
from advocacy.places import STATE_NAMES, STATES, district_label, state_choices

bp = Blueprint("letters", __name__)
# The thanks page and the receipt email tell each letter's state the same way.
for _helper in (letter_progress, progress_counts, progress_heading):
    bp.add_app_template_global(_helper)
bp.add_app_template_global(PROGRESS_LABELS, "progress_labels")
SESSION_ACTIONS = "sent_actions"
SESSION_ACTIONS_KEPT = 10  # the session cookie stays small; older confirmations are no longer shown
FORM_FIELDS = FIELDS  # the same fields as the JSON API


def _now() -> float:
    """The current time; tests inject their own clock as the `CLOCK` setting (a callable)."""
    return current_app.config.get("CLOCK", time.time)()


def _stamp() -> str:
    return URLSafeTimedSerializer(current_app.secret_key, salt="letter-form").dumps(int(_now()))


def _form_age(token: str) -> float | None:
    try:
        started = URLSafeTimedSerializer(current_app.secret_key, salt="letter-form").loads(token, max_age=86400)
    except BadSignature:
        return None
    return _now() - int(started)


def _kept_stamp() -> str:
    """The form's first start time when the page is shown again after an error: the anti-bot timer measures
    how long a person has been filling the form, so fixing one field must not restart it."""
    token = request.form.get("started", "")
    return token if token and _form_age(token) is not None else _stamp()


def _values() -> dict:
    values = {name: clean_text(request.form.get(name, ""), multiline=name == "message") for name in FORM_FIELDS}
    values["consent"] = parse_bool(request.form.get("consent", ""))
    values["district"] = clean_text(request.form.get("district", ""))[:10]
    return values


def _chosen_district(values: dict) -> tuple[str, int] | None:
    state, _, number = values.get("district", "").partition("-")
    if state in STATES and number.isdigit():
        return state, int(number)
    return None


def _page(campaign, values=None, errors=None, status=200, split=None):
    return render_template(
        "letters/campaign.html",
        campaign=campaign,
        counts=campaign_counts(campaign),
        values=values or {},
        errors=errors or {},
        split=split,
        states=state_choices(),
        prefixes=PREFIXES,
        stamp=_kept_stamp() if request.method == "POST" else _stamp(),
        label=district_label,
        closed_message=PROBLEMS["closed"].message,  # the words a refused letter gets (letters/problems.py)
    ), status


def _problem_page(campaign, values: dict, exc: FlowError):
    """The campaign page again, with what was typed and the problem's message where the problem is (its row
    of advocacy.letters.problems, as the API answers it); a throttled writer gets the 429 page."""
    if isinstance(exc, Throttled):  # the campaign too: a sample's banner is on every page of it
        page = render_template("errors/429.html", status=429, message=exc.message, campaign=campaign)
        return page, exc.status, {"Retry-After": str(exc.retry_after)}
    return _page(campaign, values, exc.form_errors(), exc.status, split=getattr(exc, "lookup", None))


def _campaign_or_404(slug: str):
    """The live or closed campaign (never a draft), from the per-process snapshot: no query per page view."""
    campaign = campaign_snapshot(slug)
    if campaign is None or campaign.status not in ("live", "closed"):
        abort(404)
    return campaign


def _check_person() -> None:
    """Refuse a filled honeypot or a form sent faster than a person types, with a generic message."""
    if request.form.get("website"):
        raise FlowError("form_refused")
    age = _form_age(request.form.get("started", ""))
    if age is None or age < current_app.config.get("FORM_MIN_FILL_SECONDS", 3):
        raise FlowError("too_quick")


@bp.get("/")
@public
def home():
    campaigns = public_campaigns()
    counts = {c.id: campaign_counts(c) for c in campaigns}
    return render_template("letters/home.html", campaigns=campaigns, counts=counts)


@bp.get("/favicon.ico")
@public
def favicon():
    """Browsers ask for /favicon.ico whatever the page says; answer from our own static folder."""
    return send_from_directory(current_app.static_folder, "favicon.ico", mimetype="image/x-icon", max_age=86400)


@bp.get("/c/<slug>")
@public
@limiter.limit(lambda: current_app.config.get("CAMPAIGN_PAGE_RATE_LIMIT", "600 per minute"), leased=True)
def campaign_page(slug: str):
    return _page(_campaign_or_404(slug))


@bp.post("/c/<slug>/write")
@public
@limiter.limit(lambda: current_app.config.get("LETTER_PAGE_RATE_LIMIT", "60 per minute"))
def review(slug: str):
    """Step 2: check what was typed, find the offices and show each letter before anything is sent."""
    campaign = _campaign_or_404(slug)
    values = _values()
    try:
        _check_person()
        lookup, letters = preview(campaign, values, district=_chosen_district(values))
    except FlowError as exc:
        return _problem_page(campaign, values, exc)
    return render_template(
        "letters/review.html",
        campaign=campaign,
        values=values,
        letters=letters,
        lookup=lookup,
        label=district_label,
        stamp=request.form.get("started", ""),
    )


@bp.post("/c/<slug>/edit")
@public
@limiter.limit(lambda: current_app.config.get("LETTER_PAGE_RATE_LIMIT", "60 per minute"))
def edit(slug: str):
    """Back from the review page to the form, with everything that was typed (POST: no personal data in a URL)."""
    return _page(_campaign_or_404(slug), _values())


@bp.post("/c/<slug>/send")
@public
@limiter.limit(lambda: current_app.config.get("LETTER_PAGE_RATE_LIMIT", "60 per minute"))
def send(slug: str):
    campaign = _campaign_or_404(slug)
    values = _values()
    messages = {
        key[len("message-") :]: clean_text(text, multiline=True)[:5000]
        for key, text in request.form.items()
        if key.startswith("message-")
    }
    try:
        _check_person()
        submission = submit(campaign, values, messages=messages, district=_chosen_district(values))
    except FlowError as exc:
        return _problem_page(campaign, values, exc)
    # This browser may see the letters it sent: the submission's action and, for a repeat that added offices,
    # the earlier action whose letters it returned (the same writer, so the same words).
    mine = list(dict.fromkeys([submission.action.id, *(letter.action_id for letter in submission.letters)]))
    sent = [a for a in session.get(SESSION_ACTIONS, []) if a not in mine]
    session[SESSION_ACTIONS] = (sent + mine)[-SESSION_ACTIONS_KEPT:]
    return redirect(url_for(".thanks", slug=slug, action_id=submission.action.id), code=303)


def _own_action(slug: str, action_id: str) -> tuple:
    campaign = _campaign_or_404(slug)
    if action_id not in session.get(SESSION_ACTIONS, []):
        abort(404)
    action = db.session.get(Action, action_id)
    if action is None or action.campaign_id != campaign.id:
        abort(404)
    return campaign, action


def _letters_sent_here(campaign, action: Action) -> list[Letter]:
    """The letters this browser sent with this action: those of the actions in its session that share the
    action's writer (a repeat that added offices). Never every letter of an email: someone who typed another
    person's email sees their own letters only."""
    if action.writer_key is None:  # purged: the session no longer leads to anyone's letters
        return []
    return list(
        db.session.scalars(
            select(Letter)
            .where(
                Letter.campaign_id == campaign.id,
                Letter.writer_key == action.writer_key,
                Letter.action_id.in_(session.get(SESSION_ACTIONS, [])),
            )
            .order_by(Letter.created_at, Letter.position)
        )
    )


@bp.get("/c/<slug>/thanks/<action_id>")
@public
def thanks(slug: str, action_id: str):
    campaign, action = _own_action(slug, action_id)
    letters = _letters_sent_here(campaign, action)
    deliveries = deliveries_for(letters)
    rows = []
    for letter in letters:
        office = office_for(letter.bioguide_id, include_former=True) if letter.bioguide_id else None
        local = None
        if office is not None:
            local = office_to_call(office.bioguide_id, action.address, action.city, action.state, action.zip)
        delivery = deliveries.get(letter.id)
        rows.append(
            {
                "letter": letter,
                "delivery": delivery,
                "office": office,
                "local": local,
                "state": letter_progress(delivery),
            }
        )
    share_url = public_url(url_for(".campaign_page", slug=slug))
    return render_template(
        "letters/thanks.html",
        campaign=campaign,
        action=action,
        rows=rows,
        counts=progress_counts(row["delivery"] for row in rows),
        share_url=share_url,
        label=district_label,
        district_notice=submission_notice(action, letters, deliveries),
        state_name=STATE_NAMES,
    )


@bp.post("/c/<slug>/thanks/<action_id>/sent/<delivery_id>")
@public
def handoff_sent(slug: str, action_id: str, delivery_id: str):
    campaign, action = _own_action(slug, action_id)
    sent_here = _letters_sent_here(campaign, action)
    letters = {letter.id for letter in sent_here}
    deliveries = deliveries_for(sent_here)
    delivery = next((d for d in deliveries.values() if d.id == delivery_id), None)
    if delivery is None or delivery.letter_id not in letters:
        abort(404)
    mark_handoff_sent(delivery_id)
    letter = next(letter for letter in sent_here if letter.id == delivery.letter_id)
    flash(
        gettext(
            "Marked as sent: your letter to %(office)s is done.", office=letter.office_title + " " + letter.office_name
        ),
        "success",
    )
    return redirect(url_for(".thanks", slug=slug, action_id=action_id) + f"#letter-{delivery.letter_id}", code=303)


@bp.post("/c/<slug>/thanks/<action_id>/called/<letter_id>")
@public
def called(slug: str, action_id: str, letter_id: str):
    """ "I called": recorded on the letter, so staff reports can count calls as well as letters."""
    campaign, action = _own_action(slug, action_id)
    sent_here = _letters_sent_here(campaign, action)
    if letter_id not in {letter.id for letter in sent_here}:
        abort(404)
    mark_called(letter_id)
    letter = next(letter for letter in sent_here if letter.id == letter_id)
    flash(
        gettext("Thank you for calling %(office)s's office.", office=letter.office_title + " " + letter.office_name),
        "success",
    )
    return redirect(url_for(".thanks", slug=slug, action_id=action_id) + f"#letter-{letter_id}", code=303)
