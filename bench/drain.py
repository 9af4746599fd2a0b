"""Drain benchmark: how fast delivery workers empty a backlog of letters, and that none is lost or sent twice.

    .venv/bin/python bench/drain.py [--letters 20000] [--workers 2] [--concurrency 64] [--email-share 0.1]
                                    [--latency-ms 200] [--kill-after 0.3] [--cwc-timeout 5]

It creates a fresh PostgreSQL database, pre-loads N letters (four per constituent, as a submission writes them:
one statement per submission through letters/store.py), starts a fake CWC on loopback that answers in 200 ms
with 1% 500s and 0.5% hangs (half after taking the message, half before), and a real SMTP sink (aiosmtpd) for
the share of letters that go by email, then starts the workers (`flask deliveries work`, each its own process),
SIGKILLs one of them once `--kill-after` of the letters are out, and starts a replacement. It reports letters
per second per worker, the time to drain, CPU per letter (workers, from /proc), and checks every letter:
  - lost: a letter that neither the fake CWC nor the SMTP sink has at the end (whatever its status);
  - duplicate: a letter at the office twice: two emails with one Message-ID (CWC keeps one per DeliveryId);
  - also counted: CWC posts of a DeliveryId after CWC had answered 200 for it (an outcome the killed worker never
    recorded; CWC refuses them as duplicates), and emails left `unknown` by the kill (at most once).
The fake CWC refuses a DeliveryId it already has, as CWC does, so a letter the worker could not confirm (a hang
after acceptance, the killed worker) is retried and recognized as a duplicate, not delivered twice.
Retry backoff is shortened (DELIVERY_BACKOFF_BASE 2 s) and DELIVERY_SENDING_TIMEOUT is 20 s so the run ends
in minutes; production defaults are 60 s and 600 s. Needs PostgreSQL (ADVOCACY_BENCH_PG, default
postgres@127.0.0.1:5432); the database it drops and re-creates is ADVOCACY_BENCH_DRAIN_DB (default
advocacy_drain: give each person on a shared server a name of their own). It also reports how many database
sessions the run opened (pg_stat_database), which shows a pool too small for the workers' threads.
Results go to bench/results/drain-*.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results"
PG_ADMIN = os.environ.get("ADVOCACY_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
DB_NAME = os.environ.get("ADVOCACY_BENCH_DRAIN_DB", "advocacy_drain")
if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", DB_NAME):
    sys.exit("ADVOCACY_BENCH_DRAIN_DB must be a plain database name (lower-case letters, digits, _)")
API_KEY = "drain-bench-key"
DELIVERY_ID = re.compile(rb"<DeliveryId>([A-Za-z0-9]{32})</DeliveryId>")
HOUSE_OFFICES = [f"HNY{n:02d}" for n in range(1, 27)]
AGENT_ENV = {
    "ADVOCACY_CWC_API_KEY": API_KEY,
    "ADVOCACY_CWC_DELIVERY_AGENT": "Advocacy Drain Bench",
    "ADVOCACY_CWC_AGENT_ACK_EMAIL": "ack@advocacy.example.org",
    "ADVOCACY_CWC_AGENT_CONTACT_NAME": "Dana Organizer",
    "ADVOCACY_CWC_AGENT_CONTACT_EMAIL": "dana@advocacy.example.org",
    "ADVOCACY_CWC_AGENT_CONTACT_PHONE": "202-555-0142",
    "ADVOCACY_CWC_ORGANIZATION": "Friends of Guan Heng",
}


def log(message: str) -> None:
    print(f"[drain] {message}", file=sys.stderr, flush=True)


# --- the fake CWC ---------------------------------------------------------------------------------------------


class FakeCwc:
    """CWC's /v2/message on loopback: a fixed latency, some 500s, some hangs, duplicates refused."""

    def __init__(self, latency: float, fail_rate: float, hang_rate: float, seed: int = 7):
        self.latency, self.fail_rate, self.hang_rate = latency, fail_rate, hang_rate
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.accepted: set[str] = set()
        self.confirmed: set[str] = set()  # a 200 was written to the client for these
        self.posts = Counter()
        self.after_confirmed = Counter()  # posts of an id CWC had already answered 200 for: true duplicates
        self.counts = Counter()
        self.stop = threading.Event()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def close(self) -> None:
        self.stop.set()
        self.httpd.shutdown()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _answer(self, status: int, body: bytes, kind: str = "application/xml") -> bool:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    self.wfile.flush()
                    return True
                except OSError:
                    return False

            def do_GET(self):
                self._answer(200, json.dumps(HOUSE_OFFICES).encode(), "application/json")

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                found = DELIVERY_ID.search(body)
                if not found:
                    self._answer(400, b"<Errors><Error>no DeliveryId</Error></Errors>")
                    return
                delivery_id = found.group(1).decode()
                with fake.lock:
                    fake.posts[delivery_id] += 1
                    if delivery_id in fake.confirmed:
                        fake.after_confirmed[delivery_id] += 1
                    roll = fake.random.random()
                time.sleep(fake.latency)  # the office's latency, not a measurement
                if roll < fake.fail_rate:
                    fake.counts["500"] += 1
                    self._answer(500, b"<Errors><Error>Internal error</Error></Errors>")
                    return
                hang = roll < fake.fail_rate + fake.hang_rate
                accept_first = hang and roll < fake.fail_rate + fake.hang_rate / 2
                if hang and not accept_first:
                    fake.counts["hang before accepting"] += 1
                    fake.stop.wait(120)
                    return
                with fake.lock:
                    duplicate = delivery_id in fake.accepted
                    fake.accepted.add(delivery_id)
                if duplicate:
                    fake.counts["duplicate refused"] += 1
                    self._answer(400, f"<Errors><Error>Duplicate DeliveryId {delivery_id}</Error></Errors>".encode())
                    return
                if hang:
                    fake.counts["hang after accepting"] += 1
                    fake.stop.wait(120)
                    return
                if self._answer(200, b"<Response><Status>Received</Status></Response>"):
                    with fake.lock:
                        fake.confirmed.add(delivery_id)
                fake.counts["200"] += 1

        return Handler


