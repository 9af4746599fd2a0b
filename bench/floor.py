"""The floor under a submission: what the machine gives when only the irreducible work is left.

A bare WSGI app (no Flask, no validation, no templates, no ORM) that does for each `POST` what a letter
submission cannot avoid: read and parse the JSON body, count the two rate-limit keys in Redis (the same Lua
script, one round trip), write an action, three letters of about 1,500 characters and their deliveries in the
app's own one-statement insert (one round trip, its own transaction), and answer with the letters as JSON.
`bench/run.py --only floor` serves it with granian like the app and drives it with the submission script, so
the app's figure can be read against what PostgreSQL, Redis, the HTTP server and wrk cost on their own.

Not part of the product; the rows it writes go to the benchmark database only.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from datetime import UTC, datetime

import psycopg
from redis import Redis

from advocacy.letters.store import POSTGRES_STATEMENT
from advocacy.ratelimit import COUNT_WINDOWS

DATABASE = os.environ["ADVOCACY_DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
redis = Redis.from_url(os.environ["ADVOCACY_REDIS_URL"], socket_timeout=2, socket_connect_timeout=2)
count_windows = redis.register_script(COUNT_WINDOWS)
local = threading.local()
PARAGRAPH = (
    "I am writing as your constituent about Guan Heng, who is held in immigration detention in New York after "
    "documenting detention camps in Xinjiang. Returning him to China would put him in grave danger. "
) * 6
OFFICES = (("senate", "Senator"), ("senate", "Senator"), ("house", "Representative"))


def connection() -> psycopg.Connection:
    conn = getattr(local, "conn", None)
    if conn is None or conn.closed:
        conn = local.conn = psycopg.connect(DATABASE, autocommit=True, connect_timeout=5)
    return conn


def campaign_id() -> int:
    if not hasattr(local, "campaign"):
        local.campaign = connection().execute("SELECT min(id) FROM campaigns").fetchone()[0]
    return local.campaign


def app(environ, start_response):
    if environ["REQUEST_METHOD"] != "POST":
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]
    size = int(environ.get("CONTENT_LENGTH") or 0)
    data = json.loads(environ["wsgi.input"].read(size))
    now = time.time()
    keys = [f"floor:ip:{environ.get('REMOTE_ADDR')}:{int(now // 60)}", f"floor:email:{data['email']}:{int(now // 60)}"]
    count_windows(keys=keys, args=[61, 61])
    created = datetime.now(UTC).isoformat()
    action_id, email_key, campaign = str(uuid.uuid4()), uuid.uuid4().hex, campaign_id()
    action = {
        "id": action_id,
        "campaign_id": campaign,
        "email_key": email_key,
        "writer_key": email_key,
        "prefix": "",
        **{name: data.get(name, "") for name in ("first_name", "last_name", "email", "address", "city", "state")},
        "zip": data["zip"],
        "phone": "",
        "message": data.get("message", ""),
        "consent": True,
        "district_state": data["state"],
        "district": 1,
        "congress": 119,
        "lookup_source": "zip",
        "language": "en",  # NOT NULL, as the app stores it
        "created_at": created,
    }
    letters, deliveries = [], []
    for position, (chamber, title) in enumerate(OFFICES):
        letter_id = str(uuid.uuid4())
        letters.append(
            {
                "id": letter_id,
                "action_id": action_id,
                "campaign_id": campaign,
                "email_key": email_key,
                "writer_key": email_key,  # the unique (campaign, writer, office) index, as the app's letters
                "office_key": f"floor-{position}",
                "office_name": f"Office {position}",
                "office_title": title,
                "chamber": chamber,
                "state": data["state"],
                "party": "",
                "congress": 119,
                "template_variant": "default",
                "subject": "Free Guan Heng",
                "body": f"Dear {title},\n\n{PARAGRAPH}\n\nSincerely,\n{data['first_name']} {data['last_name']}",
                "position": position,
                "statement_text": "",
                "personal_message": data.get("message", ""),
                "purpose": "campaign",  # NOT NULL; its server default does not apply to a JSON-populated row
                "created_at": created,
            }
        )
        deliveries.append(
            {
                "id": str(uuid.uuid4()),
                "kind": "letter",  # the outbox's kind column has no server default
                "letter_id": letter_id,
                "channel": "contact_form",
                "status": "handoff",
                "attempts": 0,
                "next_attempt_at": created,
                "created_at": created,
                "updated_at": created,
            }
        )
    parameters = {"action": json.dumps(action), "letters": json.dumps(letters), "deliveries": json.dumps(deliveries)}
    connection().execute(POSTGRES_STATEMENT, parameters, prepare=True)
    answer = [{"id": row["id"], "subject": row["subject"], "body": row["body"]} for row in letters]
    body = json.dumps({"letters": answer}).encode()
    start_response("201 Created", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
