"""ZIP lookups per second through the JSON API (`GET /api/v1/representatives?zip=…`), beside `/healthz`.

Two ways to measure:

* In process (default): the full Flask stack (routing, login check, rate limiter, security headers, JSON)
  is called as a WSGI app, one worker process per core, with no HTTP parsing. With no `--database-url`
  the real data in ../shared/data (or ADVOCACY_DATA_DIR) is loaded into a temporary SQLite database first.

      .venv/bin/python bench/lookup_speed.py [--database-url URL] [--seconds 5] [--processes 2]

* Against a running server (`--url`), over HTTP with keep-alive connections from several processes:

      ADVOCACY_DATABASE_URL=… .venv/bin/gunicorn -k gthread -w 2 --threads 8 -b 127.0.0.1:8000 \\
          'bench.lookup_speed:server_app()'
      .venv/bin/python bench/lookup_speed.py --url http://127.0.0.1:8000 --connections 8

  `server_app()` is the normal app with the lookup rate limit raised so one benchmarking IP is not throttled.

In process, every ZIP in the crosswalk is asked in random order after one warm-up pass, so the figure is the
steady state of a long-running worker (the first, cold pass is reported too). Over HTTP, a random sample of
ZIPs (`--sample`) is warmed on each connection first, since each keep-alive connection stays on one worker.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BENCH_LIMIT = "100000000 per minute"
SHARED_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def server_app():
    """For gunicorn: the app from the environment, with the lookup rate limit out of the way."""
    from advocacy import create_app

    return create_app({"LOOKUP_RATE_LIMIT": BENCH_LIMIT})


def _app(database_url: str):
    from advocacy import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "LOOKUP_RATE_LIMIT": BENCH_LIMIT})


def load_temporary_database(folder: Path, data_dir: Path) -> str:
    from advocacy.congress.sources import districts_source, legislators_source
    from advocacy.congress.sync import sync_districts, sync_legislators
    from advocacy.extensions import db

    url = f"sqlite:///{folder / 'bench.db'}"
    app = _app(url)
    with app.app_context():
        db.create_all()
        sync_legislators(legislators_source(None, str(data_dir)))
        sync_districts(districts_source(None, str(data_dir)))
        db.engine.dispose()
    return url


def all_zips(database_url: str) -> list[str]:
    from sqlalchemy import select

    from advocacy.congress.models import ZipDistrict
    from advocacy.extensions import db

    app = _app(database_url)
    with app.app_context():
        zips = sorted(set(db.session.execute(select(ZipDistrict.zcta)).scalars()))
        db.engine.dispose()
    if not zips:
        sys.exit("no ZIP codes in that database: run `flask districts sync` first")
    return zips


# --- in process -------------------------------------------------------------------------------------------


def _start_response(status, headers, exc_info=None):
    _start_response.status = status


def _wsgi_worker(
    database_url: str, zips: list[str], seconds: float, path: str, seed: int, queue, warm: bool, barrier
) -> None:
    from werkzeug.test import EnvironBuilder

    app = _app(database_url)
    base = EnvironBuilder(path=path, base_url="http://127.0.0.1/").get_environ()
    order = zips[:]
    random.Random(seed).shuffle(order)

    def call(zip5: str) -> None:
        environ = dict(base)
        environ["QUERY_STRING"] = f"zip={zip5}"
        body = app.wsgi_app(environ, _start_response)
        for _ in body:
            pass
        if hasattr(body, "close"):
            body.close()
        if not _start_response.status.startswith("200"):
            raise SystemExit(f"{path}?zip={zip5} answered {_start_response.status}")

    cold = 0.0
    if warm:  # one pass over every ZIP fills the per-process caches
        cold_started = time.perf_counter()
        for zip5 in order:
            call(zip5)
        cold = len(order) / (time.perf_counter() - cold_started)
    barrier.wait()  # every worker starts timing together, after all the warm-ups
    done, started, cpu_started = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - started < seconds:
        for zip5 in order[done % len(order) : done % len(order) + 500]:
            call(zip5)
            done += 1
    # Per CPU second too: on a busy machine the wall-clock rate also measures everyone else's work.
    queue.put((done / (time.perf_counter() - started), cold, done / (time.process_time() - cpu_started)))


def run_in_process(database_url: str, zips: list[str], seconds: float, processes: int, path: str, warm: bool):
    context = multiprocessing.get_context("fork")
    queue, barrier = context.Queue(), context.Barrier(processes)
    workers = [
        context.Process(target=_wsgi_worker, args=(database_url, zips, seconds, path, n, queue, warm, barrier))
        for n in range(processes)
    ]
    for w in workers:
        w.start()
    results = [queue.get() for _ in workers]
    for w in workers:
        w.join()
    return sum(r[0] for r in results), sum(r[1] for r in results), sum(r[2] for r in results)


# --- over HTTP --------------------------------------------------------------------------------------------


def _http_worker(url: str, zips: list[str], seconds: float, path: str, seed: int, queue, warm: bool, barrier) -> None:
    parts = urlsplit(url)
    order = zips[:]
    random.Random(seed).shuffle(order)
    connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=10)
    if warm:  # one pass over the sample on this keep-alive connection warms the worker that serves it
        for zip5 in order:
            connection.request("GET", f"{path}?zip={zip5}")
            connection.getresponse().read()
    barrier.wait()  # every connection starts timing together, after all the warm-ups
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        connection.request("GET", f"{path}?zip={order[done % len(order)]}")
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"{path} answered {response.status}")
        if response.getheader("Connection", "").lower() == "close":
            connection.close()
            connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=10)
        done += 1
    queue.put(done / (time.perf_counter() - started))


def run_over_http(url: str, zips: list[str], seconds: float, connections: int, path: str, warm: bool) -> float:
    context = multiprocessing.get_context("fork")
    queue, barrier = context.Queue(), context.Barrier(connections)
    workers = [
        context.Process(target=_http_worker, args=(url, zips, seconds, path, n, queue, warm, barrier))
        for n in range(connections)
    ]
    for w in workers:
        w.start()
    rates = [queue.get() for _ in workers]
    for w in workers:
        w.join()
    return sum(rates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a database with the congress data loaded (default: a temporary one)")
    parser.add_argument("--data-dir", default=os.environ.get("ADVOCACY_DATA_DIR") or str(SHARED_DATA))
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1, help="in-process workers")
    parser.add_argument("--url", help="measure a running server instead, e.g. http://127.0.0.1:8000")
    parser.add_argument("--connections", type=int, default=8, help="client processes with --url")
    parser.add_argument("--sample", type=int, default=2000, help="ZIPs asked with --url (each connection warms them)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        database_url = args.database_url or os.environ.get("ADVOCACY_DATABASE_URL")
        if not database_url:
            print(f"Loading {args.data_dir} into a temporary SQLite database…", file=sys.stderr)
            database_url = load_temporary_database(Path(folder), Path(args.data_dir))
        zips = all_zips(database_url)
        print(f"{len(zips):,} ZIP codes, {args.seconds:g} s per measurement", file=sys.stderr)
        if args.url:
            sample = random.Random(0).sample(zips, min(args.sample, len(zips)))
            api = "/api/v1/representatives"
            lookups = run_over_http(args.url, sample, args.seconds, args.connections, api, warm=True)
            plain = run_over_http(args.url, sample, args.seconds, args.connections, "/healthz", warm=False)
            where = f"{args.url}, {args.connections} keep-alive connections, {len(sample):,} ZIPs after a warm-up pass"
            cold = None
        else:
            lookups, cold, lookups_cpu = run_in_process(
                database_url, zips, args.seconds, args.processes, "/api/v1/representatives", warm=True
            )
            plain, _, plain_cpu = run_in_process(
                database_url, zips, args.seconds, args.processes, "/healthz", warm=False
            )
            where = f"in process (WSGI, no HTTP parsing), {args.processes} worker processes"
    print(f"ZIP lookups: {lookups:,.0f}/s   plain /healthz: {plain:,.0f}/s   ({where})")
    if cold is not None:
        print(
            f"per CPU second of the workers (one core each): ZIP lookups {lookups_cpu:,.0f}/s, /healthz {plain_cpu:,.0f}/s"
        )
        print(f"first pass over every ZIP, caches cold: {cold:,.0f}/s")


if __name__ == "__main__":
    main()
