"""Organizer pages: campaigns, letter variants (validated at save, errors shown with their line), targets,
status changes and the preview. Never a 500."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from advocacy.campaigns.models import Campaign, CustomTarget, LetterTemplate

BASE = "/organizer/campaigns"
GOOD_BODY = (
    "{{ office.salutation }},\n\nPlease speak up for {{ campaign.detainee_name }}.\n"
    "{% if constituent.message %}\n{{ constituent.message }}\n{% endif %}\n{{ constituent.full_name }}"
)
CAMPAIGN_FORM = {
    "slug": "free-ana",
    "title": "Free Ana",
    "detainee_name": "Ana Example",
    "photo_url": "https://example.org/ana.jpg",
    "story_markdown": "Ana is **held**. <script>alert(1)</script>",
    "ask": "Support her release on bond.",
    "share_text": "Write to Congress for Ana.",
    "keywords": "Ana Example\n关恒\n ana example \n",
    "aliases": "Example, Ana",
    "cwc_topic": "Immigration",
}


def letter_form(**overrides):
    data = {
        "name": "Everyone",
        "chamber": "any",
        "stance": "any",
        "priority": "0",
        "subject": "Free Ana",
        "body": GOOD_BODY,
    }
    data.update(overrides)
    return data


def create_campaign(client, **overrides) -> Campaign:
    response = client.post(f"{BASE}/new", data={**CAMPAIGN_FORM, **overrides})
    assert response.status_code == 302, response.get_data(as_text=True)
    from advocacy.extensions import db

    return db.session.scalar(select(Campaign).where(Campaign.slug == (overrides.get("slug") or "free-ana")))


def page(response) -> str:
    return response.get_data(as_text=True)


def test_organizer_pages_need_the_organizer_role(client, staff_client, organizer_client, admin_client):
    assert client.get(BASE).status_code == 302
    assert staff_client.get(BASE).status_code == 403
    assert staff_client.post(f"{BASE}/new", data=CAMPAIGN_FORM).status_code == 403
    assert organizer_client.get(BASE).status_code == 200
    assert admin_client.get(BASE).status_code == 200


def test_nav_shows_campaigns_to_organizers_only(staff_client, organizer_client):
    assert f'href="{BASE}"' in page(organizer_client.get("/dashboard"))
    assert f'href="{BASE}"' not in page(staff_client.get("/dashboard"))


def test_create_a_campaign(organizer_client, db):
    assert organizer_client.get(f"{BASE}/new").status_code == 200
    campaign = create_campaign(organizer_client)
    assert campaign.status == "draft"
    assert campaign.keywords == ["Ana Example", "关恒"] and campaign.aliases == ["Example, Ana"]
    assert "<script>" not in campaign.story_html and "<strong>held</strong>" in campaign.story_html
    listing = page(organizer_client.get(BASE))
    assert "Free Ana" in listing and "/c/free-ana" in listing


def test_every_field_is_validated_with_a_clear_message(organizer_client, db):
    response = organizer_client.post(
        f"{BASE}/new",
        data={
            **CAMPAIGN_FORM,
            "slug": "Free Ana!",
            "title": "",
            "photo_url": "http://example.org/a.jpg",
            "keywords": "k" * 101,
            "share_text": "x" * 281,
            "cwc_topic": "Nonsense",
        },
    )
    assert response.status_code == 400
    text = page(response)
    for message in (
        "Use 2 to 63 lowercase letters, digits and hyphens",
        "Enter a title.",
        "Must be an https:// address or a path on this site",
        "is longer than 100 characters",
        "Use at most 280 characters.",
        "Not a valid choice",
    ):
        assert message in text, message
    assert 'aria-invalid="true"' in text
    assert db.session.scalars(select(Campaign)).all() == []


def test_duplicate_slug_is_refused(organizer_client, db):
    create_campaign(organizer_client)
    response = organizer_client.post(f"{BASE}/new", data=CAMPAIGN_FORM)
    assert response.status_code == 400 and "Another campaign already uses this slug." in page(response)


def test_markup_typed_by_organizers_is_escaped_on_pages(organizer_client, db):
    campaign = create_campaign(organizer_client, title="<script>alert('t')</script>", detainee_name="<b>Ana</b>")
    for path in ("", f"/{campaign.id}", f"/{campaign.id}/edit", f"/{campaign.id}/preview", f"/{campaign.id}/targets"):
        text = page(organizer_client.get(BASE + path))
        assert "<script>alert('t')</script>" not in text and "<b>Ana</b>" not in text, path


def test_edit_and_published_slugs_stay_put(organizer_client, db):
    campaign = create_campaign(organizer_client)
    edit = f"{BASE}/{campaign.id}/edit"
    form_page = page(organizer_client.get(edit))
    assert "Ana Example\n关恒" in form_page  # keywords one per line
    assert organizer_client.post(edit, data={**CAMPAIGN_FORM, "title": "Free Ana now"}).status_code == 302
    assert db.session.get(Campaign, campaign.id).title == "Free Ana now"
    organizer_client.post(f"{BASE}/{campaign.id}/letters/new", data=letter_form())
    assert organizer_client.post(f"{BASE}/{campaign.id}/publish").status_code == 302
    response = organizer_client.post(edit, data={**CAMPAIGN_FORM, "slug": "moved"})
    assert response.status_code == 400 and "keeps its address" in page(response)
    response = organizer_client.post(edit, data={**CAMPAIGN_FORM, "ask": ""})
    assert response.status_code == 400 and "Enter what you ask for." in page(response)
    # a live campaign cannot lose its story; the organizer's other edits stay in the form
    response = organizer_client.post(edit, data={**CAMPAIGN_FORM, "title": "Typed title", "story_markdown": ""})
    assert response.status_code == 400
    assert "Not saved: this campaign is live, and the story is empty." in page(response)
    assert 'value="Typed title"' in page(response)
    assert db.session.get(Campaign, campaign.id).title == "Free Ana now"


def test_letter_variants_are_validated_when_saved(organizer_client, db):
    campaign = create_campaign(organizer_client)
    new = f"{BASE}/{campaign.id}/letters/new"
    assert "constituent.first_name" in page(organizer_client.get(new))  # placeholder help

    body = "{{ office.salutation }},\n\nHello\n{{ constituent.frist_name }}\n"
    response = organizer_client.post(new, data=letter_form(body=body))
    assert response.status_code == 400
    text = page(response)
    assert "Line 4: constituent.frist_name is not a placeholder; did you mean constituent.first_name?" in text
    assert "Line 4 reads:" in text and "{{ constituent.frist_name }}" in text

    response = organizer_client.post(new, data=letter_form(subject="Free {{ campaign.title"))
    assert response.status_code == 400 and "unexpected end of template" in page(response).lower()

    for escape in ("{{ ''.__class__.__mro__ }}", "{{ ''|attr('__class__') }}", "{{ range(10**9) }}"):
        response = organizer_client.post(new, data=letter_form(body="Hi\n" + escape))
        assert response.status_code == 400 and "Line 2: " in page(response), escape

    response = organizer_client.post(new, data=letter_form(body="x" * 20_001))
    assert response.status_code == 400 and "Use at most 20,000 characters." in page(response)
    assert db.session.scalars(select(LetterTemplate)).all() == []

    assert organizer_client.post(new, data=letter_form()).status_code == 302
    response = organizer_client.post(new, data=letter_form(name="Twin"))
    assert response.status_code == 400 and "“Everyone” already covers this chamber and stance" in page(response)


def test_edit_and_delete_a_variant(organizer_client, db):
    campaign = create_campaign(organizer_client)
    organizer_client.post(f"{BASE}/{campaign.id}/letters/new", data=letter_form())
    [letter] = db.session.scalars(select(LetterTemplate)).all()
    url = f"{BASE}/{campaign.id}/letters/{letter.id}"
    assert "Please speak up" in page(organizer_client.get(url))
    assert organizer_client.post(url, data=letter_form(name="Renamed", stance="not_spoken")).status_code == 302
    db.session.expire_all()
    assert (letter.name, letter.stance) == ("Renamed", "not_spoken")
    assert organizer_client.post(f"{url}/delete").status_code == 302
    assert db.session.scalars(select(LetterTemplate)).all() == []
    assert organizer_client.get(f"{BASE}/{campaign.id}/letters/999999").status_code == 404


def test_publish_close_and_delete(organizer_client, db):
    campaign = create_campaign(organizer_client)
    show = f"{BASE}/{campaign.id}"
    response = organizer_client.post(f"{show}/publish", follow_redirects=True)
    assert "Cannot publish: there are no letters yet." in page(response)
    organizer_client.post(f"{show}/letters/new", data=letter_form(chamber="senate"))
    response = organizer_client.post(f"{show}/publish", follow_redirects=True)
    assert "no letter for House members who have not spoken" in page(response)
    assert db.session.get(Campaign, campaign.id).status == "draft"
    organizer_client.post(f"{show}/letters/new", data=letter_form(name="House", chamber="house"))
    assert "The campaign is live." in page(organizer_client.post(f"{show}/publish", follow_redirects=True))
    assert db.session.get(Campaign, campaign.id).status == "live"

    # a live campaign cannot lose the letter that covers the House
    house = db.session.scalar(select(LetterTemplate).where(LetterTemplate.chamber == "house"))
    response = organizer_client.post(f"{show}/letters/{house.id}/delete", follow_redirects=True)
    assert "was not deleted" in page(response)
    assert db.session.get(LetterTemplate, house.id) is not None
    response = organizer_client.post(f"{show}/delete", follow_redirects=True)
    assert "Only a draft can be deleted" in page(response)

    assert "closed" in page(organizer_client.post(f"{show}/close", follow_redirects=True))
    assert db.session.get(Campaign, campaign.id).status == "closed"

    draft_id = create_campaign(organizer_client, slug="other-one").id
    assert organizer_client.post(f"{BASE}/{draft_id}/delete").status_code == 302
    assert db.session.scalar(select(Campaign.id).where(Campaign.id == draft_id)) is None
    assert organizer_client.post(f"{BASE}/999999/publish").status_code == 404


def test_targets_editor(organizer_client, db):
    campaign = create_campaign(organizer_client)
    url = f"{BASE}/{campaign.id}/targets"
    assert organizer_client.get(url).status_code == 200
    response = organizer_client.post(url, data={"members": "g000555, S000148\nG000555", "committees": "ssju hshm"})
    assert response.status_code == 302
    db.session.expire_all()
    assert campaign.include_delegation is False  # unchecked box
    assert campaign.target_members == ["G000555", "S000148"] and campaign.target_committees == ["SSJU", "HSHM"]

    response = organizer_client.post(url, data={"include_delegation": "y", "members": "G00055", "committees": "S"})
    assert response.status_code == 400
    text = html.unescape(page(response))
    assert "'G00055' is not a bioguide id" in text and "'S' is not a committee thomas id" in text


def test_custom_targets(organizer_client, db):
    campaign = create_campaign(organizer_client)
    add = f"{BASE}/{campaign.id}/targets/custom"
    response = organizer_client.post(add, data={"name": "Jo Reyes", "email": "not an email"})
    assert response.status_code == 400 and "email address" in page(response).lower()
    target = {"name": "Jo Reyes", "title": "Field Office Director", "email": "Jo.Reyes@Example.org", "salutation": ""}
    assert organizer_client.post(add, data=target).status_code == 302
    [saved] = db.session.scalars(select(CustomTarget)).all()
    assert saved.email == "Jo.Reyes@example.org"
    response = organizer_client.post(add, data=target)
    assert response.status_code == 400 and "already has a target with this email" in page(response)
    assert organizer_client.post(f"{add}/{saved.id}/delete").status_code == 302
    assert db.session.scalars(select(CustomTarget)).all() == []


def test_a_live_campaign_refuses_a_custom_target_no_letter_reaches(organizer_client, db):
    campaign = create_campaign(organizer_client)
    organizer_client.post(f"{BASE}/{campaign.id}/letters/new", data=letter_form(chamber="senate"))
    organizer_client.post(f"{BASE}/{campaign.id}/letters/new", data=letter_form(name="House", chamber="house"))
    organizer_client.post(f"{BASE}/{campaign.id}/publish")
    response = organizer_client.post(
        f"{BASE}/{campaign.id}/targets/custom",
        data={"name": "Jo Reyes", "email": "jo@example.org"},
        follow_redirects=True,
    )
    assert "Not added" in page(response) and "custom targets" in page(response)
    assert db.session.scalars(select(CustomTarget)).all() == []


def test_preview_with_sample_offices_escapes_letters_and_shows_problems(organizer_client, db):
    campaign = create_campaign(organizer_client)
    organizer_client.post(f"{BASE}/{campaign.id}/letters/new", data=letter_form(stance="not_spoken"))
    response = organizer_client.get(f"{BASE}/{campaign.id}/preview")
    assert response.status_code == 200
    text = page(response)
    # Sample offices unless another test has already loaded the real roster into this database.
    if "Rendered for sample offices" in text:
        assert "Dear Senator Ortega" in text and "Dear Delegate Pineda" in text
    else:
        assert "Rendered for real, sitting members of Congress" in text
    assert "&lt;b&gt;act&lt;/b&gt;" in text and "<b>act</b>" not in text  # a sample writer's message, escaped
    assert "No letter: add a variant" in text  # nobody covers offices that have spoken

    # a template saved before today's rules (written straight to the database) shows its problem, not a 500
    db.session.add(
        LetterTemplate(
            campaign_id=campaign.id, name="Old", chamber="any", stance="spoken", subject="Hi", body="{{ nope }}"
        )
    )
    db.session.commit()
    response = organizer_client.get(f"{BASE}/{campaign.id}/preview")
    assert response.status_code == 200 and "This letter cannot be rendered: body, line 1: " in page(response)


@pytest.mark.usefixtures("real_congress")
def test_preview_uses_real_offices_when_loaded(organizer_client, db):
    campaign = create_campaign(organizer_client)
    organizer_client.post(f"{BASE}/{campaign.id}/letters/new", data=letter_form())
    text = page(organizer_client.get(f"{BASE}/{campaign.id}/preview"))
    assert "Rendered for real, sitting members of Congress" in text
    assert "Dear Senator Gillibrand" in text or "Dear Senator Schumer" in text
    assert "Dear Representative " in text
    assert "Dear Delegate " in text or "Dear Resident Commissioner " in text


@pytest.mark.usefixtures("real_congress")
def test_targets_must_exist_when_congress_is_loaded(organizer_client, db):
    campaign = create_campaign(organizer_client)
    url = f"{BASE}/{campaign.id}/targets"
    response = organizer_client.post(url, data={"members": "G000555 Z999999", "committees": "SSJU ZZZZ"})
    assert response.status_code == 400
    assert "Not a sitting member: Z999999." in page(response) and "No such committee: ZZZZ." in page(response)
    assert organizer_client.post(url, data={"members": "G000555", "committees": "SSJU"}).status_code == 302


HEAVY_BODY = "{{ office.salutation }},\n{% for i in range(20) %}{{ ((range(1000)|list)*20)|sort|length }}{% endfor %}"
DEEP_BODY = "{% if true %}" * 300 + "x" + "{% endif %}" * 300


def test_templates_over_the_render_budget_are_refused_at_save_with_a_clear_message(organizer_client, db):
    campaign = create_campaign(organizer_client)
    new = f"{BASE}/{campaign.id}/letters/new"
    response = organizer_client.post(new, data=letter_form(body=HEAVY_BODY))
    assert response.status_code == 400
    assert "Line 2: the template does too much work" in page(response)
    response = organizer_client.post(new, data=letter_form(body=DEEP_BODY))
    assert response.status_code == 400 and "the template nests too deeply" in page(response)
    assert db.session.scalars(select(LetterTemplate)).all() == []


def test_preview_of_a_stored_template_over_the_budget_shows_the_problem(organizer_client, db):
    campaign = create_campaign(organizer_client)
    # Saved before the budget existed (written straight to the database).
    db.session.add(
        LetterTemplate(campaign_id=campaign.id, name="Old", chamber="any", stance="any", subject="Hi", body=HEAVY_BODY)
    )
    db.session.commit()
    response = organizer_client.get(f"{BASE}/{campaign.id}/preview")
    assert response.status_code == 200
    assert "This letter cannot be rendered: body, line 2: the template does too much work" in page(response)
