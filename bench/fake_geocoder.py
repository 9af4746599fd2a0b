"""A stand-in for the Census geocoder on loopback, for the submission benchmark: answers every
`geographies/onelineaddress` request after a fixed delay (default 50 ms, a good day of the real service).

    .venv/bin/python bench/fake_geocoder.py --port 8766 --delay-ms 50

The answer is the recorded Census answer (../shared/data/census-geocoder, Falls Church) with its layer named
for the 119th Congress and its state and district set to the first district the ZIP crosswalk gives for the
ZIP at the end of the address, so every submission is placed, and placed where its ZIP is. Threaded: the delay
is a wait, not work, as with the real service.
"""

from __future__ import annotations

import argparse
import copy
import csv
import json
import re
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent
_ZIP = re.compile(r"([0-9]{5})\s*$")


def load(data: Path) -> tuple[dict, dict[str, tuple[str, str, int]]]:
    recording = data / "census-geocoder" / "census-onelineaddress-2525-buckelew-falls-church-va-cd116.json"
    template = json.loads(recording.read_text())
    geographies = template["result"]["addressMatches"][0]["geographies"]
    [feature] = geographies.pop("116th Congressional Districts")
    del feature["CD116"]
    geographies["119th Congressional Districts"] = [feature]
    zips: dict[str, tuple[str, str, int]] = {}
    with (data / "zip-districts" / "zccd.csv").open(newline="") as f:
        for row in csv.DictReader(f):
            zips.setdefault(row["zcta"], (row["state_fips"], row["state_abbr"], int(row["cd"])))
    return template, zips


def answer(template: dict, zips: dict, address: str) -> bytes:
    match = _ZIP.search(address)
    place = zips.get(match.group(1)) if match else None
    if place is None:
        return b'{"result":{"input":{},"addressMatches":[]}}'
    fips, state, district = place
    body = copy.deepcopy(template)
    geographies = body["result"]["addressMatches"][0]["geographies"]
    geographies["119th Congressional Districts"][0].update(
        CD119=f"{district:02d}", CDSESSN="119", STATE=fips, GEOID=f"{fips}{district:02d}"
    )
    geographies["States"][0].update(STUSAB=state, STATE=fips)
    return json.dumps(body).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--delay-ms", type=int, default=50)
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    args = parser.parse_args()
    template, zips = load(Path(args.data))
    delay = args.delay_ms / 1000

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the app's pooled session expects

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            query = parse_qs(urlsplit(self.path).query)
            time.sleep(delay)
            body = answer(template, zips, query.get("address", [""])[0])
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args) -> None:  # noqa: A002 - no access log: the query holds addresses
            pass

    class Server(ThreadingHTTPServer):
        def handle_error(self, request, client_address) -> None:
            pass  # a client gone (the app's workers stop at the end of a run) is not worth a traceback

    server = Server(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.request_queue_size = 1024
    print(f"fake geocoder on 127.0.0.1:{args.port}, {args.delay_ms} ms", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
