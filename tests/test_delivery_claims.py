"""Claims: a claim never takes more than its batch size, however many workers claim at once, and no row is
claimed twice. On PostgreSQL, with real concurrent connections."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import text, update

from advocacy.delivery import engine
from advocacy.delivery.models import Delivery
from tests.dbs import recorded_statements
from tests.fakes.submissions import HOUSE, delivery_config, make_campaign, submit

LETTERS = 1200
BATCH = 5
WORKERS = 8


@pytest.fixture
def app_config(fake_cwc):
    return delivery_config(cwc=fake_cwc)


def backlog(n: int) -> set[str]:
    campaign = make_campaign()
    ids: set[str] = set()
    per_action = 50
    for start in range(0, n, per_action):
        offices = [dict(HOUSE, office_key=f"X{start + i}") for i in range(per_action)]
        ids.update(d.id for d in submit(campaign, offices))
    return ids


def test_concurrent_claims_each_take_at_most_the_batch_size_and_never_the_same_row(app, db, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: SQLite has one writer at a time, so claims cannot overlap")
    expected = backlog(LETTERS)
    db.session.execute(text("ANALYZE deliveries"))
    db.session.commit()
    claimed: list[list[str]] = []
    claimers: Counter = Counter()
    lock = threading.Lock()
    start = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def claim_until_empty(n: int) -> None:
        try:
            with app.app_context():
                start.wait()
                while True:
                    claims = engine.claim_due(f"worker-{n}", BATCH)
                    if not claims:
                        return
                    with lock:
                        claimed.append([c.delivery_id for c in claims])
                        claimers[n] += 1
                    for claim in claims:  # the outcome, written while other workers claim
                        db.session.execute(
                            update(Delivery).where(Delivery.id == claim.delivery_id).values(status="sent")
                        )
                        db.session.commit()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=claim_until_empty, args=(n,)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors
    sizes = Counter(len(claim) for claim in claimed)
    assert max(sizes) <= BATCH, f"claim sizes: {dict(sizes)}"
    every = [delivery_id for claim in claimed for delivery_id in claim]
    assert len(every) == len(set(every))  # no row claimed twice
    assert set(every) == expected  # and every row claimed
    assert len(claimers) == WORKERS, dict(claimers)  # by every worker: none was left without work


def test_a_claim_takes_the_oldest_due_rows_first_up_to_its_batch_size(app, db):
    ids = backlog(50)
    claims = engine.claim_due("w", BATCH)
    assert len(claims) == BATCH
    assert {c.delivery_id for c in claims} <= ids
    assert all(c.attempt == 1 for c in claims)


def test_on_postgresql_the_claimed_ids_are_chosen_once_in_a_materialized_cte(app, db, database_url):
    # `UPDATE … WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)` lets the planner run the subquery more
    # than once (a rescan or a recheck skips other rows the second time), so one claim can take thousands.
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    backlog(50)
    with recorded_statements(db.engine) as statements:
        engine.claim_due("w", BATCH)
    (claim,) = [s for s in statements if s.lstrip().upper().startswith("WITH")]
    assert "AS MATERIALIZED" in claim and "FOR UPDATE SKIP LOCKED" in claim
    assert " IN (SELECT" not in claim.upper()
