"""The fault suite: the production server and a delivery worker against a PostgreSQL cluster and a Redis of their
own, under a submission load, while PostgreSQL and then Redis are stopped and started again. Then:
  - every submission answered 201 is stored exactly once, and each of its letters is at CWC exactly once;
  - every submission answered with an error stored nothing.
Needs root, pg_createcluster (postgresql-common) and redis-server: CI has them (.ci/run runs as root); elsewhere
it skips with the reason. About a minute.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

from advocacy.config import PROJECT_ROOT
from tests.conftest import TEST_ENVIRON
from tests.congress_support import MINI
from tests.fakes.cwc import FakeCwc
from tests.fakes.geocoder import FakeGeocoder
from tests.fakes.redis_server import BOUND, RedisServer, answers, wait_until
from tests.fakes.smtp import free_port
from tests.fakes.submissions import AGENT_CONFIG
from tests.letters_support import GOOD

pytestmark = pytest.mark.slow

SUBMISSIONS = 240
PER_SECOND = 16  # offered load: 15 s of submissions, so both outages land in the middle of it
IN_FLIGHT = 8


def _why_not() -> str | None:
    if os.geteuid() != 0:
        return "needs root (pg_createcluster runs clusters as the postgres user)"
    for tool in ("pg_createcluster", "pg_ctlcluster", "pg_dropcluster", "redis-server"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    return None


@pytest.fixture(scope="module")
def reason_to_skip():
    reason = _why_not()
    if reason and os.environ.get("CI") == "true":
        pytest.fail(f"the fault suite must run in CI: {reason}")
    if reason:
        pytest.skip(reason)


def run(*command: str, **kw) -> None:
    subprocess.run(command, check=True, capture_output=True, timeout=BOUND, **kw)


class Cluster:
    """A PostgreSQL cluster of the test's own on a free port, trusting loopback connections."""

    def __init__(self):
        self.version = sorted(os.listdir("/etc/postgresql"))[-1]
        self.name = f"faults{os.getpid()}"
        self.port = free_port()
        run("pg_createcluster", "-p", str(self.port), self.version, self.name, "--", "--auth=trust")
        self.start()
        run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-c", "CREATE DATABASE advocacy")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/advocacy"

    def start(self) -> None:
        run("pg_ctlcluster", "--skip-systemctl-redirect", self.version, self.name, "start")

    def stop(self) -> None:
        run("pg_ctlcluster", "--skip-systemctl-redirect", self.version, self.name, "stop", "-m", "fast")

    def drop(self) -> None:
        subprocess.run(["pg_dropcluster", "--stop", self.version, self.name], capture_output=True, timeout=BOUND)