# --- the SMTP sink ----------------------------------------------------------------------------------------------


class Sink:
    def __init__(self):
        from aiosmtpd.controller import Controller

        self.message_ids = Counter()
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                found = re.search(rb"(?im)^Message-ID:\s*(<[^>]+>)", envelope.content)
                sink.message_ids[found.group(1).decode() if found else "?"] += 1
                return "250 OK"

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, ready_timeout=10)
        self.controller.start()

    def close(self) -> None:
        self.controller.stop()


# --- the database and the backlog -------------------------------------------------------------------------------


def fresh_database() -> str:
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {DB_NAME}"))
    admin.dispose()
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + DB_NAME


def make_app(url: str, environ: dict):
    from advocacy import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "ENVIRON": environ})


def preload(app, letters: int, email_share: float) -> None:
    """N letters, four per constituent, written as submissions write them (one statement each)."""
    from advocacy.campaigns.models import Campaign
    from advocacy.delivery.models import new_id
    from advocacy.extensions import db
    from advocacy.letters.store import insert_submission
    from tests.fakes.submissions import WRITER

    with app.app_context():
        db.create_all()
        campaign = Campaign(slug="guan-heng", title="Free Guan Heng", detainee_name="Guan Heng", status="live")
        db.session.add(campaign)
        db.session.commit()
        now = datetime.now(UTC)
        rng = random.Random(11)
        written = 0
        n = 0
        while written < letters:
            n += 1
            action_id = new_id()
            action = {
                "id": action_id,
                "campaign_id": campaign.id,
                "email_key": secrets.token_hex(32),
                **WRITER,
                "last_name": f"López {n}",
                "email": f"ana{n}@example.org",
                "lookup_source": "zip-crosswalk",
                "created_at": now,
            }
            rows, deliveries = [], []
            for position in range(min(4, letters - written)):
                letter_id = new_id()
                by_email = rng.random() < email_share
                office = rng.choice(HOUSE_OFFICES)
                rows.append(
                    {
                        "id": letter_id,
                        "position": position,
                        "action_id": action_id,
                        "campaign_id": campaign.id,
                        "email_key": action["email_key"],
                        "office_key": f"office-{position}",
                        "bioguide_id": None,
                        "custom_target_id": None,
                        "office_name": "Office",
                        "office_title": "Representative",
                        "chamber": "house",
                        "state": "NY",
                        "district": int(office[3:]),
                        "party": "",
                        "congress": 119,
                        "template_variant": "default",
                        "subject": "Please speak up for Guan Heng",
                        "body": "Dear Representative,\n\nPlease speak up for Guan Heng. " * 8,
                        "statement_text": "",
                        "personal_message": "I live in your district and I am asking you to act.",
                        "created_at": now,
                    }
                )
                deliveries.append(
                    {
                        "id": str(uuid.uuid4()),
                        "letter_id": letter_id,
                        "channel": "email" if by_email else "cwc",
                        "status": "pending",
                        "cwc_office": None if by_email else office,
                        "recipient_email": "director@ice.example.gov" if by_email else None,
                        "attempts": 0,
                        "next_attempt_at": now,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
            insert_submission(action, rows, deliveries)
            written += len(rows)
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()


# --- the workers ----------------------------------------------------------------------------------------------


def worker_app():
    """The app of a worker process (`flask --app bench.drain:worker_app`): settings from the ADVOCACY_* environment,
    plus the shortened retry timings from ADVOCACY_BENCH_DRAIN."""
    from advocacy import create_app

    config = json.loads(os.environ.get("ADVOCACY_BENCH_DRAIN", "{}"))
    if "DELIVERY_CWC_TIMEOUT" in config:
        config["DELIVERY_CWC_TIMEOUT"] = tuple(config["DELIVERY_CWC_TIMEOUT"])
    return create_app(config)


def start_worker(env: dict, concurrency: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "flask", "--app", "bench.drain:worker_app", "deliveries", "work"]
    command += ["--concurrency", str(concurrency)]
    return subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (and its threads), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def status_counts(engine) -> dict[str, int]:
    from sqlalchemy import text

    with engine.connect() as conn:
        return dict(conn.execute(text("SELECT status, count(*) FROM deliveries GROUP BY status")).all())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--letters", type=int, default=20000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--email-share", type=float, default=0.1)
    parser.add_argument("--latency-ms", type=float, default=200)
    parser.add_argument("--fail-rate", type=float, default=0.01)
    parser.add_argument("--hang-rate", type=float, default=0.005)
    parser.add_argument("--kill-after", type=float, default=0.3, help="share sent before one worker is SIGKILLed")
    parser.add_argument("--cwc-timeout", type=float, default=5.0, help="read timeout for CWC requests")
    parser.add_argument("--limit", type=float, default=900, help="give up after this many seconds")
    args = parser.parse_args()

    from sqlalchemy import create_engine

    cwc = FakeCwc(args.latency_ms / 1000, args.fail_rate, args.hang_rate)
    sink = Sink()
    url = fresh_database()
    env = dict(os.environ)
    env.update(AGENT_ENV)
    env.update(
        {
            "ADVOCACY_ENV": "production",
            "ADVOCACY_SECRET_KEY": secrets.token_hex(32),
            "ADVOCACY_DATABASE_URL": url,
            "ADVOCACY_CWC_URL": cwc.url,
            "ADVOCACY_MAIL_SERVER": "127.0.0.1",
            "ADVOCACY_MAIL_PORT": str(sink.port),
            "ADVOCACY_MAIL_SENDER": "letters@advocacy.example.org",
            "ADVOCACY_LOG_LEVEL": "WARNING",
            "ADVOCACY_DELIVERY_CONCURRENCY": str(args.concurrency),
            "ADVOCACY_BENCH_DRAIN": json.dumps(
                {
                    "DELIVERY_BACKOFF_BASE": 2,
                    "DELIVERY_SENDING_TIMEOUT": 20,
                    "DELIVERY_CWC_TIMEOUT": [2.0, args.cwc_timeout],
                }
            ),
        }
    )
    env.pop("ADVOCACY_REDIS_URL", None)
    app = make_app(url, {k: v for k, v in env.items() if k.startswith("ADVOCACY_")})
    started = time.monotonic()
    preload(app, args.letters, args.email_share)
    log(f"pre-loaded {args.letters} letters in {time.monotonic() - started:.1f} s")

    engine = create_engine(url)
    workers = [start_worker(env, args.concurrency) for _ in range(args.workers)]
    cpu_of_killed = 0.0
    killed = False
    began = time.monotonic()
    first_pass = None
    timeline = []
    try:
        while True:
            time.sleep(1.0)  # a progress poll of the benchmark, not of the product
            counts = status_counts(engine)
            sent = counts.get("sent", 0)
            elapsed = time.monotonic() - began
            timeline.append((round(elapsed, 1), sent))
            log(f"{elapsed:6.1f} s  {counts}")
            if not killed and sent >= args.kill_after * args.letters:
                victim = workers[0]
                cpu_of_killed = cpu_seconds(victim.pid)
                victim.send_signal(signal.SIGKILL)
                victim.wait()
                workers[0] = start_worker(env, args.concurrency)  # as a supervisor would
                killed = True
                log(f"SIGKILLed worker pid {victim.pid} at {sent} sent; started a replacement")
            if first_pass is None and counts.get("pending", 0) == 0:
                first_pass = elapsed
            if sent + counts.get("dead", 0) + counts.get("unknown", 0) >= args.letters or elapsed > args.limit:
                break
        drained = time.monotonic() - began
        cpu = cpu_of_killed + sum(cpu_seconds(w.pid) for w in workers)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(30)
            except subprocess.TimeoutExpired:
                worker.kill()
        cwc.close()

    from sqlalchemy import text

    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, channel, status FROM deliveries")).all()
        # Connections opened to this database since it was made: the pre-load, this script's polls and the workers'.
        sessions = conn.scalar(text("SELECT sessions FROM pg_stat_database WHERE datname = current_database()"))
    engine.dispose()
    sink.close()
    cwc_ids = {row.id.replace("-", "") for row in rows if row.channel == "cwc"}

    def arrived(row) -> bool:
        hex_id = row.id.replace("-", "")
        if row.channel == "cwc":
            return hex_id in cwc.accepted
        return sink.message_ids[f"<{hex_id}.letter@advocacy.example.org>"] > 0

    # Lost: accepted by us, never at the office (whatever its status says). An `unknown` email that did arrive
    # is not lost: it is the at-most-once rule at work (the killed worker had handed it over).
    lost = [row.id for row in rows if not arrived(row)]
    wrongly_sent = [row.id for row in rows if row.status == "sent" and not arrived(row)]
    # Twice at the office: CWC keeps one message per DeliveryId (a repeat is refused as a duplicate), so for CWC
    # this counts ids it took twice, which the fake never does; for email, two messages with one Message-ID.
    email_twice = sum(n - 1 for n in sink.message_ids.values() if n > 1)
    statuses = Counter(row.status for row in rows)
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "letters": args.letters,
        "workers": args.workers,
        "concurrency": args.concurrency,
        "latency_ms": args.latency_ms,
        "drain_seconds": round(drained, 1),
        "first_attempts_done_seconds": round(first_pass, 1) if first_pass else None,
        "letters_per_second": round(args.letters / drained, 1),
        "letters_per_second_per_worker": round(args.letters / drained / args.workers, 1),
        "worker_cpu_ms_per_letter": round(cpu * 1000 / args.letters, 2),
        "statuses": dict(statuses),
        "lost": len(lost),
        "sent_but_not_arrived": len(wrongly_sent),
        "duplicates": email_twice,
        "unknown_emails_that_arrived": sum(1 for row in rows if row.status == "unknown" and arrived(row)),
        "cwc_reposted_after_its_200": sum(cwc.after_confirmed.values()),
        "cwc": dict(cwc.counts),
        "cwc_resent_ids": sum(1 for i in cwc_ids if cwc.posts[i] > 1),
        "killed_a_worker": killed,
        "database_sessions_opened": sessions,
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"drain-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.write_text(json.dumps(result | {"timeline": timeline}, indent=2))
    print(json.dumps(result, indent=2))
    log(f"written to {out}")


if __name__ == "__main__":
    main()
