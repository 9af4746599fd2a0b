"""Benchmark the whole stack on one machine: PostgreSQL, Redis, the web server, and wrk from a separate process.

    .venv/bin/python bench/run.py [--server granian|gunicorn] [--workers 4] [--threads 12] [--duration 15]
                                  [--connections 48] [--only submit,lookup] [--skip-setup] [--pace-ms 0]

Every submission geocodes its street address against bench/fake_geocoder.py on loopback (the next port),
which answers in --geocoder-ms (default 50 ms); the addresses all differ, so the geocoder cache stays cold.
It creates a fresh PostgreSQL database, loads the real congress data and the demo campaign, starts the server
as deployed (scripts/serve, granian; or gunicorn with gunicorn.conf.py), and measures (a) a plain endpoint of
the same app, the ceiling; (b) letter submissions through the JSON API (distinct constituents across real ZIPs,
rate limits on with Redis storage, lookup, rendering and outbox); (c) ZIP lookups; (d) the scoreboard page;
(e) the campaign page; and (f) "floor": the submission load against bench/floor.py (always on granian), a bare
WSGI app doing only a submission's irreducible work (parse, one Redis call, the same one-statement write, a JSON
answer), so (b) can be read against what the machine gives at best. It prints a table and writes JSON to
bench/results/, with the CPU milliseconds per request that the server, PostgreSQL, Redis and wrk each spent
(from /proc), which vary less than throughput on a shared machine. Needs: PostgreSQL (ADVOCACY_BENCH_PG,
default postgres@127.0.0.1:5432), Redis (ADVOCACY_BENCH_REDIS, default 127.0.0.1:6379/15), wrk (apt-get
install wrk), and the data files (ADVOCACY_DATA_DIR, default ../shared/data).
"""

from __future__ import annotations

import argparse
import csv
import functools
import json
import os
import platform
import resource
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
VENV_BIN = Path(sys.executable).parent
PG_ADMIN = os.environ.get("ADVOCACY_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("ADVOCACY_BENCH_REDIS", "redis://127.0.0.1:6379/15")
DB_NAME = os.environ.get("ADVOCACY_BENCH_DB", "advocacy_bench")  # another name when several run at once
SCENARIOS = ("plain", "submit", "lookup", "scoreboard", "campaign", "floor")


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def data_dir() -> Path:
    path = Path(os.environ.get("ADVOCACY_DATA_DIR", ROOT.parent / "shared" / "data")).resolve()
    if not (path / "zip-districts" / "zccd.csv").exists() and not (path / "zccd.csv").exists():
        sys.exit(f"bench: no data in {path}; set ADVOCACY_DATA_DIR")
    return path


def database_url() -> str:
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + DB_NAME


def app_env(port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        ADVOCACY_ENV="production",
        ADVOCACY_SECRET_KEY="bench-secret-key-" + "x" * 40,
        ADVOCACY_DATABASE_URL=database_url(),
        ADVOCACY_REDIS_URL=REDIS,
        ADVOCACY_DATA_DIR=str(data_dir()),
        ADVOCACY_LOG_LEVEL="WARNING",
        # Rate limits stay on (every request hits Redis); only the ceiling is raised for one client IP.
        ADVOCACY_SUBMIT_RATE_LIMIT="10000000 per minute",
        ADVOCACY_LOOKUP_RATE_LIMIT="10000000 per minute",
        # One proxy in front (as in production): visitors.lua gives each request its own client address.
        ADVOCACY_PROXY_COUNT="1",
        ADVOCACY_SITE_URL=f"http://127.0.0.1:{port}",
        # Every submission geocodes its street address: against bench/fake_geocoder.py, never the real service.
        ADVOCACY_GEOCODER_URL=f"http://127.0.0.1:{port + 1}/geocoder/geographies/onelineaddress",
    )
    return env


def start_geocoder(port: int, delay_ms: int) -> subprocess.Popen:
    """bench/fake_geocoder.py on loopback, answering after `delay_ms` (the cache is cold: every address differs)."""
    process = subprocess.Popen(
        [sys.executable, str(BENCH / "fake_geocoder.py"), "--port", str(port), "--delay-ms", str(delay_ms),
         "--data", str(data_dir())],
        stdout=subprocess.PIPE,
        start_new_session=True,
    )  # fmt: skip
    process.stdout.readline()  # "fake geocoder on ..." once it listens
    return process


def flask(env: dict, *args: str) -> None:
    subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )


def setup_database(env: dict) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": DB_NAME})
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}"'))
        conn.execute(text(f'CREATE DATABASE "{DB_NAME}"'))
    admin.dispose()
    started = time.monotonic()
    flask(env, "db", "upgrade")
    flask(env, "legislators", "sync")
    flask(env, "districts", "sync")
    # The sample campaign (where the submissions go) may not be loaded live in production: load it as staff
    # would on a development machine, then serve it with the production settings.
    flask({**env, "ADVOCACY_ENV": "development"}, "campaigns", "load", str(ROOT / "campaigns"))
    log(f"database {DB_NAME} ready in {time.monotonic() - started:.1f} s")
    import redis

    redis.Redis.from_url(REDIS).flushdb()