@pytest.fixture
def stack(reason_to_skip, smtp_server, tmp_path):
    cluster = Cluster()
    redis = RedisServer()
    cwc = FakeCwc().start()
    # Every street address is geocoded (issue 17): the loopback geocoder places each in Albany's NY-20 (GOOD's
    # ZIP), so no House letter waits for `districts verify` as it would while a geocoder is unreachable.
    geocoder = FakeGeocoder().start()
    geocoder.place("", "NY", 20, (42.6526, -73.7562))
    processes: list[subprocess.Popen] = []
    env = dict(os.environ)
    env.update(TEST_ENVIRON)
    env.update(smtp_server.environ())
    env.update({f"ADVOCACY_{k}": v for k, v in AGENT_CONFIG.items() if k.startswith("CWC_") and isinstance(v, str)})
    env.update(
        {
            "ADVOCACY_ENV": "production",
            "ADVOCACY_DATABASE_URL": cluster.url,
            "ADVOCACY_REDIS_URL": redis.url,
            "ADVOCACY_CWC_URL": cwc.url,
            "ADVOCACY_CWC_API_KEY": cwc.api_key,
            "ADVOCACY_CWC_DELIVERY_AGENT": "Advocacy Fault Suite",
            "ADVOCACY_DATA_DIR": str(MINI),  # the committed mini congress data (real rows)
            "ADVOCACY_SUBMIT_RATE_LIMIT": "100000 per minute",
            "ADVOCACY_LOG_LEVEL": "WARNING",
            "ADVOCACY_TEST_CONFIG": json.dumps({"DELIVERY_SENDING_TIMEOUT": 10, "DELIVERY_BACKOFF_BASE": 1}),
            "GRANIAN_PORT": str(free_port()),
            **geocoder.environ(),
            "GRANIAN_WORKERS": "2",
        }
    )
    flask = [sys.executable, "-m", "flask", "--app", "tests.fakes.worker_app:create"]
    try:
        for command in (["db", "upgrade"], ["legislators", "sync"], ["districts", "sync"]):
            run(*flask, *command, env=env, cwd=PROJECT_ROOT)
        # The shipped sample cannot be live in production (its file says sample: true): a copy that is not a sample.
        campaign = tmp_path / "sample-campaign"
        shutil.copytree(PROJECT_ROOT / "campaigns" / "sample-campaign", campaign)
        spec = campaign / "campaign.yaml"
        spec.write_text(spec.read_text().replace("\nsample: true\n", "\nsample: false\n", 1))
        run(*flask, "campaigns", "load", str(campaign), env=env, cwd=PROJECT_ROOT)
        server = subprocess.Popen(
            ["scripts/serve"], env=env, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        processes.append(server)
        worker = subprocess.Popen(
            [*flask, "deliveries", "work"], env=env, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        processes.append(worker)
        base = f"http://127.0.0.1:{env['GRANIAN_PORT']}"
        wait_until(lambda: answers(int(env["GRANIAN_PORT"])), "the server to listen")
        yield {
            "base": base,
            "cluster": cluster,
            "redis": redis,
            "cwc": cwc,
            "geocoder": geocoder,
            "smtp": smtp_server,
            "worker": worker,
        }
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
        cwc.stop()
        geocoder.stop()
        redis.stop()
        cluster.drop()


def submit(base: str, n: int) -> tuple[str, int | None]:
    email = f"writer{n}@example.org"
    try:
        response = requests.post(
            f"{base}/api/v1/campaigns/sample-campaign/actions", json={**GOOD, "email": email}, timeout=(2, 20)
        )
    except requests.RequestException:
        return email, None  # no answer at all: neither promise applies
    if response.status_code >= 500:
        body = response.json()  # JSON, never an HTML page or a stack trace
        assert body["error"]["code"], body
    return email, response.status_code


def test_every_201_is_stored_and_delivered_once_and_every_error_stored_nothing(stack):
    base, cluster, redis, cwc = stack["base"], stack["cluster"], stack["redis"], stack["cwc"]
    answers: list[tuple[str, int | None]] = []
    done = threading.Event()

    started = time.monotonic()

    def paced(n: int) -> tuple[str, int | None]:
        threading.Event().wait(max(0.0, started + n / PER_SECOND - time.monotonic()))  # the offered rate
        return submit(base, n)

    def load() -> None:
        with ThreadPoolExecutor(IN_FLIGHT) as pool:
            answers.extend(pool.map(paced, range(SUBMISSIONS)))
        done.set()

    driver = threading.Thread(target=load)
    driver.start()
    pause = threading.Event()  # the outages' schedule: part of the load being tested, not a measurement
    pause.wait(3.0)
    cluster.stop()  # PostgreSQL goes away mid-load, for a while
    pause.wait(2.0)
    cluster.start()
    pause.wait(3.0)
    redis.stop()  # then Redis
    pause.wait(2.0)
    redis.start()
    driver.join(BOUND * 10)  # a bound on a hang, never a measurement: every request has its own timeout
    assert done.is_set(), "the load did not finish"

    by_status: dict[int | None, int] = {}
    for _, status in answers:
        by_status[status] = by_status.get(status, 0) + 1
    assert 500 not in by_status, by_status
    accepted = {email for email, status in answers if status == 201}
    refused = {email for email, status in answers if status is not None and status != 201}
    assert len(accepted) > SUBMISSIONS // 2, by_status  # the site came back after each outage
    assert by_status.get(503), by_status  # and the outage was real: some were refused while it lasted

    engine = create_engine(cluster.url)
    try:

        def all_delivered() -> bool:
            with engine.connect() as conn:
                return not conn.scalar(
                    text("SELECT count(*) FROM deliveries WHERE status IN ('pending', 'sending', 'failed')")
                )

        wait_until(all_delivered, "every accepted letter to be delivered")
        with engine.connect() as conn:
            stored = dict(conn.execute(text("SELECT email, count(*) FROM actions GROUP BY email")).all())
            letters = conn.execute(
                text(
                    "SELECT a.email, d.id, d.status FROM actions a JOIN letters l ON l.action_id = a.id "
                    "JOIN deliveries d ON d.letter_id = l.id"
                )
            ).all()
    finally:
        engine.dispose()

    assert all(stored.get(email) == 1 for email in accepted), "a 201 that was not stored exactly once"
    assert not [email for email in refused if email in stored], "an error answer that stored something"
    assert {row.status for row in letters} == {"sent"}
    posts: dict[str, int] = {}
    for seen in cwc.message_posts():
        if seen.status == 200:
            posts[seen.delivery_id] = posts.get(seen.delivery_id, 0) + 1
    for row in letters:
        assert row.id.replace("-", "") in cwc.accepted  # at the office...
        assert posts.get(row.id.replace("-", ""), 0) <= 1  # ...exactly once
    addresses = set(stack["geocoder"].addresses())  # each submission's street was placed, and nothing else was sent
    assert addresses == {"1 Main St, Albany, NY, 12207"}, addresses
    print(f"fault suite answers: {by_status}; letters delivered: {len(letters)}", file=sys.stderr)
    assert Path(PROJECT_ROOT).exists()
