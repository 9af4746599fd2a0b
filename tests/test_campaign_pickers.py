"""Pickers instead of ids: an organizer finds offices by name, state or district and committees by name, checks
them, and the campaign stores their ids; the search works as a plain GET form, and as JSON for picker.js."""

from __future__ import annotations

import html
import re

import pytest

from tests.test_campaign_organizer import BASE, create_campaign, page

pytestmark = pytest.mark.usefixtures("congress_data")


def boxes(text: str, name: str) -> list[tuple[str, bool]]:
    found = re.findall(rf'<input type="checkbox" name="{name}" value="([^"]+)"( checked)?>', text)
    return [(value, bool(checked)) for value, checked in found]


def test_offices_are_found_by_name_state_or_district_and_shown_without_photos(organizer_client, db):
    campaign = create_campaign(organizer_client)
    url = f"{BASE}/{campaign.id}/targets"
    by_name = html.unescape(page(organizer_client.get(url, query_string={"office_q": "Padilla"})))
    assert boxes(by_name, "member") == [("P000145", False)]
    assert "Senator Alex Padilla" in by_name and "Senate · D-CA · Democrat" in by_name
    assert ">AP</span>" in by_name and "<img" not in by_name
    by_district = page(organizer_client.get(url, query_string={"office_q": "NY-13"}))
    assert ("E000297", False) in boxes(by_district, "member")
    by_state = boxes(page(organizer_client.get(url, query_string={"office_q": "Vermont"})), "member")
    assert ("S000033", False) in by_state and len(by_state) == 3


def test_committees_and_subcommittees_are_found_by_name(organizer_client, db):
    campaign = create_campaign(organizer_client)
    text = html.unescape(
        page(organizer_client.get(f"{BASE}/{campaign.id}/targets", query_string={"committee_q": "judiciary"}))
    )
    values = [v for v, _ in boxes(text, "committee")]
    assert "SSJU" in values and "HSJU" in values
    assert any(len(v) > 4 and v.startswith("SSJU") for v in values)  # its subcommittees too
    assert "Subcommittee" in text


def test_checked_offices_and_committees_are_stored_as_ids_and_shown_as_names(organizer_client, db):
    campaign = create_campaign(organizer_client)
    url = f"{BASE}/{campaign.id}/targets"
    response = organizer_client.post(url, data={"member": ["P000145", "E000297"], "committee": ["SSJU"]})
    assert response.status_code == 302
    db.session.expire_all()
    assert campaign.target_members == ["P000145", "E000297"] and campaign.target_committees == ["SSJU"]
    text = html.unescape(page(organizer_client.get(url)))
    assert boxes(text, "member") == [("P000145", True), ("E000297", True)]
    assert "Senator Alex Padilla" in text and "Representative Adriano Espaillat" in text
    assert boxes(text, "committee") == [("SSJU", True)] and "Judiciary" in text

    # Unchecking removes; a box that is not a member is refused and changes nothing.
    assert organizer_client.post(url, data={"member": ["E000297"]}).status_code == 302
    db.session.expire_all()
    assert campaign.target_members == ["E000297"] and campaign.target_committees == []
    refused = organizer_client.post(url, data={"member": ["E000297", "Z999999"]})
    assert refused.status_code == 400 and "Not a sitting member: Z999999." in page(refused)
    db.session.expire_all()
    assert campaign.target_members == ["E000297"]


def test_the_picker_json_serves_the_same_search(staff_client):
    offices = staff_client.get("/organizer/campaigns/pickers/offices.json", query_string={"q": "padilla"}).get_json()
    assert offices["results"] == [
        {
            "value": "P000145",
            "text": "Senator Alex Padilla",
            "detail": "Senate · D-CA · Democrat",
            "initials": "AP",
            "photo": "",  # none stored (tests/test_member_photos.py)
        }
    ]
    committees = staff_client.get("/organizer/campaigns/pickers/committees.json", query_string={"q": "judiciary"})
    assert "SSJU" in [c["value"] for c in committees.get_json()["results"]]
    assert staff_client.get("/organizer/campaigns/pickers/offices.json").get_json() == {"results": []}


def test_the_preview_renders_for_the_offices_you_choose_and_shows_the_checklist(organizer_client, db):
    campaign = create_campaign(organizer_client)
    url = f"{BASE}/{campaign.id}/preview"
    before = html.unescape(page(organizer_client.get(url)))
    assert "Missing:" in before  # no letters yet: the publish checklist is not met
    organizer_client.post(
        f"{BASE}/{campaign.id}/letters/new",
        data={
            "name": "Everyone",
            "chamber": "any",
            "stance": "any",
            "priority": "0",
            "subject": "Please help",
            "body": "{{ office.salutation }},\n\nPlease help.\n\n{{ constituent.full_name }}",
        },
    )
    found = html.unescape(page(organizer_client.get(url, query_string={"office_q": "Padilla"})))
    assert ("P000145", False) in boxes(found, "office")
    chosen = html.unescape(page(organizer_client.get(url, query_string={"office": ["P000145", "E000297"]})))
    assert "Dear Senator Padilla" in chosen and "Dear Representative Espaillat" in chosen
    assert boxes(chosen, "office") == [("P000145", True), ("E000297", True)]
    assert "the checklist for publishing is met" in chosen and "renders for every office shown" in chosen


