"""No letter readable by a stranger: a repeat is the same writer sending the same thing again, and nobody who
types another person's email is answered with that person's letters, in the API or on the confirmation page."""

from __future__ import annotations

import json
import re

from sqlalchemy import func, select

from advocacy.letters.models import Action, Letter
from tests.letters_support import GOOD
from tests.test_letters_validation import INVISIBLE_VARIANTS

URL = "/api/v1/campaigns/sample-campaign/actions"
VICTIM = {**GOOD, "phone": "518-555-0143", "message": "My cousin is held in a camp; please help."}
# Someone else who knows the victim's email: another name, another street and ZIP in the same state.
STRANGER = {
    **GOOD,
    "first_name": "Eve",
    "last_name": "Mallory",
    "address": "1 Battery Pl",
    "city": "New York",
    "zip": "10004",
}
VICTIM_SECRETS = ("Pérez", "1 Main St", "12207", "518-555-0143", "cousin is held")


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_stranger_with_someone_elses_email_is_answered_with_their_own_letters_only(client, db, live_campaign):
    victim = client.post(URL, json=VICTIM)
    assert victim.status_code == 201
    stranger = client.post(URL, json=STRANGER)
    assert stranger.status_code == 201
    text = json.dumps(stranger.json, ensure_ascii=False)
    for secret in VICTIM_SECRETS:
        assert secret not in text
    assert "Eve Mallory" in text
    victim_ids = {letter["id"] for letter in victim.json["letters"]}
    assert victim_ids.isdisjoint(letter["id"] for letter in stranger.json["letters"])
    # Both are stored, each as written: the stranger's letters are the stranger's, the victim's untouched.
    assert (count(db, Action), count(db, Letter)) == (2, 6)
    for letter_id in victim_ids:
        body = db.session.get(Letter, letter_id).body
        assert "Ana Pérez" in body and "cousin" in body and "Eve" not in body


def test_whether_an_email_has_written_does_not_change_the_answer(client, live_campaign):
    client.post(URL, json=VICTIM)
    used = client.post(URL, json=STRANGER)
    fresh = client.post(URL, json={**STRANGER, "email": "never-wrote@example.org"})
    assert used.status_code == fresh.status_code == 201

    def face(response):
        return [
            (letter["office"], letter["subject"], letter["body"], letter["delivery"])
            for letter in response.json["letters"]
        ]

    assert face(used) == face(fresh)


def test_the_same_payload_again_returns_the_same_letters(client, db, live_campaign):
    first = client.post(URL, json=VICTIM)
    # The same person typing it again: case, spacing and invisible characters do not make a new writer.
    again = client.post(URL, json={**VICTIM, "email": " ANA@example.org", "first_name": "  ana ", "consent": False})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json == first.json
    assert (count(db, Action), count(db, Letter)) == (1, 3)


def test_other_words_from_the_same_email_are_letters_of_their_own(client, db, live_campaign):
    first = client.post(URL, json=VICTIM)
    other = client.post(URL, json={**VICTIM, "message": "different words"})
    assert (first.status_code, other.status_code) == (201, 201)
    assert "cousin" not in json.dumps(other.json)
    assert all("different words" in letter["body"] for letter in other.json["letters"])
    assert (count(db, Action), count(db, Letter)) == (2, 6)


def test_an_idempotency_key_cannot_be_replayed_by_anyone_else(client, db, live_campaign):
    first = client.post(URL, json=VICTIM, headers={"Idempotency-Key": "abc-123"})
    other = {**STRANGER, "email": "someone-else@example.org", "state": "CA", "zip": "94544", "city": "Hayward"}
    replay = client.post(URL, json=other, headers={"Idempotency-Key": "abc-123"})
    assert (first.status_code, replay.status_code) == (201, 201)
    text = json.dumps(replay.json, ensure_ascii=False)
    for secret in VICTIM_SECRETS:
        assert secret not in text
    assert {letter["office"]["state"] for letter in replay.json["letters"]} == {"CA"}
    # The writer's own retry with the key is answered with the same letters; the raw key is not stored.
    retry = client.post(URL, json=VICTIM, headers={"Idempotency-Key": "abc-123"})
    assert retry.status_code == 200 and retry.json == first.json
    assert (count(db, Action), count(db, Letter)) == (2, 5)
    assert "abc-123" not in {action.idempotency_key for action in db.session.scalars(select(Action))}


def test_invisible_characters_do_not_get_past_the_per_email_limit(client, db, live_campaign):
    statuses = [
        client.post(URL, json={**GOOD, "email": variant, "message": f"attempt {i}"}).status_code
        for i, variant in enumerate(INVISIBLE_VARIANTS)
    ]
    assert len(statuses) == 12
    assert statuses[:5] == [201] * 5
    assert set(statuses[5:]) == {429}
    assert count(db, Action) == 5


# --- the HTML flow --------------------------------------------------------------------------------------------


def _started(client) -> str:
    page = client.get("/c/sample-campaign").get_data(as_text=True)
    return re.search(r'name="started" value="([^"]+)"', page).group(1)


def _send(client, form: dict):
    return client.post("/c/sample-campaign/send", data={**form, "consent": "y", "started": _started(client)})


def test_the_confirmation_page_shows_only_what_this_browser_sent(app, db, live_campaign):
    app.config["FORM_MIN_FILL_SECONDS"] = 0
    victim_browser, stranger_browser = app.test_client(), app.test_client()
    assert _send(victim_browser, VICTIM).status_code == 303
    victim_house = db.session.scalar(select(Letter).where(Letter.chamber == "house"))
    response = _send(stranger_browser, STRANGER)
    assert response.status_code == 303
    page = stranger_browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "Thank you, Eve" in page
    # The victim's representative would reveal her district; her words and address must not appear either.
    assert victim_house.office_name not in page
    for secret in VICTIM_SECRETS:
        assert secret not in page
    assert page.count("I sent it") == 3  # the stranger's own three letters (two senators, NY-10)


def test_sending_the_same_form_twice_shows_the_same_letters(app, db, live_campaign):
    app.config["FORM_MIN_FILL_SECONDS"] = 0
    browser = app.test_client()
    first = _send(browser, VICTIM).headers["Location"]
    second = _send(browser, VICTIM).headers["Location"]
    assert first == second
    assert count(db, Letter) == 3
    assert browser.get(second).get_data(as_text=True).count("I sent it") == 3


def test_the_form_and_the_api_agree_on_what_a_repeat_is(app, client, db, live_campaign):
    app.config["FORM_MIN_FILL_SECONDS"] = 0
    browser = app.test_client()
    review = browser.post(
        "/c/sample-campaign/write", data={**VICTIM, "consent": "y", "started": _started(browser)}
    ).get_data(as_text=True)
    boxes = {f"message-{key}": VICTIM["message"] for key in re.findall(r'name="message-([^"]+)"', review)}
    assert len(boxes) == 3
    assert _send(browser, {**VICTIM, **boxes}).status_code == 303
    again = client.post(URL, json=VICTIM)
    assert again.status_code == 200
    assert count(db, Letter) == 3
