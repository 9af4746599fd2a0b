"""The campaign photo: an organizer uploads it (/organizer/campaigns/<id>/photo), and it is served from this site
(/photos/<id>.jpg): to everyone once the campaign is published (live or closed), as its pages are; a draft's only to
signed-in accounts, never to a shared cache. The checks and the re-encoding are in campaigns/photos.py. Public pages
show a change within CAMPAIGN_CACHE_SECONDS, like any other campaign edit. Uploads and removals are in the audit log
(`photo.upload`, `photo.remove`: ids and sizes, never the file's name, the description or the credit), so this page
sits on top, as the campaign's translations do."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import StringField

from advocacy.auth.access import public, role_required
from advocacy.auth.models import Role
from advocacy.campaigns import photos
from advocacy.campaigns.models import MAX_PHOTO_ALT, MAX_PHOTO_CREDIT, Campaign, Status
from advocacy.campaigns.services import campaign_or_404
from advocacy.extensions import db
from advocacy.inputs import accepts_upload
from advocacy.reports import audit

bp = Blueprint("photos", __name__)


class PhotoForm(FlaskForm):
    photo = FileField("Photo (JPEG, PNG or WebP)")
    alt = StringField("Describe the photo for people who cannot see it")
    credit = StringField("Credit (optional)")


class RemoveForm(FlaskForm):
    pass


def _upload_limit() -> int:
    """Up to twice PHOTO_MAX_BYTES reaches the form, so it can say the photo is too large (not a bare 413)."""
    return 2 * photos.max_bytes() + 64 * 1024


def _page(campaign: Campaign, form: PhotoForm, errors: dict[str, str], status: int = 200):
    return render_template(
        "organizer/campaigns/photo.html",
        campaign=campaign,
        form=form,
        errors=errors,
        remove_form=RemoveForm(),
        max_size=photos.size_words(photos.max_bytes()),
        min_side=photos.MIN_SIDE,
        max_alt=MAX_PHOTO_ALT,
        max_credit=MAX_PHOTO_CREDIT,
    ), status


@bp.get("/organizer/campaigns/<int:campaign_id>/photo")
@role_required(Role.ORGANIZER)
def edit(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    return _page(campaign, PhotoForm(data={"alt": campaign.photo_alt, "credit": campaign.photo_credit}), {})


@bp.post("/organizer/campaigns/<int:campaign_id>/photo")
@role_required(Role.ORGANIZER)
@accepts_upload(_upload_limit)
def upload(campaign_id: int):
    """A new photo with its description, or (no file, a photo already there) a new description. Nothing is
    stored unless everything is right."""
    campaign = campaign_or_404(campaign_id)
    try:
        form = PhotoForm()
        raw = form.photo.data.read(photos.max_bytes() + 1) if form.photo.data else b""
    except RequestEntityTooLarge:
        form = PhotoForm(formdata=None, data={"alt": "", "credit": ""})
        return _page(campaign, form, {"photo": photos.too_large()}, 400)
    if not form.validate_on_submit():  # the CSRF token
        return _page(campaign, form, {"photo": "The form had expired. Please send it again."}, 400)
    alt, credit = form.alt.data or "", form.credit.data or ""
    errors = photos.check_words(alt, credit)
    cleaned = None
    if raw or not campaign.photo_url.startswith("/photos/"):
        try:
            cleaned = photos.clean_photo(raw)
        except photos.PhotoProblem as exc:
            errors = {"photo": str(exc), **errors}
    if errors:
        return _page(campaign, form, errors, 400)
    if cleaned is not None:
        replaced = photos.stored_ids(campaign)
        stored = photos.set_photo(campaign, cleaned, alt, credit, current_user.id)
        audit.record(
            "photo.upload",
            campaign=campaign.slug,
            filters={"photo": stored.id, "width": stored.width, "height": stored.height, "replaced": replaced},
            commit=False,
        )
        message = f"Photo saved ({cleaned.width} × {cleaned.height}, re-encoded without its metadata)."
    else:
        photos.update_words(campaign, alt, credit)
        message = "Photo description saved."
    db.session.commit()
    flash(message, "info")
    return redirect(url_for(".edit", campaign_id=campaign.id))


@bp.post("/organizer/campaigns/<int:campaign_id>/photo/remove")
@role_required(Role.ORGANIZER)
def remove(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    if not RemoveForm().validate_on_submit():
        abort(400)
    removed = photos.stored_ids(campaign)
    photos.remove_photo(campaign)
    audit.record("photo.remove", campaign=campaign.slug, filters={"removed": removed}, commit=False)
    db.session.commit()
    flash("Photo removed.", "info")
    return redirect(url_for(".edit", campaign_id=campaign.id))


@bp.get("/photos/<photo_id>.jpg")
@public
def serve(photo_id: str):
    """The stored copy. A published campaign's is public, and its address changes with every upload, so anyone may
    keep it a long time. A draft's is for signed-in accounts only (every role may open a draft's signed-in pages), and
    is not stored by any cache (security.py's no-store): signed out, it is not found, as the draft's page is not."""
    found = photos.stored_photo_and_status(photo_id)
    if found is None:
        abort(404)
    photo, status = found
    published = status != Status.DRAFT.value
    if not published and not current_user.is_authenticated:
        abort(404)
    response = current_app.response_class(photo.data, mimetype="image/jpeg")
    if published:
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    response.headers["Content-Disposition"] = "inline"
    return response
