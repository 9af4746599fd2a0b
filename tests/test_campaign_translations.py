"""A campaign's translations edited in the web pages (issue 21): checked by the campaign file's rules, stored in
campaigns.translations with an audit event, offered to the public once complete, and kept from a file load."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import select

from advocacy.campaigns.loading import EditedInWeb, load_campaigns
from advocacy.campaigns.models import Campaign
from advocacy.reports.models import AuditEvent
from tests.letters_support import SAMPLE

STORY = "样本先生被拘留已有两年。请写信给您的国会议员。"


def _untranslated(db, campaign) -> Campaign:
    campaign.translations = {}
    db.session.commit()
    return campaign


def _complete_zh_hans(campaign) -> dict:
    form = {
        "zh-Hans.title": "样本行动：释放样本先生",
        "zh-Hans.story": STORY,
        "zh-Hans.ask": "请公开呼吁释放他。",
        "zh-Hans.share_text": "请和我一起写信。",
    }
    for index, _letter in enumerate(campaign.letters):
        form[f"zh-Hans.letters.{index}"] = f"第{index + 1}封信：请求议员发声。"
    return form


def _stored(db, campaign_id: int) -> dict:
    db.session.expire_all()
    return copy.deepcopy(db.session.get(Campaign, campaign_id).translations)


def _events(db) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == "campaign.translations")).all()


def test_a_complete_translation_is_saved_audited_offered_and_kept_from_a_file_load(
    organizer_client, client, db, live_campaign
):
    campaign = _untranslated(db, live_campaign)
    assert "?lang=zh-Hans" not in client.get("/c/sample-campaign").get_data(as_text=True)
    form = _complete_zh_hans(campaign)
    response = organizer_client.post(f"/organizer/campaigns/{campaign.id}/translations", data=form)
    assert response.status_code == 302
    stored = _stored(db, campaign.id)
    assert set(stored) == {"zh-Hans"}
    assert stored["zh-Hans"]["story"] == STORY
    assert set(stored["zh-Hans"]["letters"]) == {letter.name for letter in campaign.letters}

    public = client.get("/c/sample-campaign?lang=zh-Hans").get_data(as_text=True)
    assert STORY in public
    assert "?lang=zh-Hans" in client.get("/c/sample-campaign?lang=en").get_data(as_text=True)

    page = organizer_client.get(f"/organizer/campaigns/{campaign.id}/translations").get_data(as_text=True)
    assert "Complete: offered" in page and STORY in page

    (event,) = _events(db)
    assert event.campaign == "sample-campaign" and event.source == "web" and event.user_id is not None
    assert event.filters == {"languages": ["zh-Hans"], "complete": ["zh-Hans"]}

    # Marked as a web edit: the file load stops and names the field instead of overwriting it.
    with pytest.raises(EditedInWeb, match="translations"):
        load_campaigns(SAMPLE)
    assert _stored(db, campaign.id)["zh-Hans"]["story"] == STORY


def test_an_incomplete_translation_is_stored_but_not_offered(organizer_client, client, db, live_campaign):
    campaign = _untranslated(db, live_campaign)
    form = _complete_zh_hans(campaign)
    del form["zh-Hans.letters.0"]
    assert organizer_client.post(f"/organizer/campaigns/{campaign.id}/translations", data=form).status_code == 302
    stored = _stored(db, campaign.id)
    assert stored["zh-Hans"]["story"] == STORY
    assert campaign.letters[0].name not in stored["zh-Hans"]["letters"]
    assert "?lang=zh-Hans" not in client.get("/c/sample-campaign").get_data(as_text=True)
    page = organizer_client.get(f"/organizer/campaigns/{campaign.id}/translations").get_data(as_text=True)
    assert "Incomplete: not offered yet" in page
    assert [event.filters for event in _events(db)] == [{"languages": ["zh-Hans"], "complete": []}]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"zh-Hans.letters.No such letter": "一封不存在的信"}, "zh-Hans.letters.No such letter: unknown field"),
        ({"zh-Hans.title": "长" * 201}, "zh-Hans.title: is 201 characters long; the limit is 200"),
        ({"zh-Hans.letters.0": "长" * 1001}, "characters long; the limit is 1,000"),
        ({"fr.title": "Libérez-le"}, "fr: unknown field"),
        ({"zh-Hans.subtitle": "副标题"}, "zh-Hans.subtitle: unknown field"),
    ],
)
def test_bad_input_is_refused_by_the_file_rules_and_changes_nothing(
    organizer_client, db, live_campaign, change, message
):
    before = _stored(db, live_campaign.id)
    form = {**_complete_zh_hans(live_campaign), **change}
    response = organizer_client.post(f"/organizer/campaigns/{live_campaign.id}/translations", data=form)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<title>Error: Translations" in body and 'id="form-errors"' in body and "Nothing was saved." in body
    assert message in body
    if "zh-Hans.title" in change:  # the summary links to the field, which says it is invalid
        assert 'href="#t-zh-Hans-title"' in body and 'id="t-zh-Hans-title"' in body and 'aria-invalid="true"' in body
    assert _stored(db, live_campaign.id) == before
    assert _events(db) == []


def test_each_field_is_marked_with_its_language_and_direction_and_the_campaign_page_links_here(
    organizer_client, live_campaign
):
    page = organizer_client.get(f"/organizer/campaigns/{live_campaign.id}/translations").get_data(as_text=True)
    assert 'name="ug.story" rows="8" lang="ug" dir="rtl"' in page
    assert 'name="zh-Hant.title" value="' in page and 'lang="zh-Hant" dir="ltr"' in page
    assert f'name="es.letters.{len(live_campaign.letters) - 1}"' in page
    show = organizer_client.get(f"/organizer/campaigns/{live_campaign.id}").get_data(as_text=True)
    assert f'href="/organizer/campaigns/{live_campaign.id}/translations"' in show


def test_staff_and_anonymous_are_refused_as_on_other_organizer_pages(staff_client, client, db, live_campaign):
    before = _stored(db, live_campaign.id)
    path = f"/organizer/campaigns/{live_campaign.id}/translations"
    assert (
        staff_client.get(path).status_code
        == staff_client.get(f"/organizer/campaigns/{live_campaign.id}/edit").status_code
        == 403
    )
    assert staff_client.post(path, data=_complete_zh_hans(live_campaign)).status_code == 403
    assert client.get(path).status_code == 302
    assert _stored(db, live_campaign.id) == before and _events(db) == []
