"""Export benchmark: 1,000,000 letters in PostgreSQL, exported through `flask reports export` to CSV and XLSX.

    .venv/bin/python bench/export.py [--letters 1000000] [--formats csv,xlsx] [--skip-generate]

Uses the database bench/run.py builds (run that first, or without --skip-generate this script builds it).
Each export runs in a fresh process; its wall time and peak RSS (from wait4) are reported and written to
bench/results/export-*.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402 - the sibling benchmark module

GENERATE = """
WITH c AS (SELECT id FROM campaigns WHERE slug = 'guan-heng')
INSERT INTO actions (id, campaign_id, email_key, prefix, first_name, last_name, email, phone, address, city, state,
                     zip, message, consent, district_state, district, congress, lookup_source, created_at)
SELECT md5('a' || g)::uuid::text, c.id, md5('e' || g) || md5('f' || g), '', 'First' || g, 'Last' || g,
       'writer' || g || '@example.org', '', g || ' Main St', 'Springfield', 'NY', '12207',
       CASE WHEN g % 10 = 0 THEN '=HYPERLINK("x")' ELSE 'Please help.' END, g % 2 = 0, 'NY', 20, 119,
       'zip-crosswalk', now() - (g % 90) * interval '1 day'
FROM generate_series(1, :actions) g, c;
"""
GENERATE_LETTERS = """
WITH m AS (SELECT bioguide_id, row_number() OVER (ORDER BY bioguide_id) - 1 AS n, state, district, party,
                  CASE WHEN district IS NULL THEN 'senate' ELSE 'house' END AS chamber,
                  coalesce(official_full, first_name || ' ' || last_name) AS full_name
           FROM members WHERE in_office),
mc AS (SELECT count(*) AS total FROM m)
INSERT INTO letters (id, action_id, campaign_id, email_key, office_key, bioguide_id, office_name, office_title,
                     chamber, state, district, party, congress, template_variant, subject, body, statement_text,
                     personal_message, position, created_at)
SELECT md5('l' || a.id || k)::uuid::text, a.id, a.campaign_id, a.email_key, m.bioguide_id, m.bioguide_id,
       m.full_name, CASE WHEN m.chamber = 'senate' THEN 'Senator' ELSE 'Representative' END, m.chamber, m.state,
       m.district, m.party, 119, 'urge', 'Please speak up for Guan Heng',
       repeat('I am writing as your constituent. ', 30), repeat('I am writing as your constituent. ', 30),
       a.message, k, a.created_at
FROM (SELECT id, campaign_id, email_key, message, created_at, row_number() OVER () AS r FROM actions) a
CROSS JOIN generate_series(0, 2) k
CROSS JOIN mc
JOIN m ON m.n = (a.r * 3 + k) % mc.total;
"""
GENERATE_DELIVERIES = """
INSERT INTO deliveries (id, kind, letter_id, channel, status, attempts, created_at, updated_at, sent_at)
SELECT md5('d' || id)::uuid::text, 'letter', id, 'contact_form',
       CASE WHEN right(id, 1) < '8' THEN 'handoff_sent' ELSE 'handoff' END, 0, created_at, created_at,
       CASE WHEN right(id, 1) < '8' THEN created_at END
FROM letters;
"""


def generate(letters: int) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(bench.database_url())
    started = time.monotonic()
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE deliveries, letters, actions CASCADE"))
        conn.execute(text(GENERATE), {"actions": letters // 3})
        conn.execute(text(GENERATE_LETTERS))
        conn.execute(text(GENERATE_DELIVERIES))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE actions, letters, deliveries"))
        count = conn.execute(text("SELECT count(*) FROM letters")).scalar()
    engine.dispose()
    bench.log(f"generated {count:,} letters in {time.monotonic() - started:.1f} s")


def export(env: dict, fmt: str) -> dict:
    out = bench.RESULTS / f"export.{fmt}"
    out.unlink(missing_ok=True)
    cmd = [
        str(bench.VENV_BIN / "flask"),
        "--app",
        "wsgi",
        "reports",
        "export",
        "guan-heng",
        "--kind",
        "contacts",
        "--format",
        fmt,
        "--out",
        str(out),
    ]
    started = time.monotonic()
    # The export's progress goes to a file, not a pipe: a pipe read only at the end blocks a chatty child.
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(cmd, cwd=bench.ROOT, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.monotonic() - started
        errors.seek(0)
        stderr = errors.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"bench: export failed: {stderr[-500:]}")
    counts = re.findall(r"contacts: ([\d,]+) rows", stderr)  # the CLI's progress lines; the last is the total
    rows = int(counts[-1].replace(",", "")) if counts else None
    if fmt == "csv":
        with out.open("rb") as f:
            rows = sum(1 for _ in f) - 1
    return {
        "format": fmt,
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "bytes": out.stat().st_size,
        "rows": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--letters", type=int, default=1_000_000)
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--skip-generate", action="store_true")
    parser.add_argument("--skip-setup", action="store_true", help="reuse bench/run.py's database as it is")
    args = parser.parse_args()
    bench.RESULTS.mkdir(exist_ok=True)
    env = bench.app_env(0)
    if not args.skip_setup and not args.skip_generate:
        bench.setup_database(env)
    if not args.skip_generate:
        generate(args.letters)
    results = [export(env, fmt) for fmt in args.formats.split(",") if fmt]
    print(f"\n{'format':<7} {'rows':>10} {'seconds':>8} {'peak RSS MB':>12} {'MB out':>8}")
    for r in results:
        rows = f"{r['rows']:,}" if r["rows"] is not None else "-"
        print(f"{r['format']:<7} {rows:>10} {r['seconds']:>8.2f} {r['peak_rss_mb']:>12.1f} {r['bytes'] / 1e6:>8.1f}")
    out = bench.RESULTS / f"export-{datetime.now(UTC).strftime('%Y%m%d%H%M%S')}.json"
    out.write_text(json.dumps({"letters": args.letters, "results": results}, indent=2) + "\n")
    print(f"\nwritten to {out.relative_to(bench.ROOT)}")


if __name__ == "__main__":
    main()
