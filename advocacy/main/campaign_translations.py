"""A campaign's translations (issue 21), edited by organizers at /organizer/campaigns/<id>/translations: its own
words in each language a writer may read them in. The campaign pages are in advocacy/campaigns; this one records
an audit event, so it sits on top, as the organization's settings page does.

The form's fields are named `<code>.<field>` and `<code>.letters.<variant index>`. They are checked by the
campaign file's rules (campaigns.files.check_translations): a file and this page accept and refuse the same things.
A save changes `campaigns.translations`, which the next file load sees as edited in the web (loaded_state)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from advocacy.auth.access import role_required
from advocacy.auth.models import Role
from advocacy.campaigns.files import MAX_GLOSS, CampaignFileError, check_translations
from advocacy.campaigns.forms import ConfirmForm
from advocacy.campaigns.models import MAX_ASK, MAX_SHARE_TEXT, MAX_STORY, MAX_TITLE, Campaign
from advocacy.campaigns.services import campaign_or_404
from advocacy.campaigns.snapshots import campaign_changed
from advocacy.extensions import db
from advocacy.i18n import BY_CODE, DEFAULT, LANGUAGES, translated_languages
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


def _posted(campaign: Campaign) -> dict:
    """What the form sent, shaped as a file's `translations`: empty fields and empty languages left out. A field
    for a language or a variant the campaign does not have is kept, so the check refuses it by name."""
    variants = [letter.name for letter in campaign.letters]
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
        else:
            entry[rest] = value
    return data


def _field_id(campaign: Campaign, field: str) -> str | None:
    """The id of the input a loader message (`translations.es.letters.<variant>`) is about, if there is one."""
    parts = field.split(".", 3)
    if len(parts) < 3 or parts[1] not in BY_CODE:
        return None
    code, name = parts[1], parts[2]
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
        complete=set(translated_languages(campaign)),
        errors=errors,
        error_fields=fields,
    ), status


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
    try:
        cleaned = check_translations(posted, {letter.name for letter in campaign.letters})
    except CampaignFileError as exc:
        message = f"{exc.field.removeprefix('translations.')}: {exc.message}"
        field_id = _field_id(campaign, exc.field)
        return _page(campaign, posted, {exc.field: message}, {exc.field: field_id} if field_id else {}, 400)
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
