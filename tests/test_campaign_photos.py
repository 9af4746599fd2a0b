"""The campaign photo (issue 16): an organizer uploads it; it is checked by content, size and dimensions,
re-encoded without its metadata, stored by us, served from our own origin, and shown with its alt text and credit."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from sqlalchemy import func, select

from advocacy.campaigns.models import Campaign, CampaignPhoto


def picture(size=(900, 600), fmt="JPEG", mode="RGB", gps=False) -> bytes:
    image = Image.new(mode, size, "white" if mode != "1" else 1)
    out = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "SecretCameraMaker"  # Make
        gps_ifd = exif.get_ifd(0x8825)
        gps_ifd.update({1: "N", 2: (40.0, 44.0, 55.0), 3: "W", 4: (73.0, 59.0, 10.0)})
        image.save(out, fmt, exif=exif)
    else:
        image.save(out, fmt)
    return out.getvalue()


def upload(client, campaign, data: bytes | None, alt="Sample Q. Person smiling, outdoors", credit="Family photo",
           name="photo.jpg"):  # fmt: skip
    form = {"alt": alt, "credit": credit}
    if data is not None:
        form["photo"] = (io.BytesIO(data), name)
    return client.post(f"/organizer/campaigns/{campaign.id}/photo", data=form, content_type="multipart/form-data")


def photos_stored(db) -> int:
    return db.session.scalar(select(func.count()).select_from(CampaignPhoto))


def test_a_photo_is_re_encoded_without_its_metadata_stored_and_served_from_our_origin(
    organizer_client, client, db, live_campaign
):
    original = picture((2400, 1600), gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the upload does carry a location
    response = upload(organizer_client, live_campaign, original)
    assert response.status_code == 302, response.get_data(as_text=True)

    [stored] = db.session.scalars(select(CampaignPhoto)).all()
    campaign = db.session.get(Campaign, live_campaign.id)
    db.session.refresh(campaign)
    assert campaign.photo_url == f"/photos/{stored.id}.jpg"
    assert (campaign.photo_alt, campaign.photo_credit) == ("Sample Q. Person smiling, outdoors", "Family photo")
    kept = Image.open(io.BytesIO(stored.data))
    assert kept.format == "JPEG" and kept.size == (1600, 1067) == (stored.width, stored.height)
    assert not kept.getexif() and b"Exif" not in stored.data and b"SecretCameraMaker" not in stored.data

    served = client.get(campaign.photo_url)
    assert served.status_code == 200 and served.mimetype == "image/jpeg" and served.data == stored.data
    assert "img-src 'self'" in served.headers["Content-Security-Policy"]
    page = client.get("/c/sample-campaign").get_data(as_text=True)
    assert re.search(rf'<img src="{campaign.photo_url}" alt="Sample Q. Person smiling, outdoors"', page)
    assert "Photo: Family photo" in page


def test_a_new_photo_replaces_the_old_one_and_removing_it_leaves_none(organizer_client, client, db, live_campaign):
    upload(organizer_client, live_campaign, picture())
    [first] = db.session.scalars(select(CampaignPhoto.id)).all()
    upload(organizer_client, live_campaign, picture((600, 900), fmt="PNG"), name="second.png")
    [second] = db.session.scalars(select(CampaignPhoto.id)).all()
    assert second != first and client.get(f"/photos/{first}.jpg").status_code == 404
    response = organizer_client.post(f"/organizer/campaigns/{live_campaign.id}/photo/remove")
    assert response.status_code == 302
    assert photos_stored(db) == 0
    db.session.expire_all()
    assert db.session.get(Campaign, live_campaign.id).photo_url == ""
    assert client.get(f"/photos/{second}.jpg").status_code == 404


def test_without_a_new_file_only_the_description_changes(organizer_client, db, live_campaign):
    upload(organizer_client, live_campaign, picture())
    [photo_id] = db.session.scalars(select(CampaignPhoto.id)).all()
    assert upload(organizer_client, live_campaign, None, alt="Sample, at a rally", credit="").status_code == 302
    db.session.expire_all()
    campaign = db.session.get(Campaign, live_campaign.id)
    assert (campaign.photo_alt, campaign.photo_credit, campaign.photo_url) == (
        "Sample, at a rally",
        "",
        f"/photos/{photo_id}.jpg",
    )


def _bomb() -> bytes:
    out = io.BytesIO()
    Image.new("1", (10_000, 5_000), 1).save(out, "PNG")  # 50 megapixels in a few kilobytes
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "alt", "message"),
    [
        (b"%PDF-1.7 not a photo at all", "A photo", "Upload a JPEG, PNG or WebP photo"),
        (b"GIF89a" + picture()[6:], "A photo", "Upload a JPEG, PNG or WebP photo"),  # a JPEG body with a GIF head
        (None, "A photo", "Choose a photo to upload."),
        ("gif", "A photo", "Upload a JPEG, PNG or WebP photo"),
        ("small", "A photo", "at least 200 pixels on each side"),
        ("bomb", "A photo", "under 40 megapixels"),
        ("truncated", "A photo", "damaged or incomplete"),
        ("good", "", "Describe the photo for people who cannot see it"),
        ("good", "x" * 301, "Keep the description under 300 characters."),
    ],
)
def test_a_bad_upload_is_refused_with_a_clear_message_and_nothing_is_stored(
    organizer_client, client, db, live_campaign, data, alt, message
):
    made = {
        "gif": lambda: picture(fmt="GIF", mode="P"),
        "small": lambda: picture((120, 400)),
        "bomb": _bomb,
        "truncated": lambda: picture((1200, 900))[:2000],
        "good": picture,
    }
    raw = made[data]() if isinstance(data, str) else data
    response = upload(organizer_client, live_campaign, raw, alt=alt)
    assert response.status_code == 400
    html = response.get_data(as_text=True).replace("&#39;", "'")
    assert "<title>Error: Photo" in html and 'id="form-errors"' in html and message in html
    assert photos_stored(db) == 0
    db.session.expire_all()
    assert db.session.get(Campaign, live_campaign.id).photo_alt == ""
    assert "/photos/" not in client.get("/c/sample-campaign").get_data(as_text=True)


@pytest.mark.parametrize("app_config", [{"PHOTO_MAX_BYTES": 400_000}])
def test_a_photo_over_the_size_limit_is_refused_with_a_message_or_a_413(organizer_client, db, live_campaign):
    def noise(side: int) -> bytes:
        out = io.BytesIO()
        Image.effect_noise((side, side), 100).convert("RGB").save(out, "PNG")
        return out.getvalue()

    over = noise(500)  # above the limit, below twice it: the form says so
    assert 400_000 < len(over) < 800_000
    response = upload(organizer_client, live_campaign, over, name="big.png")
    assert response.status_code == 400 and "larger than 0 MB" not in response.get_data(as_text=True)
    assert "The photo is larger than" in response.get_data(as_text=True)
    far_over = noise(1000)  # beyond what the route reads at all
    assert len(far_over) > 2 * 400_000 + 64 * 1024
    assert upload(organizer_client, live_campaign, far_over, name="huge.png").status_code == 413
    assert photos_stored(db) == 0


def test_only_organizers_upload_and_anyone_may_see_a_photo(staff_client, client, organizer_client, db, live_campaign):
    assert upload(staff_client, live_campaign, picture()).status_code == 403
    assert client.get(f"/organizer/campaigns/{live_campaign.id}/photo").status_code == 302  # to the login page
    assert photos_stored(db) == 0
    assert client.get("/photos/00000000-0000-0000-0000-000000000000.jpg").status_code == 404


def set_status(db, campaign, status: str) -> None:
    db.session.get(Campaign, campaign.id).status = status
    db.session.commit()


def test_a_drafts_photo_is_served_only_to_signed_in_staff_and_never_to_a_cache(
    client, staff_client, organizer_client, admin_client, db, live_campaign
):
    assert upload(organizer_client, live_campaign, picture()).status_code == 302
    [stored] = db.session.scalars(select(CampaignPhoto)).all()
    url = f"/photos/{stored.id}.jpg"
    set_status(db, live_campaign, "draft")

    hidden = client.get(url)  # anyone holding the address, signed out: as if there were no such photo
    assert hidden.status_code == 404 and hidden.data != stored.data and hidden.mimetype != "image/jpeg"
    for signed_in in (staff_client, organizer_client, admin_client):
        seen = signed_in.get(url)
        assert seen.status_code == 200 and seen.data == stored.data
        assert seen.headers["Cache-Control"] == "no-store"  # no shared cache keeps it for the signed-out

    for published in ("live", "closed"):  # public like their pages, and cacheable by anyone
        set_status(db, live_campaign, published)
        shown = client.get(url)
        assert shown.status_code == 200 and shown.data == stored.data
        assert shown.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_uploading_and_removing_a_photo_are_audited_without_personal_data(organizer_client, db, live_campaign):
    from advocacy.reports.models import AuditEvent

    def events():
        db.session.expire_all()
        return db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("photo.%")).order_by(AuditEvent.id))

    private = "Guan Heng at his sister's home in Queens"
    upload(organizer_client, live_campaign, picture((900, 600)), alt=private, credit="Jane Roe", name="jane-roe.jpg")
    [first] = db.session.scalars(select(CampaignPhoto.id)).all()
    upload(organizer_client, live_campaign, picture((600, 900)), name="second.png")
    [second] = db.session.scalars(select(CampaignPhoto.id)).all()
    upload(organizer_client, live_campaign, None, alt="A new description")  # words only: not a new photo
    refused = upload(organizer_client, live_campaign, b"not an image")
    assert refused.status_code == 400
    assert organizer_client.post(f"/organizer/campaigns/{live_campaign.id}/photo/remove").status_code == 302

    rows = list(events())
    assert [(e.action, e.campaign, e.user_id, e.source) for e in rows] == [
        ("photo.upload", "sample-campaign", organizer_client.user.id, "web"),
        ("photo.upload", "sample-campaign", organizer_client.user.id, "web"),
        ("photo.remove", "sample-campaign", organizer_client.user.id, "web"),
    ]
    assert rows[0].filters == {"photo": first, "width": 900, "height": 600, "replaced": []}
    assert rows[1].filters == {"photo": second, "width": 600, "height": 900, "replaced": [first]}
    assert rows[2].filters == {"removed": [second]}
    recorded = " ".join(str(e.filters) for e in rows)
    assert "Jane" not in recorded and "Queens" not in recorded and ".jpg" not in recorded and ".png" not in recorded
