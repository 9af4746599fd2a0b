"""A campaign's translations (issue 21), edited by organizers at /organizer/campaigns/<id>/translations: its own
words in each language a writer may read them in. The campaign pages are in advocacy/campaigns; this one records
an audit event, so it sits on top, as the organization's settings page does.

The form's fields are named `<code>.<field>`, `<code>.letters.<variant index>` and `<code>.timeline.<event index>`
(the public timeline's events, in order). They are checked by the campaign file's rules
(campaigns.files.check_translations): a file and this page accept and refuse the same things. Each field is checked
on its own first, so the page lists every problem at once, each linked to its field.
A save changes `campaigns.translations`, which the next file load sees as edited in the web (loaded_state)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from advocacy.auth.access import role_required
from advocacy.auth.models import Role
from advocacy.campaigns.files import MAX_GLOSS, CampaignFileError, check_translations
from advocacy.campaigns.forms import ConfirmForm
from advocacy.campaigns.models import (
    MAX_ASK,
    MAX_OUTCOME_MESSAGE,
    MAX_SHARE_TEXT,
    MAX_STORY,
    MAX_TIMELINE_EVENT,
    MAX_TITLE,
    Campaign,
)
from advocacy.campaigns.services import campaign_or_404
from advocacy.campaigns.snapshots import campaign_changed
from advocacy.extensions import db
from advocacy.i18n import BY_CODE, DEFAULT, LANGUAGES, public_timeline, translated_languages
from advocacy.reports import audit

bp = Blueprint("translations", __name__)

FIELDS = (
    ("title", "Title", MAX_TITLE),
    ("story", "Story (Markdown, like the English one)", MAX_STORY),
    ("ask", "The ask", MAX_ASK),
    ("share_text", "Share text", MAX_SHARE_TEXT),
)
FIELD_NAMES = {name for name, _label, _limit in FIELDS}
EXPIRED = "The form had expired. Please send it again."


def _events(campaign: Campaign) -> list[str]:
    """The public timeline's events in English, in order: what `<code>.timeline.<index>` translates."""
    return [event["event"] for event in public_timeline(campaign)]


def _posted(campaign: Campaign) -> dict:
    """What the form sent, shaped as a file's `translations`: empty fields and empty languages left out, the
    timeline as a list with one entry per public event. A field for a language, a variant or an event the campaign
    does not have is kept, so the check refuses it by name."""
    variants, events = [letter.name for letter in campaign.letters], _events(campaign)
    data: dict[str, dict] = {}
    for key, value in request.form.items():
        if key == "csrf_token" or not value.strip():
            continue
        code, _, rest = key.partition(".")
        entry = data.setdefault(code, {})
        if rest.startswith("letters."):
            index = rest.removeprefix("letters.")
            name = variants[int(index)] if index.isdigit() and int(index) < len(variants) else index
            entry.setdefault("letters", {})[name] = value
        elif rest.startswith("timeline."):
            index = rest.removeprefix("timeline.")
            timeline = entry.setdefault("timeline", [""] * len(events))
            if index.isdigit() and int(index) < len(events):
                timeline[int(index)] = value
            else:
                timeline.append(value)  # the check refuses the list's length
        else:
            entry[rest] = value
    return data


def _one_by_one(posted: dict) -> list[dict]:
    """The posted translations split into one field each, so every problem is found, not only the first."""
    pieces = []
    for code, entry in posted.items():
        if not isinstance(entry, dict) or not entry:
            pieces.append({code: entry})
            continue
        for key, value in entry.items():
            if key == "letters" and isinstance(value, dict):
                pieces.extend({code: {"letters": {name: gloss}}} for name, gloss in value.items())
            elif key == "timeline" and isinstance(value, list):
                for i, text in enumerate(value):
                    if text:
                        pieces.append({code: {"timeline": ["" if j != i else text for j in range(len(value))]}})
            else:
                pieces.append({code: {key: value}})
    return pieces


