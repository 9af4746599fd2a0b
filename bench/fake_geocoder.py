"""A stand-in for the Census geocoder on loopback, for the submission benchmark: answers every
`geographies/onelineaddress` request after a fixed delay (default 50 ms, a good day of the real service).

    .venv/bin/python bench/fake_geocoder.py --port 8766 --delay-ms 50

The answer is the recorded Census answer (../shared/data/census-geocoder, Falls Church) with its layer named
for the 119th Congress and its state and district set to the first district the ZIP crosswalk gives for the
ZIP at the end of the address, so every submission is placed, and placed where its ZIP is. On asyncio: the delay
is a timer, not a thread or work, as with the real service, and each ZIP's answer is built once, so the fake
spends little of the CPU the app is measured on.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import csv
import json
import re
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


class Answers:
    """Each ZIP's answer built once: the fake's own CPU runs on the cores the app is measured on, and a real
    geocoder's would not, so it should spend as little as it can."""

    def __init__(self, template: dict, zips: dict):
        self.template, self.zips, self.built = template, zips, {}

    def __call__(self, address: str) -> bytes:
        match = _ZIP.search(address)
        key = match.group(1) if match else ""
        body = self.built.get(key)
        if body is None:
            body = self.built[key] = answer(self.template, self.zips, address)
        return body


async def serve(port: int, delay: float, answers: Answers) -> None:
    """HTTP/1.1 with keep-alive on asyncio: the delay is a timer, not a thread, and no request is logged (the
    query holds an address)."""

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                target = head.split(b" ", 2)[1].decode("latin-1")
                address = parse_qs(urlsplit(target).query).get("address", [""])[0]
                await asyncio.sleep(delay)
                body = answers(address)
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
                    + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, IndexError):
            pass  # a client gone (the app's workers stop at the end of a run) is not worth a traceback
        finally:
            writer.close()

    server = await asyncio.start_server(connection, "127.0.0.1", port, backlog=1024)
    print(f"fake geocoder on 127.0.0.1:{port}, {round(delay * 1000)} ms", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--delay-ms", type=int, default=50)
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    args = parser.parse_args()
    template, zips = load(Path(args.data))
    asyncio.run(serve(args.port, args.delay_ms / 1000, Answers(template, zips)))


if __name__ == "__main__":
    main()