def zip_file() -> Path:
    """Real ZIPs with one district, each with its state: `zip state` per line."""
    source = data_dir() / "zip-districts" / "zccd.csv"
    if not source.exists():
        source = data_dir() / "zccd.csv"
    districts: dict[str, set] = defaultdict(set)
    with source.open(newline="") as f:
        for row in csv.DictReader(f):
            districts[row["zcta"]].add((row["state_abbr"], int(row["cd"])))
    vacant = {("CA", 14), ("FL", 20), ("GA", 13), ("TX", 23)}
    lines = [f"{z} {next(iter(d))[0]}" for z, d in sorted(districts.items()) if len(d) == 1 and not (d & vacant)]
    path = RESULTS / "zips.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


def server_command(server: str, port: int, workers: int, threads: int) -> list[str]:
    """The server as deployed: scripts/serve (granian), or gunicorn with gunicorn.conf.py for comparison."""
    if server == "granian":
        cmd = [str(ROOT / "scripts" / "serve"), "--port", str(port), "--workers", str(workers)]
        if threads > 0:
            cmd += ["--blocking-threads", str(threads)]
        return cmd
    cmd = [
        str(VENV_BIN / "gunicorn"),
        "--config",
        str(ROOT / "gunicorn.conf.py"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]
    if threads > 1:
        cmd += ["--threads", str(threads)]
    return cmd + ["wsgi:app"]


def start_server(env: dict, port: int, server: str, workers: int, threads: int) -> subprocess.Popen:
    cmd = server_command(server, port, workers, threads)
    # The access log is written as in production, to a pipe nobody reads but /dev/null.
    process = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL)
    return wait_ready(process, f"http://127.0.0.1:{port}/readyz", server)


def wait_ready(process: subprocess.Popen, url: str, name: str) -> subprocess.Popen:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    sys.exit(f"bench: {name} did not become ready")


def wrk(url: str, script: str, duration: int, connections: int, threads: int, extra_env: dict) -> dict:
    env = dict(os.environ, BENCH_DIR=str(BENCH), **extra_env)
    cmd = [
        "wrk",
        "-t",
        str(threads),
        "-c",
        str(connections),
        "-d",
        f"{duration}s",
        "--timeout",
        "10s",
        "-s",
        str(BENCH / script),
        url,
    ]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("BENCH_JSON "))
    return json.loads(line[len("BENCH_JSON ") :])


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


GEOCODER_PGID = 0  # the fake geocoder's process group, once started: its CPU is on the same cores as the app's


def cpu_seconds(server_pgid: int) -> dict[str, float]:
    """CPU time used so far by the web server's processes, PostgreSQL, Redis and the fake geocoder, from /proc."""
    totals = {"app": 0.0, "postgres": 0.0, "redis": 0.0, "geocoder": 0.0}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        used = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime
        if int(fields[2]) == server_pgid:
            totals["app"] += used
        elif comm == "postgres":
            totals["postgres"] += used
        elif comm.startswith("redis-server"):
            totals["redis"] += used
        elif GEOCODER_PGID and int(fields[2]) == GEOCODER_PGID:
            totals["geocoder"] += used
    return totals


def measured(server_pgid: int, run) -> dict:
    """Run one wrk scenario and add the CPU milliseconds each part spent per request."""
    before, children = cpu_seconds(server_pgid), resource.getrusage(resource.RUSAGE_CHILDREN)
    result = run()
    after, children_after = cpu_seconds(server_pgid), resource.getrusage(resource.RUSAGE_CHILDREN)
    spent = {part: after[part] - before[part] for part in after}
    spent["wrk"] = (children_after.ru_utime + children_after.ru_stime) - (children.ru_utime + children.ru_stime)
    requests = max(1, result["requests"])
    result["cpu_ms_per_request"] = {part: round(1000 * used / requests, 3) for part, used in spent.items()}
    return result