def _problems(campaign: Campaign, posted: dict) -> dict[str, str]:
    """Every field's problem, by the loader's field name (`translations.es.letters.<variant>`)."""
    names, events = {letter.name for letter in campaign.letters}, _events(campaign)
    problems: dict[str, str] = {}
    for piece in _one_by_one(posted):
        try:
            check_translations(piece, names, events)
        except CampaignFileError as exc:
            problems.setdefault(exc.field, f"{exc.field.removeprefix('translations.')}: {exc.message}")
    return problems


def _field_id(campaign: Campaign, field: str) -> str | None:
    """The id of the input a loader message (`translations.es.letters.<variant>`) is about, if there is one."""
    parts = field.split(".", 3)
    if len(parts) < 3 or parts[1] not in BY_CODE:
        return None
    code, name = parts[1], parts[2]
    if name.startswith("timeline[") and name.endswith("]") and len(parts) == 3:
        return f"t-{code}-timeline-{name[len('timeline[') : -1]}"
    if name == "outcome_message" and len(parts) == 3:
        return f"t-{code}-outcome_message"
    if name == "letters" and len(parts) == 4:
        names = [letter.name for letter in campaign.letters]
        return f"t-{code}-letter-{names.index(parts[3])}" if parts[3] in names else None
    return f"t-{code}-{name}" if name in FIELD_NAMES and len(parts) == 3 else None


def _page(campaign: Campaign, values: dict, errors: dict[str, str], fields: dict[str, str], status: int = 200):
    return render_template(
        "organizer/campaigns/translations.html",
        campaign=campaign,
        form=ConfirmForm(),
        languages=[language for language in LANGUAGES if language.code != DEFAULT],
        fields=FIELDS,
        max_gloss=MAX_GLOSS,
        values=values,
        events=public_timeline(campaign),
        max_event=MAX_TIMELINE_EVENT,
        max_outcome=MAX_OUTCOME_MESSAGE,
        complete=set(translated_languages(campaign)),
        errors=errors,
        error_fields=fields,
    ), status


def _shown_values(posted: dict, campaign: Campaign) -> dict:
    """The posted values as the page reads them back (the timeline by English words, as stored)."""
    events = _events(campaign)
    shown = {}
    for code, entry in posted.items():
        entry = dict(entry) if isinstance(entry, dict) else {}
        if isinstance(entry.get("timeline"), list):
            entry["timeline"] = {
                english: text for english, text in zip(events, entry["timeline"], strict=False) if text
            }
        shown[code] = entry
    return shown


@bp.get("/organizer/campaigns/<int:campaign_id>/translations")
@role_required(Role.ORGANIZER)
def edit(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    return _page(campaign, campaign.translations or {}, {}, {})


@bp.post("/organizer/campaigns/<int:campaign_id>/translations")
@role_required(Role.ORGANIZER)
def save(campaign_id: int):
    """Nothing is saved unless all of it passes; a language reaches the public pages once it is complete."""
    campaign = campaign_or_404(campaign_id)
    posted = _posted(campaign)
    if not ConfirmForm().validate_on_submit():
        return _page(campaign, posted, {"csrf_token": EXPIRED}, {}, 400)
    problems = _problems(campaign, posted)
    if not problems:
        try:
            cleaned = check_translations(posted, {letter.name for letter in campaign.letters}, _events(campaign))
        except CampaignFileError as exc:  # a rule about the whole, which no single field breaks
            problems = {exc.field: f"{exc.field.removeprefix('translations.')}: {exc.message}"}
    if problems:
        fields = {key: field_id for key in problems if (field_id := _field_id(campaign, key))}
        return _page(campaign, _shown_values(posted, campaign), problems, fields, 400)
    if cleaned == (campaign.translations or {}):
        flash("Nothing changed.", "info")
        return redirect(url_for(".edit", campaign_id=campaign.id))
    campaign.translations = cleaned
    complete = [code for code in translated_languages(campaign) if code != DEFAULT]
    audit.record(
        "campaign.translations",
        campaign=campaign.slug,
        filters={"languages": sorted(cleaned), "complete": complete},
        commit=False,
    )
    db.session.commit()
    campaign_changed(campaign.slug)
    offered = ", ".join(BY_CODE[code].name for code in complete) or "English only"
    flash(f"Translations saved. The public pages offer: {offered}.", "info")
    return redirect(url_for(".edit", campaign_id=campaign.id))