def test_the_letter_editor_offers_each_placeholder_to_insert(organizer_client, db):
    campaign = create_campaign(organizer_client)
    text = html.unescape(page(organizer_client.get(f"{BASE}/{campaign.id}/letters/new")))
    assert 'data-insert="{{ office.salutation }}"' in text and 'data-insert="{{ constituent.full_name }}"' in text
    assert "/static/js/palette.js" in text and "<script>" not in text


def test_the_editor_previews_the_letter_as_typed_without_saving_it(organizer_client, db):
    campaign = create_campaign(organizer_client)
    typed = {
        "name": "Everyone",
        "chamber": "any",
        "stance": "any",
        "priority": "0",
        "subject": "Please help {{ campaign.detainee_name }}",
        "body": "{{ office.salutation }},\n\nPlease help.\n\n{{ constituent.full_name }}",
    }
    # Without JavaScript: "Preview without saving" posts the form and gets the page back with the letter rendered.
    shown = html.unescape(
        page(organizer_client.post(f"{BASE}/{campaign.id}/letters/new", data={**typed, "preview": "1"}))
    )
    for title in ("Senator", "Representative", "Delegate"):
        assert f"Dear {title} " in shown, title
    assert "which has spoken" in shown and "which has not spoken" in shown
    assert "Renders for every office shown." in shown and "Please help Ana Example" in shown
    assert 'name="body"' in shown and "Please help.\n" in shown  # the form keeps what was typed
    # The live preview's fragment: the same letters, no page around them.
    fragment = html.unescape(page(organizer_client.post(f"{BASE}/{campaign.id}/letters/preview", data=typed)))
    assert "Dear Senator " in fragment and "<html" not in fragment
    broken = organizer_client.post(
        f"{BASE}/{campaign.id}/letters/preview", data={**typed, "body": "{{ office.salutation }\n"}
    )
    assert broken.status_code == 200 and "cannot be rendered" in page(broken)
    db.session.expire_all()
    assert campaign.letters == []  # a preview stores nothing


def checklist_rows(text: str) -> dict[str, str]:
    """The editor's checklist table: each letter's row text by its name (tags dropped, spaces folded)."""
    table = text.split('id="variant-checklist"')[1].split("</table>")[0]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]:
        words = " ".join(re.sub(r"<[^>]+>", " ", row).split())
        name = " ".join(re.sub(r"<[^>]+>", " ", row.split("</th>")[0]).split())
        rows[name] = words
    return rows


def test_the_editor_shows_every_variant_against_the_publish_checklist_judging_the_typed_one(organizer_client, db):
    """Two saved letters, one for each chamber: the editor lists both as meeting the checklist. Previewing the
    House letter retyped for senators who have spoken, with a broken tag, judges it as typed (with JavaScript,
    the fragment; without, the page): the House cases go missing, the Senate letter keeps only the case still
    its own, the typed one cannot be rendered. Nothing is saved."""
    campaign = create_campaign(organizer_client)
    body = "{{ office.salutation }},\n\nPlease help.\n\n{{ constituent.full_name }}"
    for name, chamber in (("Senate letter", "senate"), ("House letter", "house")):
        saved = organizer_client.post(
            f"{BASE}/{campaign.id}/letters/new",
            data={"name": name, "chamber": chamber, "stance": "any", "priority": "0", "subject": "Help", "body": body},
        )
        assert saved.status_code == 302
    db.session.expire_all()
    house = next(v for v in campaign.letters if v.name == "House letter")
    edit_url = f"{BASE}/{campaign.id}/letters/{house.id}"

    before = html.unescape(page(organizer_client.get(edit_url)))
    assert "the checklist for publishing is met" in before
    rows = checklist_rows(before)
    assert rows["Senate letter"].endswith(
        "Senators who have not spoken; senators who have spoken Yes, for every office shown"
    )
    assert "House members who have not spoken; House members who have spoken Yes" in rows["House letter"]
    assert f"/letters/preview?letter={house.id}" in before  # the live preview knows which letter is typed

    typed = {
        "name": "House letter",
        "chamber": "senate",
        "stance": "spoken",
        "priority": "0",
        "subject": "Help",
        "body": "{{ office.salutation }\n",
    }
    fragment = html.unescape(
        page(organizer_client.post(f"{BASE}/{campaign.id}/letters/preview?letter={house.id}", data=typed))
    )
    plain = html.unescape(page(organizer_client.post(edit_url, data={**typed, "preview": "1"})))
    for shown in (fragment, plain):
        assert "Missing: no letter for House members who have not spoken" in shown
        assert "Missing: no letter for House members who have spoken" in shown
        rows = checklist_rows(shown)
        assert list(rows) == ["Senate letter", "House letter (as typed, not saved)"]
        assert "Senators who have not spoken Yes, for every office shown" in rows["Senate letter"]
        assert "Senate, has spoken Senators who have spoken" in rows["House letter (as typed, not saved)"]
        assert "cannot be rendered" in rows["House letter (as typed, not saved)"]
    new = html.unescape(page(organizer_client.post(f"{BASE}/{campaign.id}/letters/preview", data=typed)))
    assert list(checklist_rows(new)) == ["Senate letter", "House letter", "House letter (as typed, not saved)"]
    db.session.expire_all()
    assert [(v.name, v.chamber, v.stance, v.body) for v in campaign.letters] == [
        ("Senate letter", "senate", "any", body),
        ("House letter", "house", "any", body),
    ]
