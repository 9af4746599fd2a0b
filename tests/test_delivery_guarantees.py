"""No accepted letter lost or sent twice: SMTP down, CWC failing or hanging, a worker killed mid-send,
Redis down, PostgreSQL connections dropped. Each against real servers started by the test."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.pool import NullPool

from advocacy.config import PROJECT_ROOT
from advocacy.db import utcnow
from advocacy.delivery import engine
from advocacy.delivery.dispatch import dispatch_after_commit
from advocacy.delivery.models import Delivery, DeliveryAttempt
from advocacy.extensions import db as _db
from tests.conftest import TEST_ENVIRON
from tests.delivery_support import run_batch
from tests.fakes.smtp import free_port
from tests.fakes.submissions import AGENT_CONFIG, CUSTOM, HOUSE, SENATE, delivery_config, make_campaign, submit


@pytest.fixture
def app_config(fake_cwc, smtp_server):
    return delivery_config(cwc=fake_cwc, smtp=smtp_server)


def reload(delivery: Delivery) -> Delivery:
    return _db.session.get(Delivery, delivery.id, populate_existing=True)


def cli(runner, *args: str) -> str:
    result = runner.invoke(args=["deliveries", *args])
    assert result.exit_code == 0, result.output
    return result.output


def outcomes(delivery: Delivery) -> list[str]:
    rows = _db.session.scalars(
        select(DeliveryAttempt).where(DeliveryAttempt.delivery_id == delivery.id).order_by(DeliveryAttempt.id)
    )
    return [row.outcome for row in rows]


# --- SMTP down ----------------------------------------------------------------------------------------


def test_smtp_down_letters_wait_and_go_out_once_it_is_back(app, db, runner, smtp_server):
    smtp_server.stop()
    (delivery,) = submit(make_campaign(), [CUSTOM], target_email="director@ice.example.gov")
    cli(runner, "work", "--burst")
    delivery = reload(delivery)
    assert delivery.status == "failed" and delivery.attempts == 1
    assert delivery.next_attempt_at > utcnow()
    assert "could not reach the SMTP server" in delivery.last_error

    smtp_server.start()
    assert "nothing due" in cli(runner, "work", "--burst")  # still backing off: nothing is hammered
    assert smtp_server.messages == []

    assert "1 failed made due now" in cli(runner, "retry", "--now")  # the operator: "SMTP is fixed"
    cli(runner, "work", "--burst")
    assert reload(delivery).status == "sent"
    assert len(smtp_server.messages) == 1
    assert "nothing due" in cli(runner, "work", "--burst")
    assert len(smtp_server.messages) == 1
    assert outcomes(delivery) == ["failed", "sent"]


def test_smtp_down_then_back_without_an_operator(app, db, smtp_server):
    smtp_server.stop()
    (delivery,) = submit(make_campaign(), [CUSTOM], target_email="director@ice.example.gov")
    worker = engine.worker_name()
    assert [r.outcome for r in run_batch(worker)] == ["failed"]
    smtp_server.start()
    due = reload(delivery).next_attempt_at  # the backoff elapses
    assert [r.outcome for r in run_batch(worker, now=due)] == ["sent"]
    assert len(smtp_server.messages) == 1


# --- CWC failing or hanging -----------------------------------------------------------------------------


def test_cwc_500s_are_retried_and_the_letter_is_sent_once(app, db, fake_cwc):
    fake_cwc.fail_next(times=2)
    (delivery,) = submit(make_campaign())
    worker = engine.worker_name()
    for expected in ("failed", "failed", "sent"):
        (result,) = run_batch(worker, now=reload(delivery).next_attempt_at)
        assert result.outcome == expected
    assert [p.status for p in fake_cwc.message_posts()] == [500, 500, 200]
    assert list(fake_cwc.accepted) == [delivery.cwc_delivery_id]
    assert reload(delivery).status == "sent"


def test_a_cwc_timeout_after_cwc_took_the_letter_does_not_deliver_it_twice(app, db, fake_cwc):
    fake_cwc.hang_next(accept=True)  # CWC has the letter; we never hear back
    (delivery,) = submit(make_campaign())
    worker = engine.worker_name()
    (result,) = run_batch(worker)
    assert result.outcome == "failed"
    assert "did not answer" in reload(delivery).last_error
    fake_cwc.release.set()
    (result,) = run_batch(worker, now=reload(delivery).next_attempt_at)
    assert result.outcome == "duplicate"  # the retry carries the same DeliveryId; CWC says it has it
    assert reload(delivery).status == "sent"
    assert list(fake_cwc.accepted) == [delivery.cwc_delivery_id]  # one letter at the office
    assert outcomes(delivery) == ["failed", "duplicate"]


def test_a_cwc_timeout_before_cwc_took_the_letter_is_sent_on_retry(app, db, fake_cwc):
    fake_cwc.hang_next(accept=False)
    (delivery,) = submit(make_campaign())
    worker = engine.worker_name()
    assert [r.outcome for r in run_batch(worker)] == ["failed"]
    assert fake_cwc.accepted == {}
    fake_cwc.release.set()
    assert [r.outcome for r in run_batch(worker, now=reload(delivery).next_attempt_at)] == ["sent"]
    assert list(fake_cwc.accepted) == [delivery.cwc_delivery_id]


# --- A worker killed mid-send -------------------------------------------------------------------------------


def worker_process(
    database_url: str, fake_cwc, extra_env: dict | None = None, keep_redis: bool = False
) -> subprocess.Popen:
    env = dict(os.environ)
    env.update(TEST_ENVIRON)
    env.update(delivery_config(cwc=fake_cwc)["ENVIRON"])
    env.update(
        {
            "ADVOCACY_DATABASE_URL": database_url,
            # Long enough that the kill, not the client, ends the hung request.
            "ADVOCACY_TEST_CONFIG": json.dumps(dict(AGENT_CONFIG, DELIVERY_CWC_TIMEOUT=[5, 120])),
        }
    )
    if not keep_redis:
        env.pop("ADVOCACY_REDIS_URL", None)
    env.update(extra_env or {})
    command = [sys.executable, "-m", "flask", "--app", "tests.fakes.worker_app:create", "deliveries", "work"]
    # Its own process group, so a cleanup also ends anything it started.
    return subprocess.Popen(
        command, env=env, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )


def end(process: subprocess.Popen) -> None:
    """Whatever happened in the test, leave no worker (or worker's child) behind."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(30)


def test_a_worker_killed_mid_send_is_recovered_without_a_duplicate(app, db, runner, fake_cwc, database_url):
    fake_cwc.hang_next(accept=True)  # the worst moment: CWC has the letter, the worker has not recorded it
    (delivery,) = submit(make_campaign())
    process = worker_process(database_url, fake_cwc)
    try:
        assert fake_cwc.hanging.wait(60), (
            process.stderr.read1().decode() if process.poll() is not None else "no request"
        )
        process.kill()  # SIGKILL: no cleanup, no goodbye
        process.wait(30)
    finally:
        end(process)
    fake_cwc.release.set()
    delivery = reload(delivery)
    assert delivery.status == "sending"  # the dead worker's claim

    assert "Recovered 0 stuck" in cli(runner, "retry")  # within DELIVERY_SENDING_TIMEOUT: maybe still alive
    assert "Recovered 1 stuck" in cli(runner, "retry", "--stuck-after", "0")
    assert reload(delivery).status == "failed"

    cli(runner, "work", "--burst")
    delivery = reload(delivery)
    assert delivery.status == "sent"
    assert list(fake_cwc.accepted) == [delivery.cwc_delivery_id]  # exactly one letter at the office
    assert [p.status for p in fake_cwc.message_posts()] == [0, 400]  # the hung post, then "duplicate"
    assert outcomes(delivery) == ["abandoned", "duplicate"]


def test_a_worker_killed_after_the_smtp_server_took_the_email_does_not_send_it_twice(
    app, db, runner, fake_cwc, smtp_server, database_url
):
    # Email is at most once: SMTP cannot recognize a repeat, so an email whose fate is unknown (the server may
    # have it; the worker died before it heard or recorded the answer) is marked `unknown`, never resent alone.
    smtp_server.hold_next()  # the server keeps the message and holds its "250" until the worker is dead
    (delivery,) = submit(make_campaign(), [CUSTOM], target_email="director@ice.example.gov")
    process = worker_process(database_url, fake_cwc, smtp_server.environ())
    try:
        assert smtp_server.holding.wait(60), (
            process.stderr.read1().decode() if process.poll() is not None else "no message"
        )
        process.kill()  # SIGKILL between the SMTP accept and the database write
        process.wait(30)
    finally:
        end(process)
        smtp_server.release_held()
    assert len(smtp_server.messages) == 1
    assert reload(delivery).status == "sending"

    assert "Recovered 1 stuck" in cli(runner, "retry", "--stuck-after", "0")
    delivery = reload(delivery)
    assert delivery.status == "unknown"
    assert "not resent" in delivery.last_error
    assert "nothing due" in cli(runner, "work", "--burst")
    assert len(smtp_server.messages) == 1  # the office got it once
    assert outcomes(delivery) == ["unknown"]


def test_a_worker_killed_before_handing_an_email_over_is_retried(app, db, runner, smtp_server):
    (delivery,) = submit(make_campaign(), [CUSTOM], target_email="director@ice.example.gov")
    (claim,) = engine.claim_due("a-worker-that-dies-now", 5)  # claimed, never handed to SMTP
    assert "Recovered 1 stuck" in cli(runner, "retry", "--stuck-after", "0")
    assert reload(delivery).status == "failed"
    cli(runner, "work", "--burst")
    assert reload(delivery).status == "sent"
    assert len(smtp_server.messages) == 1


def test_the_email_marker_is_written_only_once_the_server_took_sender_and_recipient(app, db, smtp_server):
    # The at-most-once window is SMTP DATA alone: a refusal before it leaves no marker, so recovery would retry.
    smtp_server.refuse("director@ice.example.gov", "451 4.3.0 Try again later")
    (delivery,) = submit(make_campaign(), [CUSTOM], target_email="director@ice.example.gov")
    assert [r.outcome for r in run_batch("w")] == ["failed"]
    assert reload(delivery).handed_over_at is None
    smtp_server.recorder.refuse_recipients.clear()
    assert [r.outcome for r in run_batch("w", now=reload(delivery).next_attempt_at)] == ["sent"]
    assert reload(delivery).handed_over_at is not None
    assert len(smtp_server.messages) == 1


class TestAnSmtpServerThatDoesNotAnswer:
    """Email is at most once without a killed worker too: a server that took the message and never said so
    (a timeout, a dropped connection after DATA) leaves it `unknown`, not retried into a second copy."""

    @pytest.fixture
    def app_config(self, fake_cwc, smtp_server):
        return delivery_config(cwc=fake_cwc, smtp=smtp_server, environ={"ADVOCACY_MAIL_TIMEOUT": "1"})

    def test_an_email_the_server_took_without_answering_is_unknown_and_never_resent(self, app, db, smtp_server):
        smtp_server.hold_next()  # keeps the message, then says nothing for longer than our 1 s timeout
        (delivery,) = submit(make_campaign(), [CUSTOM], target_email="director@ice.example.gov")
        try:
            assert [r.outcome for r in run_batch("w")] == ["unknown"]
        finally:
            smtp_server.release_held()
        delivery = reload(delivery)
        assert delivery.status == "unknown" and delivery.next_attempt_at is None
        assert "not resent" in delivery.last_error and "at most once" in delivery.last_error
        later = utcnow() + timedelta(days=1)  # every backoff long over: nothing is due
        assert run_batch("w", now=later) == []
        assert len(smtp_server.messages) == 1  # the office has it once
        assert outcomes(delivery) == ["unknown"]

    def test_an_email_refused_after_data_is_retried_not_unknown(self, app, db, smtp_server):
        # An explicit answer is not an unknown outcome: a 4xx to the message means the server did not take it.
        smtp_server.refuse_next_message("451 4.3.0 Try again later")
        (delivery,) = submit(make_campaign(), [CUSTOM], target_email="director@ice.example.gov")
        assert [r.outcome for r in run_batch("w")] == ["failed"]
        assert reload(delivery).status == "failed" and smtp_server.messages == []
        assert [r.outcome for r in run_batch("w", now=reload(delivery).next_attempt_at)] == ["sent"]
        assert len(smtp_server.messages) == 1

    def test_an_email_accepted_before_a_failed_goodbye_is_sent_once(self, app, db, smtp_server):
        smtp_server.answer_quit_with("421 4.3.2 Shutting down")  # after its "250" to the message
        (delivery,) = submit(make_campaign(), [CUSTOM], target_email="director@ice.example.gov")
        assert [r.outcome for r in run_batch("w")] == ["sent"]
        assert reload(delivery).status == "sent"
        assert run_batch("w", now=utcnow() + timedelta(days=1)) == []
        assert len(smtp_server.messages) == 1


def test_a_worker_stopped_politely_finishes_or_gives_back_its_claims(app, db, fake_cwc, database_url):
    deliveries = submit(make_campaign(), [HOUSE, SENATE | {"office_key": "X1", "bioguide_id": None}])
    process = worker_process(database_url, fake_cwc, {"ADVOCACY_LOG_LEVEL": "WARNING"})
    fake_cwc.hang_next(accept=False)
    try:
        assert fake_cwc.hanging.wait(60)
        process.terminate()  # SIGTERM while a send is in flight
        fake_cwc.release.set()  # the in-flight request ends (503): the worker records it and exits
        assert process.wait(60) == 0
    finally:
        end(process)
    statuses = {reload(d).status for d in deliveries}
    assert "sending" not in statuses  # nothing left claimed by a worker that is gone


# --- Redis down ------------------------------------------------------------------------------------------


class TestRedisDown:
    """Redis plays no part in delivery: the outbox in the database is the queue."""

    @pytest.fixture
    def app_config(self, fake_cwc):
        closed = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
        return delivery_config(cwc=fake_cwc, environ={"ADVOCACY_REDIS_URL": closed})

    def test_dispatch_never_fails_the_submission_and_the_worker_delivers(self, app, db, runner, fake_cwc):
        deliveries = submit(make_campaign(), [HOUSE])
        dispatch_after_commit([d.id for d in deliveries])  # must not raise
        assert reload(deliveries[0]).status == "pending"
        cli(runner, "work", "--burst")
        assert reload(deliveries[0]).status == "sent"
        assert list(fake_cwc.accepted) == [deliveries[0].cwc_delivery_id]


# --- deliveries retry (cron) -------------------------------------------------------------------------------


def test_retry_says_what_is_due_and_never_claims_it_is_queued_elsewhere(app, db, runner, fake_cwc):
    # Issue #15: after an outage `retry` printed "Queued 0 (1367 were already queued)" while the jobs sat in
    # RQ's failed registry and the letters went nowhere. The outbox is the queue now: what is due is claimed.
    deliveries = submit(make_campaign(), [HOUSE, dict(HOUSE, office_key="X2")])
    output = cli(runner, "retry")
    assert "2 due" in output and "Queued" not in output and "already queued" not in output
    cli(runner, "work", "--burst")
    assert {reload(d).status for d in deliveries} == {"sent"}


def test_no_delivery_depends_on_a_job_key(app, db):
    import importlib.util

    assert importlib.util.find_spec("advocacy.delivery.queue") is None  # RQ's stranded-job path is gone


# --- PostgreSQL connections dropped ----------------------------------------------------------------------------


def test_dropped_database_connections_lose_no_letter(app, db, runner, fake_cwc, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: it is the database that runs on a separate server")
    admin = create_engine(database_url, poolclass=NullPool)
    dropped = []

    def drop_every_connection(*_):
        with admin.connect() as conn:
            killed = conn.scalar(
                text(
                    "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            conn.commit()
        dropped.append(killed)

    try:
        campaign = make_campaign()
        deliveries = [submit(campaign, [HOUSE])[0] for _ in range(3)]
        ids = [d.id for d in deliveries]
        _db.session.commit()  # this test's session lets go of its connection (the worker has sessions of its own)
        drop_every_connection()  # a restart before the worker runs: every pooled connection is dead
        fake_cwc.on_message = drop_every_connection  # and again while each letter is at CWC
        cli(runner, "work", "--burst", "--concurrency", "1")  # one at a time: each drop lands mid-send
    finally:
        fake_cwc.on_message = None
        admin.dispose()
    _db.session.rollback()
    rows = _db.session.scalars(select(Delivery).where(Delivery.id.in_(ids))).all()
    assert {row.status for row in rows} == {"sent"}
    assert sorted(fake_cwc.accepted) == sorted(row.cwc_delivery_id for row in rows)
    assert len(fake_cwc.message_posts()) == 3  # each letter posted once: none lost, none twice
    assert len(dropped) == 4 and all(n >= 1 for n in dropped)  # the connections really were cut
