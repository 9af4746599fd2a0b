"""POST /api/v1/campaigns/<slug>/actions: letters written once per office, outbox in the same transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from advocacy.delivery.models import Delivery
from advocacy.letters.models import Action, Letter
from tests.letters_support import GOOD

URL = "/api/v1/campaigns/sample-campaign/actions"


def counts(db):
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (Action, Letter, Delivery))


def test_letters_to_the_delegation(client, db, live_campaign):
    response = client.post(URL, json=GOOD)
    assert response.status_code == 201, response.json
    letters = response.json["letters"]
    offices = [
        (letter["office"]["chamber"], letter["office"]["state"], letter["office"]["district"]) for letter in letters
    ]
    assert sorted(offices) == [("house", "NY", 20), ("senate", "NY", None), ("senate", "NY", None)]
    for letter in letters:
        office = letter["office"]
        assert set(office) >= {
            "bioguide_id",
            "name",
            "title",
            "salutation",
            "chamber",
            "state",
            "district",
            "party",
            "phone",
            "contact_url",
        }
        assert letter["body"].startswith(office["salutation"])
        assert "Ana Pérez" in letter["body"]
        assert "Sample Q. Person" in letter["subject"]
        assert letter["delivery"] == {"channel": "contact_form", "status": "handoff"}
    assert counts(db) == (1, 3, 3)
    action = db.session.scalar(select(Action))
    assert (action.district_state, action.district, action.congress, action.lookup_source) == (
        "NY",
        20,
        119,
        "zip-crosswalk",
    )
    assert all(letter.congress == 119 for letter in db.session.scalars(select(Letter)))


def test_same_payload_again_returns_the_same_letters(client, db, live_campaign):
    # What a repeat is, and what someone else typing the same email gets: tests/test_letters_privacy.py.
    first = client.post(URL, json=GOOD)
    again = client.post(URL, json={**GOOD, "email": "ANA@example.org "})
    assert (first.status_code, again.status_code) == (201, 200)
    assert [letter["id"] for letter in again.json["letters"]] == [letter["id"] for letter in first.json["letters"]]
    assert counts(db) == (1, 3, 3)


def test_idempotency_key_is_honoured(client, db, live_campaign):
    first = client.post(URL, json=GOOD, headers={"Idempotency-Key": "abc-123"})
    again = client.post(URL, json=GOOD, headers={"Idempotency-Key": "abc-123"})
    assert again.status_code == 200
    assert [letter["id"] for letter in again.json["letters"]] == [letter["id"] for letter in first.json["letters"]]
    assert counts(db) == (1, 3, 3)
    bad = client.post(URL, json=GOOD, headers={"Idempotency-Key": "has spaces"})
    assert bad.status_code == 400 and bad.json["error"]["code"] == "invalid_idempotency_key"


def test_thank_you_variant_for_offices_that_spoke(client, db, live_campaign, make_user):
    from datetime import date

    from advocacy.congress.lookup import lookup_representatives
    from advocacy.statements.models import Statement

    senator = next(o for o in lookup_representatives("12207").offices if o.chamber == "senate")
    user = make_user("org@example.org", "organizer")
    db.session.add(
        Statement(
            campaign_id=live_campaign.id,
            bioguide_id=senator.bioguide_id,
            date=date(2026, 11, 1),
            kind="press_release",
            stance="supports",
            source_url="https://example.org/s",
            quote_or_summary="Free him",
            recorded_by_id=user.id,
        )
    )
    db.session.commit()
    letters = client.post(URL, json=GOOD).json["letters"]
    by_id = {letter["office"]["bioguide_id"]: letter for letter in letters}
    assert "thank" in by_id[senator.bioguide_id]["body"].lower()
    others = [letter for b, letter in by_id.items() if b != senator.bioguide_id]
    assert all("thank you for speaking" not in letter["body"].lower() for letter in others)
    stored = db.session.scalar(select(Letter).where(Letter.bioguide_id == senator.bioguide_id))
    assert stored.stance_at_send == "supports"


def test_split_zip_without_a_placeable_address_is_refused(client, db, live_campaign):
    response = client.post(URL, json={**GOOD, "zip": "91711", "state": "CA", "city": "Claremont"})
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "address_needed"
    assert len(error["candidates"]) == 6
    assert {c["state"] for c in error["candidates"]} == {"CA"}
    assert counts(db) == (0, 0, 0)


def test_split_zip_placed_by_the_geocoder(client, db, live_campaign, fake_geocoder):
    fake_geocoder.place("2525 Buckelew Dr", "VA", 8, (38.887016, -77.199027))
    # 22042 is split between VA-8 and VA-11; the street address settles it.
    payload = {**GOOD, "zip": "22042", "state": "VA", "city": "Falls Church", "address": "2525 Buckelew Dr"}
    response = client.post(URL, json=payload)
    assert response.status_code == 201, response.json
    house = [letter for letter in response.json["letters"] if letter["office"]["chamber"] == "house"]
    assert [(h["office"]["state"], h["office"]["district"]) for h in house] == [("VA", 8)]
    assert db.session.scalar(select(Action)).lookup_source == "census-geocoder"
    assert fake_geocoder.addresses() == ["2525 Buckelew Dr, Falls Church, VA, 22042"]


@pytest.mark.parametrize(
    "payload, field",
    [
        ({**GOOD, "email": "nope"}, "email"),
        ({**GOOD, "zip": "123"}, "zip"),
        ({**GOOD, "state": "TX"}, "zip"),  # 12207 is in New York
        ({**GOOD, "first_name": ""}, "first_name"),
        ({**GOOD, "message": "x" * 5001}, "message"),
        ({**GOOD, "first_name": 7}, "first_name"),
        ({**GOOD, "consent": "yes"}, "consent"),
        ({**GOOD, "surprise": "field"}, "surprise"),
    ],
)
def test_bad_input_is_refused_and_nothing_stored(client, db, live_campaign, payload, field):
    response = client.post(URL, json=payload)
    assert response.status_code == 400
    assert field in response.json["error"]["fields"]
    assert counts(db) == (0, 0, 0)


def test_non_json_is_refused(client, live_campaign):
    response = client.post(URL, data=GOOD)
    assert response.status_code == 415
    assert response.json["error"]["code"] == "unsupported_media_type"
    assert client.post(URL, data="[1,2]", content_type="application/json").status_code == 400


def test_unknown_draft_and_closed_campaigns(client, db, live_campaign):
    assert client.post("/api/v1/campaigns/nope/actions", json=GOOD).status_code == 404
    live_campaign.status = "draft"
    db.session.commit()
    assert client.post(URL, json=GOOD).status_code == 404
    live_campaign.status = "closed"
    db.session.commit()
    response = client.post(URL, json=GOOD)
    assert response.status_code == 409
    assert response.json["error"]["code"] == "campaign_closed"
    assert counts(db) == (0, 0, 0)


def test_rate_limited_per_email(client, live_campaign):
    statuses = [client.post(URL, json={**GOOD, "zip": "1234"}).status_code for _ in range(6)]
    assert statuses[:5] == [400] * 5
    assert statuses[5] == 429
    response = client.post(URL, json=GOOD)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert response.json["error"]["code"] == "rate_limited"
    # someone else at the same address is not blocked by that email's limit
    assert client.post(URL, json={**GOOD, "email": "other@example.org"}).status_code == 201


def test_dc_has_no_senators(client, live_campaign):
    response = client.post(URL, json={**GOOD, "zip": "20001", "state": "DC", "city": "Washington"})
    assert response.status_code == 201
    offices = [letter["office"] for letter in response.json["letters"]]
    assert [(o["title"], o["state"], o["district"]) for o in offices] == [("Delegate", "DC", 0)]


def test_unicode_and_markup_are_kept_as_text(client, db, live_campaign):
    payload = {
        **GOOD,
        "first_name": "周锋锁",
        "last_name": "<script>alert(1)</script>",
        "message": "{{ 7*7 }} {% raw %}",
    }
    response = client.post(URL, json=payload)
    assert response.status_code == 201
    body = response.json["letters"][0]["body"]
    assert "周锋锁 <script>alert(1)</script>" in body
    assert "{{ 7*7 }} {% raw %}" in body and "49" not in body


# Writing that needs invisible characters (issue 14, item 8): none of them can disguise what a letter says.
AS_TYPED = [
    "I stand with him \U0001f469\u200d\U0001f469\u200d\U0001f467",  # family emoji: a ZWJ sequence
    "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian "I want" with its ZWNJ
    "\u0915\u094d\u200d\u0937",  # Devanagari half-form with ZWJ
    "\u0e1b\u0e25\u0e48\u0e2d\u0e22\u200b\u0e40\u0e02\u0e32",  # Thai "free him", a zero-width space between words
    "\u0627\u0644\u062d\u0631\u064a\u0629 \u200fFreedom\u200e",  # Arabic with RLM and LRM
]


def test_the_letter_to_each_office_carries_the_words_as_typed(client, db, live_campaign):
    message = "\n".join(AS_TYPED)
    response = client.post(URL, json={**GOOD, "message": message})
    assert response.status_code == 201
    db.session.expire_all()
    assert db.session.scalar(select(Action.message)) == message
    bodies = db.session.scalars(select(Letter.body)).all()
    assert len(bodies) == 3
    for body in [*bodies, *(letter["body"] for letter in response.json["letters"])]:
        assert message in body


def test_a_template_failing_at_send_time_stores_nothing(client, db, live_campaign):
    for variant in live_campaign.letters:
        variant.body = "{{ office.salutation }} {{ constituent.no_such_field }}"
    db.session.commit()
    response = client.post(URL, json=GOOD)
    assert response.status_code == 503
    assert response.json["error"]["code"] == "campaign_unavailable"
    assert "no_such_field" not in response.get_data(as_text=True)
    assert counts(db) == (0, 0, 0)


def test_campaign_counts_follow_the_letters(client, live_campaign):
    client.post(URL, json=GOOD)
    data = client.get("/api/v1/campaigns/sample-campaign").json
    assert data["counts"]["letters_sent"] == 3


def test_each_letter_records_its_variant(client, db, live_campaign):
    client.post(URL, json=GOOD)
    variants = {letter.chamber: letter.template_variant for letter in db.session.scalars(select(Letter))}
    names = {v.chamber: v.name for v in live_campaign.letters if v.stance == "not_spoken"}
    assert variants == {"senate": names["senate"], "house": names["house"]}


class TestRedisLimits:
    """The same limits counted in Redis, shared by every worker (one pipelined round trip)."""

    @pytest.fixture
    def app_config(self):
        from tests.dbs import empty_redis_database

        url = empty_redis_database(14)
        return {"ENVIRON": {"ADVOCACY_REDIS_URL": url}, "RATELIMIT_STORAGE_URI": url, "DELIVERY_INLINE": False}

    def test_per_email_limit_in_redis(self, client, live_campaign):
        statuses = [client.post(URL, json={**GOOD, "zip": "1234"}).status_code for _ in range(6)]
        assert statuses == [400] * 5 + [429]
        assert client.post(URL, json={**GOOD, "email": "other@example.org"}).status_code == 201

    def test_per_ip_limit_in_redis(self, app, client, live_campaign):
        app.config["ACTION_RATE_LIMIT_IP"] = "3 per minute"
        statuses = [client.post(URL, json={**GOOD, "email": f"w{i}@example.org"}).status_code for i in range(4)]
        assert statuses == [201, 201, 201, 429]


class TestWithCWC:
    """With CWC configured, each letter also keeps its text without the writer's own words."""

    @pytest.fixture
    def app_config(self):
        from tests.fakes.submissions import AGENT_CONFIG

        environ = {
            "ADVOCACY_CWC_URL": "http://127.0.0.1:9",
            "ADVOCACY_CWC_API_KEY": "test-key",
            "ADVOCACY_CWC_DELIVERY_AGENT": "Tests",
            "ADVOCACY_CWC_AGENT_ACK_EMAIL": AGENT_CONFIG["CWC_AGENT_ACK_EMAIL"],
            "ADVOCACY_CWC_AGENT_CONTACT_NAME": AGENT_CONFIG["CWC_AGENT_CONTACT_NAME"],
            "ADVOCACY_CWC_AGENT_CONTACT_EMAIL": AGENT_CONFIG["CWC_AGENT_CONTACT_EMAIL"],
            "ADVOCACY_CWC_AGENT_CONTACT_PHONE": AGENT_CONFIG["CWC_AGENT_CONTACT_PHONE"],
            "ADVOCACY_CWC_ORGANIZATION": AGENT_CONFIG["CWC_ORGANIZATION"],
        }
        return {"ENVIRON": environ, "DELIVERY_INLINE": False}

    def test_statement_text_leaves_out_the_personal_words(self, client, db, live_campaign):
        client.post(URL, json={**GOOD, "message": "My neighbour was detained too."})
        letter = db.session.scalars(select(Letter)).first()
        assert "My neighbour was detained too." in letter.body
        assert "My neighbour was detained too." not in letter.statement_text
        assert letter.personal_message == "My neighbour was detained too."
        assert letter.statement_text.startswith(letter.body.split("\n")[0])

    def test_cwc_message_carries_the_personal_words_once(self, client, db, live_campaign):
        from advocacy.delivery.channels import build_cwc_message

        client.post(URL, json={**GOOD, "message": "My neighbour was detained too."})
        letter = db.session.scalars(select(Letter).where(Letter.chamber == "house")).one()
        message = build_cwc_message(letter.delivery, letter, "HNY20")
        assert message.constituent_message == "My neighbour was detained too."
        assert "My neighbour was detained too." not in message.organization_statement
        assert message.organization_statement.startswith("Dear Representative")


