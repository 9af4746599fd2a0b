"""Campaign models and services: constraints, sanitized stories, status changes, targets for a constituent."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from advocacy.campaigns import services
from advocacy.campaigns.models import Campaign, CustomTarget, LetterTemplate
from advocacy.campaigns.rendering import render_letter
from advocacy.congress.offices import Office

URGE = "{{ office.salutation }},\n\nPlease speak up for {{ campaign.detainee_name }}.\n\n{{ constituent.full_name }}"


def office(bioguide_id, last, chamber="senate", state="NY", district=None, title=None, party="Democrat") -> Office:
    title = title or ("Senator" if chamber == "senate" else "Representative")
    return Office(
        bioguide_id=bioguide_id,
        name=f"Pat {last}",
        first_name="Pat",
        last_name=last,
        title=title,
        salutation=f"Dear {title} {last}",
        chamber=chamber,
        state=state,
        district=district,
        party=party,
        phone=None,
        address=None,
        contact_url=None,
        contact_form=None,
        website=None,
        photo_url="",
    )


SENATOR_A = office("A000001", "Alpha")
SENATOR_B = office("B000002", "Bravo")
REP = office("C000003", "Charlie", chamber="house", district=12)


@dataclass
class Lookup:
    """The shape of advocacy.congress.lookup.LookupResult that campaign_targets reads."""

    offices: list = field(default_factory=list)
    split: bool = False


def make_campaign(db, slug="free-ana", status="draft", letters=(("any", "any"),), **kw) -> Campaign:
    campaign = Campaign(
        slug=slug,
        title=kw.pop("title", "Free Ana"),
        detainee_name="Ana Example",
        ask=kw.pop("ask", "Support her release on bond."),
        story_markdown=kw.pop("story_markdown", "Ana is **held**."),
        status=status,
        **kw,
    )
    for chamber, stance in letters:
        campaign.letters.append(
            LetterTemplate(name=f"{chamber}/{stance}", chamber=chamber, stance=stance, subject="Hi", body=URGE)
        )
    db.session.add(campaign)
    db.session.commit()
    return campaign


def test_story_is_rendered_and_sanitized_when_set(db):
    campaign = make_campaign(
        db,
        story_markdown="# Who\n\nAna <script>alert(1)</script> [site](https://example.org) "
        "[bad](javascript:alert(1)) <img src=x onerror=alert(1)>",
    )
    html = db.session.get(Campaign, campaign.id).story_html
    assert html.startswith("<h2>Who</h2>")
    assert "<script" not in html and "&lt;script&gt;" in html
    assert '<a href="https://example.org" rel="noopener nofollow">site</a>' in html
    assert 'href="javascript' not in html and "<img" not in html
    campaign.story_markdown = "Now *different*."
    db.session.commit()
    assert db.session.get(Campaign, campaign.id).story_html == "<p>Now <em>different</em>.</p>"


def test_keywords_are_json_lists_that_keep_unicode_and_in_place_changes(db):
    campaign = make_campaign(db, keywords=["Guan Heng", "关恒"], aliases=["Heng Guan"])
    campaign.keywords.append("Nguyễn")
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Campaign, campaign.id)
    assert stored.keywords == ["Guan Heng", "关恒", "Nguyễn"] and stored.aliases == ["Heng Guan"]
    assert stored.cwc_topic == "Immigration" and stored.include_delegation is True
    assert stored.created_at.tzinfo is not None


def test_slug_is_unique(db):
    make_campaign(db)
    with pytest.raises(IntegrityError):
        make_campaign(db)
    db.session.rollback()


def test_one_variant_per_chamber_and_stance(db):
    campaign = make_campaign(db)
    campaign.letters.append(LetterTemplate(name="again", chamber="any", stance="any", subject="x", body="y"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_status_chamber_and_stance_are_checked_by_the_database(db):
    with pytest.raises(IntegrityError):
        make_campaign(db, status="paused")
    db.session.rollback()
    with pytest.raises(IntegrityError):
        make_campaign(db, slug="other", letters=(("congress", "any"),))
    db.session.rollback()


def test_deleting_a_campaign_deletes_its_letters_and_custom_targets(db):
    campaign = make_campaign(db)
    campaign.custom_targets.append(CustomTarget(name="Jo Reyes", email="jo@example.org"))
    db.session.commit()
    services.delete_draft(campaign)
    db.session.commit()
    assert db.session.scalars(select(LetterTemplate)).all() == []
    assert db.session.scalars(select(CustomTarget)).all() == []


def test_public_lookups_show_live_and_closed_campaigns_never_drafts(db):
    make_campaign(db, slug="is-draft")
    make_campaign(db, slug="is-live", status="live")
    make_campaign(db, slug="is-closed", status="closed")
    assert services.get_public_campaign("is-closed").slug == "is-closed"
    assert services.get_public_campaign("is-draft") is None and services.get_public_campaign("nope") is None
    assert [c.slug for c in services.public_campaigns()] == ["is-live", "is-closed"]


def test_publish_needs_every_office_covered_then_close_and_reopen(db):
    campaign = make_campaign(db, letters=(("senate", "not_spoken"),), story_markdown="")
    with pytest.raises(services.CampaignStateError) as info:
        services.publish(campaign)
    message = str(info.value)
    assert "the story is empty" in message
    assert "no letter for senators who have spoken" in message and "House members" in message
    campaign.story_markdown = "Ana is held."
    campaign.letters.append(LetterTemplate(name="rest", chamber="any", stance="any", subject="Hi", body=URGE))
    services.publish(campaign)
    db.session.commit()
    assert campaign.status == "live"
    with pytest.raises(services.CampaignStateError):
        services.publish(campaign)
    with pytest.raises(services.CampaignStateError):
        services.delete_draft(campaign)
    services.close(campaign)
    assert campaign.status == "closed"
    with pytest.raises(services.CampaignStateError):
        services.close(campaign)
    services.publish(campaign)  # reopening
    assert campaign.status == "live"


def test_custom_targets_need_a_variant_for_any_chamber(db):
    campaign = make_campaign(db, letters=(("senate", "any"), ("house", "any")))
    assert services.publish_problems(campaign) == []
    campaign.custom_targets.append(CustomTarget(name="Jo Reyes", email="jo@example.org"))
    assert services.publish_problems(campaign) == [
        "no letter for custom targets (they need a variant with chamber 'any')"
    ]


def test_targets_are_the_delegation_then_custom_targets_each_once(db):
    campaign = make_campaign(db)
    campaign.custom_targets.append(
        CustomTarget(name="Jo Reyes", title="Field Office Director", email="jo@example.org", salutation="")
    )
    db.session.commit()
    targets = services.campaign_targets(campaign, Lookup([SENATOR_A, SENATOR_B, REP, SENATOR_A]))
    assert [t.key for t in targets] == ["A000001", "B000002", "C000003", f"custom:{campaign.custom_targets[0].id}"]
    assert [t.reason for t in targets] == ["delegation", "delegation", "delegation", "custom"]
    assert targets[0].office is SENATOR_A and targets[0].bioguide_id == "A000001" and targets[0].is_constituent_office
    custom = targets[-1]
    assert (custom.chamber, custom.email, custom.salutation, custom.bioguide_id) == (
        None,
        "jo@example.org",
        "Dear Jo Reyes",
        None,
    )
    # a split ZIP: the lookup carries no House office, so none is targeted
    assert [t.key for t in services.campaign_targets(campaign, Lookup([SENATOR_A, SENATOR_B], split=True))][:2] == [
        "A000001",
        "B000002",
    ]
    campaign.include_delegation = False
    assert [t.reason for t in services.campaign_targets(campaign, Lookup([SENATOR_A]))] == ["custom"]


def test_letters_render_for_targets(db):
    campaign = make_campaign(db, letters=(("any", "any"),))
    campaign.custom_targets.append(CustomTarget(name="Jo Reyes", title="Director", email="jo@example.org"))
    db.session.commit()
    writer = {"first_name": "Minh", "last_name": "Nguyễn", "city": "Houston", "state": "TX", "zip": "77072"}
    bodies = [
        render_letter(campaign, campaign.letters, writer, t, None)[1]
        for t in services.campaign_targets(campaign, Lookup([SENATOR_A, REP]))
    ]
    assert [b.split(",")[0] for b in bodies] == ["Dear Senator Alpha", "Dear Representative Charlie", "Dear Jo Reyes"]
    assert all(b.endswith("Minh Nguyễn") for b in bodies)


def test_public_json_has_public_fields_only(db):
    campaign = make_campaign(db, status="live", keywords=["Ana Example"], share_text="Free Ana")
    campaign.custom_targets.append(CustomTarget(name="Jo Reyes", title="Director", email="jo@example.org"))
    db.session.commit()
    data = services.public_campaign_json(campaign)
    assert data["slug"] == "free-ana" and data["status"] == "live" and data["accepting_letters"] is True
    assert data["detainee"] == {"name": "Ana Example", "photo_url": None}
    assert data["story_html"] == "<p>Ana is <strong>held</strong>.</p>"
    assert data["counts"] == {"letters_sent": 0, "offices_spoken": 0, "thanks_sent": 0}
    assert data["targets"]["custom"] == [{"name": "Jo Reyes", "title": "Director"}]
    assert "jo@example.org" not in str(data)
    assert data["url"] == "/c/free-ana"


# With the real roster of Congress (../shared/data): specific members and committees.


@pytest.mark.usefixtures("real_congress")
def test_targets_add_named_members_and_committee_members_without_duplicates(db):
    from advocacy.congress.lookup import lookup_representatives
    from advocacy.congress.models import CommitteeMembership

    judiciary = set(
        db.session.scalars(select(CommitteeMembership.bioguide_id).where(CommitteeMembership.committee_id == "SSJU"))
    )
    assert len(judiciary) >= 5  # the fixture members who sit on SSJU: enough to add beyond the delegation
    campaign = make_campaign(db, target_members=["G000555", "S000148"], target_committees=["SSJU"])
    lookup = lookup_representatives("12207")  # Albany, NY: one district
    targets = services.campaign_targets(campaign, lookup)
    keys = [t.key for t in targets]
    assert len(keys) == len(set(keys))
    delegation = [t for t in targets if t.reason == "delegation"]
    assert {t.chamber for t in delegation} == {"senate", "house"} and len(delegation) == 3
    # both NY senators are in the writer's delegation already, so they are not added again as "member"
    assert {"G000555", "S000148"} <= {t.key for t in delegation}
    assert [t for t in targets if t.reason == "member"] == []
    committee = {t.key for t in targets if t.reason == "committee"}
    assert committee == judiciary - {t.key for t in delegation}
    assert all(
        t.office is not None and t.salutation.startswith("Dear Senator") for t in targets if t.reason == "committee"
    )


@pytest.mark.usefixtures("real_congress")
def test_real_offices_render_with_their_salutations(db):
    from advocacy.congress.offices import office_for

    campaign = make_campaign(db)
    gillibrand = office_for("G000555")
    subject, body = render_letter(
        campaign, campaign.letters, {"first_name": "锋锁", "last_name": "周"}, gillibrand, None
    )
    assert body.startswith("Dear Senator Gillibrand,") and body.endswith("锋锁 周")


@pytest.mark.parametrize("app_config", [{"CAMPAIGN_COUNTS_TTL": 10.0}])
def test_counts_are_kept_for_their_ttl_then_counted_again_without_a_thread(app, db):
    import threading

    from advocacy import caching
    from tests.factories import PELOSI, SCHUMER, make_action, make_campaign, make_letter

    now = [1000.0]
    with caching.use_clock(lambda: now[0]):
        campaign = make_campaign()
        assert services.campaign_counts(campaign).letters_sent == 0  # the first view counts inline
        action = make_action(campaign)
        make_letter(action, SCHUMER)
        make_letter(action, PELOSI)
        now[0] += 9.9
        assert services.campaign_counts(campaign).letters_sent == 0  # within the TTL: kept
        threads = threading.active_count()
        now[0] += 0.2
        assert services.campaign_counts(campaign).letters_sent == 2  # past it: this view counts again
        assert threading.active_count() == threads
        make_letter(make_action(campaign), SCHUMER)
        assert services.campaign_counts(campaign).letters_sent == 2  # fresh again for another TTL
