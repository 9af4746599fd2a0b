"""Members' photos on this site: `flask legislators photos` copies them (from a URL base or a folder) as small
JPEGs; the office pickers show them, served by our own route, and initials where there is none."""

from __future__ import annotations

import html
import io

import pytest
from PIL import Image

from advocacy.congress.offices import current_offices
from advocacy.congress.photos import BOX
from tests.fakes.feeds import serve_feeds
from tests.test_campaign_organizer import BASE, create_campaign, page

pytestmark = pytest.mark.usefixtures("congress_data")

PADILLA, GILLIBRAND = "P000145", "G000555"


def jpeg(size=(225, 275), color=(120, 60, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG", quality=90, exif=Image.Exif())
    return out.getvalue()


@pytest.fixture
def app_config(tmp_path):
    return {"MEMBER_PHOTOS_DIR": str(tmp_path / "photos")}


@pytest.fixture
def photo_server():
    with serve_feeds() as server:
        server.add(f"/images/{PADILLA}.jpg", jpeg(), content_type="image/jpeg")
        server.add(f"/images/{GILLIBRAND}.jpg", b"<html>not an image</html>", content_type="image/jpeg")
        yield server  # every other member: 404


def test_the_command_stores_each_photo_as_a_small_jpeg_and_says_what_it_could_not(runner, db, tmp_path, photo_server):
    stale = tmp_path / "photos" / "A000001.jpg"  # a member who has left
    stale.parent.mkdir()
    stale.write_bytes(jpeg())
    sitting = len(current_offices())

    result = runner.invoke(args=["legislators", "photos", "--source", photo_server.url("/images/")])

    assert result.exit_code == 0, result.output
    assert f"Member photos: 1 saved, {sitting - 2} not in the source, 1 failed, 1 removed (no longer sitting)." in (
        result.output
    )
    assert f"  {GILLIBRAND}: not a readable image" in result.output
    stored = Image.open(tmp_path / "photos" / f"{PADILLA}.jpg")
    assert stored.format == "JPEG" and stored.width <= BOX[0] and stored.height <= BOX[1]
    assert not stale.exists() and not (tmp_path / "photos" / f"{GILLIBRAND}.jpg").exists()


def test_a_folder_works_as_the_source_and_a_bad_one_is_a_one_line_error(runner, db, tmp_path):
    folder = tmp_path / "source"
    folder.mkdir()
    (folder / f"{PADILLA}.jpg").write_bytes(jpeg())
    result = runner.invoke(args=["legislators", "photos", "--source", str(folder)])
    assert result.exit_code == 0, result.output
    assert "Member photos: 1 saved," in result.output
    assert (tmp_path / "photos" / f"{PADILLA}.jpg").is_file()
    missing = runner.invoke(args=["legislators", "photos", "--source", str(tmp_path / "nowhere")])
    assert missing.exit_code == 1 and "is not a folder or a URL" in missing.output


def test_when_no_photo_can_be_read_the_command_fails(runner, db, tmp_path):
    with serve_feeds() as server:
        for office in current_offices():
            server.add(f"/{office.bioguide_id}.jpg", b"", status=503)
        result = runner.invoke(args=["legislators", "photos", "--source", server.url("/")])
    assert result.exit_code == 1
    assert "no photo could be stored (the source answered 503)" in result.output


def test_pickers_show_a_stored_photo_from_this_site_and_initials_otherwise(
    runner, organizer_client, staff_client, db, photo_server
):
    runner.invoke(args=["legislators", "photos", "--source", photo_server.url("/images/")])
    campaign = create_campaign(organizer_client)
    targets = html.unescape(
        page(organizer_client.get(f"{BASE}/{campaign.id}/targets", query_string={"office_q": "CA"}))
    )
    padilla = targets[targets.index(f'value="{PADILLA}"') :].split("</li>")[0]
    assert f'<img src="/members/{PADILLA}/photo.jpg" alt=""' in padilla and 'class="initials"' not in padilla
    other = html.unescape(page(organizer_client.get(f"{BASE}/{campaign.id}/targets", query_string={"office_q": "NY"})))
    gillibrand = other[other.index(f'value="{GILLIBRAND}"') :].split("</li>")[0]
    assert "<img" not in gillibrand and 'class="initials"' in gillibrand
    found = organizer_client.get("/organizer/campaigns/pickers/offices.json", query_string={"q": "padilla"})
    assert found.get_json()["results"][0]["photo"] == f"/members/{PADILLA}/photo.jpg"

    photo = staff_client.get(f"/members/{PADILLA}/photo.jpg")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert Image.open(io.BytesIO(photo.data)).format == "JPEG"
    assert staff_client.get(f"/members/{GILLIBRAND}/photo.jpg").status_code == 404
    assert staff_client.get("/members/..%2Fadmin-password/photo.jpg").status_code == 404
    assert staff_client.get("/members/p000145/photo.jpg").status_code == 404  # ids only as the roster writes them
