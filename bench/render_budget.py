"""Render budget benchmark: how long the worst letter templates take to be refused, and how slow a campaign page
gets while organizers save them (issue 14, item 3: saving one took 30 s and stalled public pages for 35 s).

    .venv/bin/python bench/render_budget.py [--savers 8] [--pages 200] [--pause 0.1]

In one process (the GIL is what a saving thread takes from a page): `--savers` threads validate the issue's
reproductions, as organizers pressing Save every `--pause` seconds (0: without a pause, saturating the process),
while the main thread renders the Guan Heng campaign page through the test client against a fresh SQLite
database. Prints the CPU time of each refusal and the page's
median and p99 with and without the savers. A timing belongs here, not in the tests.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from advocacy.campaigns.rendering import TemplateProblem, validate_template  # noqa: E402

REPRODUCTIONS = {
    "N=20": "{% for i in range(20) %}{{ ((range(1000)|list)*20)|sort|length }}{% endfor %}",
    "N=1000": "{% for i in range(1000) %}{{ ((range(1000)|list)*20)|sort|length }}{% endfor %}",
    "nested ifs": "{% if true %}" * 300 + "x" + "{% endif %}" * 300,
    "4,000 cheap turns": "{% for i in range(800) %}{% for j in range(4) %}{{ j }}{% endfor %}{% endfor %}",
}


def refusal_times() -> None:
    for name, body in REPRODUCTIONS.items():
        started = time.thread_time()
        try:
            validate_template("Subject", body)
            outcome = "accepted"
        except TemplateProblem as exc:
            outcome = f"refused: {exc.message[:60]}"
        print(f"{name:>18}: {1000 * (time.thread_time() - started):7.1f} ms CPU  {outcome}")


def page_times(client, pages: int) -> list[float]:
    times = []
    for _ in range(pages):
        started = time.perf_counter()
        assert client.get("/c/guan-heng").status_code == 200
        times.append(1000 * (time.perf_counter() - started))
    return times


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    return f"median {statistics.median(ordered):6.1f} ms, p99 {ordered[int(len(ordered) * 0.99) - 1]:6.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--savers", type=int, default=8)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--pause", type=float, default=0.1)
    args = parser.parse_args()
    refusal_times()

    from advocacy.campaigns.loading import load_campaigns
    from advocacy.extensions import db
    from tests.conftest import make_app
    from tests.congress_support import MINI, load_dataset, read_files

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        app = make_app(url, RATELIMIT_ENABLED=False, CAMPAIGN_CACHE_SECONDS=5)
        with app.app_context():
            db.create_all()
        # The campaign file records members' statements: the members come first (the tests' real mini roster).
        load_dataset(url, read_files(MINI), "mini")
        with app.app_context():
            load_campaigns(ROOT / "campaigns" / "guan-heng")
        client = app.test_client()
        page_times(client, 20)  # warm up
        print(f"{'campaign page alone':>28}: {summary(page_times(client, args.pages))}")

        stop = threading.Event()

        def save_forever(body: str) -> None:
            while not stop.is_set():
                try:
                    validate_template("Subject", body)
                except TemplateProblem:
                    pass
                stop.wait(args.pause)

        bodies = [REPRODUCTIONS["N=1000"], REPRODUCTIONS["N=20"]]
        savers = [threading.Thread(target=save_forever, args=(bodies[i % 2],)) for i in range(args.savers)]
        for thread in savers:
            thread.start()
        try:
            print(f"{f'with {args.savers} saving organizers':>28}: {summary(page_times(client, args.pages))}")
        finally:
            stop.set()
            for thread in savers:
                thread.join()


if __name__ == "__main__":
    main()
