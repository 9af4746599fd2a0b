"""Where a submission's CPU goes, in one process: the JSON API through the WSGI interface (no HTTP server, no
wrk), against the database `bench/run.py` built and a fake geocoder on loopback that answers at once.

    .venv/bin/python bench/profile_submit.py [--count 2000] [--profile] [--top 40]

Prints the CPU milliseconds per submission of the calling thread (time.thread_time: the fake geocoder runs in
another thread and is not counted), and with --profile the functions that took the most of it (cProfile,
cumulative). Needs `bench/run.py` to have run once (its database and bench/results/zips.txt) and Redis.
A CPU figure from one thread varies far less on a shared machine than requests per second do.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import run as bench  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="cumulative", help="cumulative or tottime")
    parser.add_argument("--port", type=int, default=8870)
    args = parser.parse_args()

    geocoder = bench.start_geocoder(args.port + 1, 0)
    try:
        env = bench.app_env(args.port)
        os.environ.update(env)
        from advocacy import create_app

        app = create_app()
        zips = [line.split() for line in bench.zip_file().read_text().splitlines()]
        client = app.test_client()
        run_id = random.randrange(10**9)

        def submit(i: int) -> None:
            zip_code, state = zips[i * 7919 % len(zips)]
            body = {
                "first_name": "Bench", "last_name": f"Writer {i}", "email": f"p-{run_id}-{i}@example.org",
                "address": f"{i} Main St", "city": "Springfield", "state": state, "zip": zip_code,
                "message": "Please help.", "consent": True,
            }  # fmt: skip
            response = client.post("/api/v1/campaigns/sample-campaign/actions", json=body)
            if response.status_code != 201:
                raise SystemExit(f"submission {i}: HTTP {response.status_code} {response.get_data(as_text=True)[:300]}")

        for i in range(50):  # warm: imports, caches, connections
            submit(i)
        profiler = cProfile.Profile(time.thread_time) if args.profile else None  # CPU, not waits
        started = time.thread_time()
        if profiler:
            profiler.enable()
        for i in range(50, 50 + args.count):
            submit(i)
        if profiler:
            profiler.disable()
        spent = time.thread_time() - started
        print(f"{args.count} submissions: {spent / args.count * 1000:.3f} ms of CPU each (this thread)")
        if profiler:
            pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)
    finally:
        geocoder.terminate()
        geocoder.wait()


if __name__ == "__main__":
    main()