def run_floor(env: dict, args: argparse.Namespace, submit_env: dict) -> dict:
    """The submission scenario against bench/floor.py (only the irreducible work), served by granian like the app."""
    port = args.port + 1
    threads = args.threads or 2
    cmd = [str(VENV_BIN / "granian"), "--interface", "wsgi", "--no-ws", "--log-level", "warning", "--host"]
    cmd += ["127.0.0.1", "--port", str(port), "--workers", str(args.workers), "--blocking-threads", str(threads)]
    process = subprocess.Popen([*cmd, "bench.floor:app"], cwd=ROOT, env=env, start_new_session=True)
    try:
        wait_ready(process, f"http://127.0.0.1:{port}/", "the floor server")
        log(f"floor: {args.duration} s, {args.connections} connections")
        url = f"http://127.0.0.1:{port}/"
        run = functools.partial(wrk, url, "submit.lua", args.duration, args.connections, args.wrk_threads, submit_env)
        return measured(process.pid, run)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def warm(base: str, paths: list[str]) -> None:
    for path in paths:
        for _ in range(20):
            try:
                urllib.request.urlopen(base + path, timeout=10).read()
            except OSError:
                pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", choices=("granian", "gunicorn"), default="granian", help="granian is scripts/serve")
    parser.add_argument("--workers", type=int, default=4, help="server worker processes")
    parser.add_argument(
        "--threads",
        type=int,
        default=0,
        help="granian blocking threads per worker (0: scripts/serve's default, 12); gunicorn gthread when > 1",
    )
    parser.add_argument("--duration", type=int, default=15, help="seconds per scenario")
    parser.add_argument("--connections", type=int, default=48)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument(
        "--pace-ms", type=int, default=0, help="each connection waits this long between requests (below saturation)"
    )
    parser.add_argument("--port", type=int, default=8765, help="the app; the fake geocoder takes the next port")
    parser.add_argument("--geocoder-ms", type=int, default=50, help="how long the fake geocoder takes to answer")
    parser.add_argument("--only", default=",".join(SCENARIOS), help="comma-separated scenarios")
    parser.add_argument(
        "--warm-seconds", type=int, default=3, help="unmeasured load before each scenario (0: none), same connections"
    )
    parser.add_argument("--skip-setup", action="store_true", help="reuse the database from the last run")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("bench: wrk not found (apt-get install wrk)")
    RESULTS.mkdir(exist_ok=True)
    env = app_env(args.port)
    if not args.skip_setup:
        setup_database(env)
    zips = zip_file()
    base = f"http://127.0.0.1:{args.port}"
    geocoder = start_geocoder(args.port + 1, args.geocoder_ms)
    global GEOCODER_PGID
    GEOCODER_PGID = geocoder.pid
    server = start_server(env, args.port, args.server, args.workers, args.threads)
    run_id = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    scenarios = {
        "plain": ("/healthz", "get.lua", {}),
        "submit": (
            "/",
            "submit.lua",
            {
                "BENCH_ZIPS": str(zips),
                # Guan Heng's campaign is closed (won): submissions go to the live sample campaign.
                "BENCH_SUBMIT_PATH": "/api/v1/campaigns/sample-campaign/actions",
                "BENCH_RUN_ID": run_id,
            },
        ),
        "lookup": ("/", "lookup.lua", {"BENCH_ZIPS": str(zips)}),
        # Public pages have a per-visitor limit: they are read as many visitors behind one proxy.
        "scoreboard": ("/c/guan-heng/scoreboard", "visitors.lua", {}),
        "campaign": ("/c/guan-heng", "visitors.lua", {}),
    }
    chosen = [s for s in args.only.split(",") if s]
    if args.pace_ms:
        for _, _, extra in scenarios.values():
            extra["BENCH_PACE_MS"] = str(args.pace_ms)
    results: dict[str, dict] = {}
    try:
        warm(
            base,
            [
                "/healthz",
                "/c/guan-heng",
                "/c/guan-heng/scoreboard",
                "/api/v1/campaigns/sample-campaign",
                "/api/v1/representatives?zip=12207",
            ],
        )
        for name in ["plain"] + [s for s in chosen if s not in ("plain", "floor")]:
            path, script, extra = scenarios[name]
            if args.warm_seconds and name != "plain":
                # Unmeasured: each worker's first requests open its connections (PostgreSQL, Redis, the geocoder)
                # and compile the letter templates; a campaign day's tail is what comes after.
                wrk(base + path, script, args.warm_seconds, args.connections, args.wrk_threads, extra)
            log(f"{name}: {args.duration} s, {args.connections} connections")
            results[name] = measured(
                server.pid,
                functools.partial(wrk, base + path, script, args.duration, args.connections, args.wrk_threads, extra),
            )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        os.killpg(geocoder.pid, signal.SIGTERM)
        geocoder.wait(timeout=30)
    if "floor" in chosen:
        results["floor"] = run_floor(env, args, scenarios["submit"][2])
    ceiling = results["plain"]["rps"]
    print(
        f"\n{'scenario':<12} {'req/s':>9} {'vs plain':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}"
        f"   CPU ms per request: {'app':>6} {'pg':>6} {'redis':>6} {'wrk':>6} {'geo':>6}"
    )
    for name, r in results.items():
        cpu = r["cpu_ms_per_request"]
        r["ratio_to_plain"] = round(r["rps"] / ceiling, 3) if ceiling else None
        print(
            f"{name:<12} {r['rps']:>9.0f} {r['ratio_to_plain']:>9.2f} {r['p50_ms']:>8.2f} {r['p95_ms']:>8.2f} "
            f"{r['p99_ms']:>8.2f} {r['errors']:>7}                      "
            + " ".join(f"{cpu[part]:>6.3f}" for part in ("app", "postgres", "redis", "wrk", "geocoder"))
        )
    for name, r in results.items():
        if r["errors"]:
            print(f"WARNING: {name}: {r['errors']} of {r['requests']} requests failed; its figures measure failures")
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "settings": vars(args),
        "results": results,
    }
    out = RESULTS / f"bench-{run_id}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwritten to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
