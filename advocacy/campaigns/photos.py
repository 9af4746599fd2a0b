"""A campaign's photo, uploaded by an organizer: checked by its content (not its name or declared type), limited in
bytes and pixels, and re-encoded as a JPEG with no metadata (EXIF GPS, camera, ICC, comments) before we store it.

Pillow decodes the image; the decoded pixels are all we keep. The stored copy is served from this site
(/photos/<id>.jpg), so a public page loads nothing from another origin.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import delete, select

from advocacy import images
from advocacy.campaigns.models import MAX_PHOTO_ALT, MAX_PHOTO_CREDIT, Campaign, CampaignPhoto
from advocacy.extensions import db

MIN_SIDE = 200  # smaller looks broken on the campaign page
MAX_PIXELS = 40_000_000  # refused before decoding: a small file can claim a huge picture
STORED_SIDE = 1600  # the longest side we keep; larger photos are scaled down


class PhotoProblem(ValueError):
    """Why an upload was refused, in words for the organizer; `field` is the form field it concerns."""

    def __init__(self, message: str, field: str = "photo"):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes
    width: int
    height: int


def max_bytes() -> int:
    return int(current_app.config.get("PHOTO_MAX_BYTES", 5 * 1024 * 1024))


def size_words(n: int) -> str:
    """5242880 → "5 MB", 400000 → "391 KB"."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.3g} MB"
    return f"{max(1, round(n / 1024))} KB"


def too_large() -> str:
    return f"The photo is larger than {size_words(max_bytes())}. Upload a smaller copy."


def clean_photo(raw: bytes) -> CleanPhoto:
    """The upload decoded, checked and re-encoded; PhotoProblem says what is wrong with it."""
    if not raw:
        raise PhotoProblem("Choose a photo to upload.")
    if len(raw) > max_bytes():
        raise PhotoProblem(too_large())
    try:
        image = images.open_checked(raw, max_pixels=MAX_PIXELS, min_side=MIN_SIDE)
    except images.ImageRefused as refused:
        raise PhotoProblem(_refusal_words(refused)) from None
    return CleanPhoto(*images.to_jpeg(image, (STORED_SIDE, STORED_SIDE)))


def _refusal_words(refused: images.ImageRefused) -> str:
    size = f"{refused.width} × {refused.height} pixels"
    if refused.why == "pixels":
        return f"The photo is {size}: upload one under 40 megapixels."
    if refused.why == "small":
        return f"The photo is {size}: upload one at least {MIN_SIDE} pixels on each side."
    if refused.why == "damaged":
        return "The photo file is damaged or incomplete. Upload it again."
    return "Upload a JPEG, PNG or WebP photo (this file is not one, whatever its name)."


def check_words(alt: str, credit: str) -> dict[str, str]:
    problems = {}
    if not alt.strip():
        problems["alt"] = "Describe the photo for people who cannot see it, such as “Guan Heng smiling, outdoors”."
    elif len(alt) > MAX_PHOTO_ALT:
        problems["alt"] = f"Keep the description under {MAX_PHOTO_ALT} characters."
    if len(credit) > MAX_PHOTO_CREDIT:
        problems["credit"] = f"Keep the credit under {MAX_PHOTO_CREDIT} characters."
    return problems


def photo_path(photo_id: str) -> str:
    return f"/photos/{photo_id}.jpg"


def set_photo(campaign: Campaign, photo: CleanPhoto, alt: str, credit: str, user_id: int | None) -> CampaignPhoto:
    """Store the photo as the campaign's (the earlier upload is deleted); the caller commits."""
    remove_photo(campaign)
    stored = CampaignPhoto(
        id=str(uuid.uuid4()),
        campaign_id=campaign.id,
        data=photo.data,
        width=photo.width,
        height=photo.height,
        uploaded_by_id=user_id,
    )
    db.session.add(stored)
    campaign.photo_url = photo_path(stored.id)
    campaign.photo_alt = alt.strip()
    campaign.photo_credit = credit.strip()
    return stored


def update_words(campaign: Campaign, alt: str, credit: str) -> None:
    campaign.photo_alt = alt.strip()
    campaign.photo_credit = credit.strip()


def remove_photo(campaign: Campaign) -> None:
    """Delete the stored uploads of the campaign; its photo_url is cleared if it pointed at one of them."""
    db.session.execute(delete(CampaignPhoto).where(CampaignPhoto.campaign_id == campaign.id))
    if (campaign.photo_url or "").startswith("/photos/"):
        campaign.photo_url = ""
        campaign.photo_alt = ""
        campaign.photo_credit = ""


def stored_ids(campaign: Campaign) -> list[str]:
    """The ids of the campaign's stored uploads (one at most, in practice)."""
    return list(
        db.session.scalars(
            select(CampaignPhoto.id).where(CampaignPhoto.campaign_id == campaign.id).order_by(CampaignPhoto.id)
        )
    )


def stored_photo_and_status(photo_id: str) -> tuple[CampaignPhoto, str] | None:
    """The stored upload with its campaign's status (who may see it depends on it), read in one query."""
    if len(photo_id) > 36:
        return None
    row = db.session.execute(
        select(CampaignPhoto, Campaign.status)
        .join(Campaign, Campaign.id == CampaignPhoto.campaign_id)
        .where(CampaignPhoto.id == photo_id)
    ).first()
    return (row[0], row[1]) if row is not None else None
