"""Workers sending deliveries: CWC and email end to end, rejections, rerouting, claims and backoff."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from advocacy.db import utcnow
from advocacy.delivery import engine
from advocacy.delivery.dispatch import dispatch_after_commit
from advocacy.delivery.models import Delivery, DeliveryAttempt
from advocacy.extensions import db as _db
from tests.delivery_support import run_batch
from tests.fakes.submissions import CUSTOM, HOUSE, SENATE, delivery_config, make_campaign, submit


@pytest.fixture
def app_config(fake_cwc, smtp_server):
    return delivery_config(cwc=fake_cwc, smtp=smtp_server)


def reload(delivery: Delivery) -> Delivery:
    return _db.session.get(Delivery, delivery.id, populate_existing=True)


def work(runner) -> str:
    result = runner.invoke(args=["deliveries", "work", "--burst"])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize(("chosen", "sent"), [("Rev.", "Reverend"), ("Mx.", "Ms."), ("Dr.", "Dr.")])
def test_the_form_s_prefix_reaches_cwc_as_one_of_cwc_s_own(app, db, runner, fake_cwc, chosen, sent):
    (delivery,) = submit(make_campaign(), [HOUSE], prefix=chosen)
    assert "1 sent" in work(runner)
    assert fake_cwc.accepted[reload(delivery).cwc_delivery_id]["prefix"] == sent


def test_a_cwc_letter_reaches_the_office_with_every_part_in_place(app, db, runner, fake_cwc, congress_data):
    campaign = make_campaign(cwc_topic="Immigration")
    house, senate = submit(campaign, [HOUSE, SENATE], personal_message="My own words.")
    assert "Processed 2 deliveries: 2 sent." in work(runner)

    house, senate = reload(house), reload(senate)
    assert (house.status, senate.status) == ("sent", "sent")
    assert house.sent_at is not None and house.attempts == 1
    received = fake_cwc.accepted[house.cwc_delivery_id]
    assert received["member_office"] == "HNY13"
    assert fake_cwc.accepted[senate.cwc_delivery_id]["member_office"] == "SNY00"
    assert received["campaign_id"] == "guan-heng"
    assert received["topics"] == ["Immigration"]
    assert received["organization_statement"].startswith("Dear Representative Adriano Espaillat,")
    assert "<now> & ask DHS" in received["organization_statement"]
    assert received["constituent_message"] == "My own words."
    # No prefix given: CWC_DEFAULT_PREFIX, one of CWC's own (it has no `Mx.`).
    assert (received["first_name"], received["last_name"], received["prefix"]) == ("Ana", "López", "Ms.")
    (attempt,) = db.session.scalars(select(DeliveryAttempt).where(DeliveryAttempt.delivery_id == house.id))
    assert (attempt.attempt, attempt.outcome, attempt.detail) == (1, "sent", None)
    # Nothing left to do: a second run sends nothing more.
    assert "nothing due" in work(runner)
    assert len(fake_cwc.message_posts()) == 2


def test_an_email_letter_goes_out_with_reply_to_and_a_stable_message_id(app, db, runner, smtp_server):
    (delivery,) = submit(make_campaign(), [CUSTOM], target_email="director@ice.example.gov", email="ana@example.org")
    work(runner)
    assert reload(delivery).status == "sent"
    (message,) = smtp_server.messages
    assert message["To"] == "director@ice.example.gov"
    assert message["Reply-To"] == "ana@example.org"
    assert message["Message-ID"].strip() == f"<{delivery.cwc_delivery_id}.letter@advocacy.example.org>"
    assert message["Subject"] == "Please speak up for Guan Heng"
    text = message.get_body(("plain",)).get_content()
    assert "Please speak up for Guan Heng <now> & ask DHS" in text
    assert "I live in your district" in text and "500 W 120th St" in text
    page = message.get_body(("html",)).get_content()
    assert "&lt;now&gt; &amp; ask DHS" in page and "<now>" not in page


def test_a_rejected_message_is_dead_with_the_reason_and_not_retried(app, db, runner, fake_cwc):
    fake_cwc.reject_next("MemberOffice HNY13 is not accepting messages ana1@example.org")
    (delivery,) = submit(make_campaign())
    work(runner)
    delivery = reload(delivery)
    assert delivery.status == "dead"
    assert "not accepting messages" in delivery.last_error and "(400)" in delivery.last_error
    assert "@example.org" not in delivery.last_error
    assert "nothing due" in work(runner)
    assert len(fake_cwc.message_posts()) == 1


def test_a_letter_cwc_cannot_carry_is_dead_naming_the_field(app, db, runner, fake_cwc):
    (delivery,) = submit(make_campaign(cwc_topic="Healthcare"))
    work(runner)
    delivery = reload(delivery)
    assert delivery.status == "dead"
    assert "LibraryOfCongressTopic" in delivery.last_error
    assert fake_cwc.message_posts() == []


def test_incomplete_agent_settings_keep_letters_waiting_not_dead(app, db, runner, fake_cwc):
    app.config["CWC_AGENT_CONTACT_PHONE"] = ""
    (delivery,) = submit(make_campaign())
    work(runner)
    delivery = reload(delivery)
    assert delivery.status == "failed"
    assert "DeliveryAgentContactPhone" in delivery.last_error
    assert delivery.next_attempt_at > utcnow()


def test_an_office_cwc_does_not_serve_falls_back_to_email_then_to_its_form(app, db, runner, fake_cwc, smtp_server):
    fake_cwc.offices = {"HNY12"}  # the list the worker fetches does not have HNY13
    with_email, without = submit(make_campaign(), [HOUSE], target_email="ny13@mail.house.example.gov")[0], None
    (without,) = submit(make_campaign(slug="other"), [HOUSE])
    work(runner)
    with_email, without = reload(with_email), reload(without)
    assert (with_email.channel, with_email.status) == ("email", "sent")
    assert smtp_server.messages[0]["To"] == "ny13@mail.house.example.gov"
    assert (without.channel, without.status) == ("contact_form", "handoff")
    assert "not on the CWC offices list" in without.last_error
    assert fake_cwc.message_posts() == []


def test_a_senate_code_is_corrected_from_the_offices_list(app, db, runner, fake_cwc, congress_data):
    fake_cwc.offices = {"SNY01"}  # this CWC numbers seats by class, not class - 1
    (delivery,) = submit(make_campaign(), [SENATE])
    assert delivery.cwc_office == "SNY00"
    work(runner)
    delivery = reload(delivery)
    assert (delivery.status, delivery.cwc_office) == ("sent", "SNY01")


def test_failures_back_off_and_give_up_after_the_last_attempt(app, db, fake_cwc):
    app.config["DELIVERY_MAX_ATTEMPTS"] = 3
    fake_cwc.fail_next(times=3)
    (delivery,) = submit(make_campaign())
    worker = engine.worker_name()
    base = app.config.get("DELIVERY_BACKOFF_BASE", 60)
    for attempt in (1, 2, 3):
        before = utcnow()
        (result,) = run_batch(worker, now=reload(delivery).next_attempt_at)
        after = utcnow()
        if attempt < 3:
            assert result.outcome == "failed"
            wait = base * 2 ** (attempt - 1)  # exponential, jittered to 50-100 %
            next_at = reload(delivery).next_attempt_at
            assert before + timedelta(seconds=wait * 0.5) <= next_at <= after + timedelta(seconds=wait)
        else:
            assert result.outcome == "dead"
    delivery = reload(delivery)
    assert delivery.status == "dead" and delivery.attempts == 3
    assert delivery.last_error.startswith("gave up after 3 attempts: CWC answered 500")
    outcomes = [a.outcome for a in db.session.scalars(select(DeliveryAttempt).order_by(DeliveryAttempt.attempt))]
    assert outcomes == ["failed", "failed", "failed"]


def test_a_delivery_is_not_claimed_before_it_is_due(app, db, fake_cwc):
    fake_cwc.fail_next()
    (delivery,) = submit(make_campaign())
    worker = engine.worker_name()
    assert [r.outcome for r in run_batch(worker)] == ["failed"]
    assert run_batch(worker) == []  # not due yet
    assert engine.claim_one(delivery.id, worker) is None
    assert [r.outcome for r in run_batch(worker, now=reload(delivery).next_attempt_at)] == ["sent"]


def test_a_taken_over_claim_cannot_overwrite_the_newer_attempt(app, db, fake_cwc):
    (delivery,) = submit(make_campaign())
    old = engine.claim_due("worker-a", 10)[0]
    assert engine.recover_stuck(timeout=0) == [delivery.id]  # worker-a looked dead
    new = engine.claim_due("worker-b", 10)[0]
    assert engine.process(new).outcome == "sent"
    assert engine.process(old).outcome == "lost"  # worker-a wakes up: its claim is gone, nothing is sent
    assert len(fake_cwc.message_posts()) == 1
    assert reload(delivery).claimed_by == "worker-b"


def test_recovery_leaves_deliveries_that_are_still_within_the_timeout(app, db):
    (delivery,) = submit(make_campaign())
    engine.claim_due("worker-a", 10)
    assert engine.recover_stuck(timeout=600) == []
    assert reload(delivery).status == "sending"
    assert engine.recover_stuck(now=utcnow() + timedelta(seconds=601), timeout=600) == [delivery.id]
    assert reload(delivery).status == "failed"


def test_concurrent_workers_never_send_the_same_delivery(app, db, fake_cwc, smtp_server):
    campaign = make_campaign()
    deliveries = []
    for _ in range(12):
        deliveries += submit(campaign, [HOUSE, CUSTOM], target_email="director@ice.example.gov")
    app.config["DELIVERY_BATCH_SIZE"] = 2
    errors = []
    start = threading.Barrier(4)

    def worker(n):
        try:
            with app.app_context():
                start.wait()
                while run_batch(f"worker-{n}"):
                    pass
                _db.session.remove()
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    _db.session.expire_all()
    statuses = {d.id: reload(d).status for d in deliveries}
    why = {d.id: (d.channel, d.status, d.last_error) for d in map(reload, deliveries) if d.status != "sent"}
    assert set(statuses.values()) == {"sent"}, why
    cwc_ids = [d.cwc_delivery_id for d in deliveries if d.channel == "cwc"]
    assert sorted(p.delivery_id for p in fake_cwc.message_posts()) == sorted(cwc_ids)  # each posted once
    message_ids = [m["Message-ID"] for m in smtp_server.messages]
    assert len(message_ids) == 12 == len(set(message_ids))
    attempts = db.session.scalars(select(DeliveryAttempt)).all()
    assert len(attempts) == 24 and {a.attempt for a in attempts} == {1}


class TestInline:
    """Development without a worker: deliveries go out right after the submission commits."""

    @pytest.fixture
    def app_config(self, fake_cwc):
        return delivery_config(cwc=fake_cwc, DELIVERY_INLINE=True)

    def test_dispatch_sends_them_in_process(self, app, db, fake_cwc):
        deliveries = submit(make_campaign(), [HOUSE])
        dispatch_after_commit([d.id for d in deliveries])
        assert reload(deliveries[0]).status == "sent"
        assert list(fake_cwc.accepted) == [deliveries[0].cwc_delivery_id]

    def test_a_failure_inline_leaves_it_for_a_worker(self, app, db, fake_cwc):
        fake_cwc.fail_next()
        deliveries = submit(make_campaign(), [HOUSE])
        dispatch_after_commit([d.id for d in deliveries])
        assert reload(deliveries[0]).status == "failed"


def test_inline_is_off_in_testing_and_production_and_on_in_development(app):
    from advocacy.config import load_settings
    from advocacy.delivery.options import inline_enabled

    assert inline_enabled() is False  # testing
    for env, redis, expected in (
        ("development", "", True),
        ("development", "redis://r", False),
        ("production", "", False),
    ):
        environ = {"ADVOCACY_ENV": env, "ADVOCACY_SECRET_KEY": "k" * 40}
        if redis:
            environ["ADVOCACY_REDIS_URL"] = redis
        app.config["ADVOCACY_SETTINGS"] = load_settings(environ)
        assert inline_enabled() is expected, env


def test_validate_first_checks_each_message_before_sending_it(app, db, fake_cwc):
    app.config["DELIVERY_CWC_VALIDATE_FIRST"] = True
    (delivery,) = submit(make_campaign())
    assert engine.deliver_now(delivery.id).outcome == "sent"
    assert [v["delivery_id"] for v in fake_cwc.validated] == [delivery.cwc_delivery_id]
    assert list(fake_cwc.accepted) == [delivery.cwc_delivery_id]


def test_cwc_check_fetches_the_offices_and_validates_a_sample(app, runner, fake_cwc):
    fake_cwc.offices = {"HNY12", "SNY00"}
    result = runner.invoke(args=["deliveries", "cwc-check", "--office", "hny12"])
    assert result.exit_code == 0, result.output
    assert "CWC accepts 2 offices." in result.output
    assert "CWC validated a sample message to HNY12." in result.output
    assert fake_cwc.accepted == {}  # validation only

    result = runner.invoke(args=["deliveries", "cwc-check", "--office", "HNY13"])
    assert result.exit_code == 1
    assert "not an active office" in result.output

    app.config["CWC_AGENT_CONTACT_PHONE"] = "call us"
    result = runner.invoke(args=["deliveries", "cwc-check", "--office", "HNY12"])
    assert result.exit_code == 1 and "DeliveryAgentContactPhone" in result.output