def test_without_cwc_the_letter_is_rendered_once(client, db, live_campaign):
    client.post(URL, json={**GOOD, "message": "My neighbour was detained too."})
    assert {letter.statement_text for letter in db.session.scalars(select(Letter))} == {""}


def test_a_letter_written_before_cwc_was_on_still_sends_the_words_once(client, db, live_campaign):
    from advocacy.delivery.channels import build_cwc_message

    client.post(URL, json={**GOOD, "message": "My neighbour was detained too."})
    letter = db.session.scalars(select(Letter).where(Letter.chamber == "house")).one()
    assert letter.statement_text == ""
    message = build_cwc_message(letter.delivery, letter, "HNY20")
    assert message.constituent_message == "My neighbour was detained too."
    assert "My neighbour was detained too." not in message.organization_statement
    assert message.organization_statement.startswith("Dear Representative")
    assert "Sincerely," in message.organization_statement


@pytest.mark.parametrize("geocoder_up", [True, False])
def test_a_first_answer_and_its_repeat_name_the_same_nearest_offices(
    client, db, live_campaign, fake_geocoder, geocoder_up
):
    # The first answer takes each office from the lookup that placed the writer; a repeat finds it again from
    # the cached geocode (or, with no point, from the writer's city): the two must agree, office for office.
    if geocoder_up:
        fake_geocoder.place("1 Main St", "NY", 20, (42.6526, -73.7562))  # Albany
    else:
        fake_geocoder.refuse_connections()
    first = client.post(URL, json=GOOD, headers={"Idempotency-Key": "same-writer"})
    again = client.post(URL, json=GOOD, headers={"Idempotency-Key": "same-writer"})
    assert (first.status_code, again.status_code) == (201, 200)
    offices = [letter["office"] for letter in first.json["letters"]]
    assert offices == [letter["office"] for letter in again.json["letters"]]
    assert len(offices) == 3 and all(o["nearest_district_office"]["city"] == "Albany" for o in offices)
