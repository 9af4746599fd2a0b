"""Writing a submission's rows: the action, its letters and their deliveries, all or nothing.

On PostgreSQL the three inserts are one statement (data-modifying CTEs; each table's rows passed as JSON and
read back as rows of the table's own type), run on its own in autocommit: one round trip that is its own
transaction, where the ORM session would need BEGIN, three inserts and COMMIT. The statement's text never
changes, whatever the number of letters, so psycopg prepares it once per connection. Every value is checked
by the column's own type (a too-long value is refused, not cut); a column a row lacks gets the model's
Python-side default, else NULL, as with the ORM.
Foreign keys and the unique constraints are checked at the end of the statement as usual; a violation
writes nothing and raises IntegrityError.

Elsewhere (SQLite) the rows go in as three Core inserts inside the session's transaction, committed here.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache

from sqlalchemy import Table

from advocacy.delivery.models import Delivery
from advocacy.extensions import db
from advocacy.letters.models import Action, Letter

TABLES: tuple[Table, Table, Table] = (Action.__table__, Letter.__table__, Delivery.__table__)
# Each table's rows arrive as one JSON parameter and become rows of the table's own type, so the statement
# has three parameters (psycopg caches the parsing and preparing of statements with at most 50).
# The statement also wakes the delivery workers (LISTEN/NOTIFY on wakeup.CHANNEL, advocacy/delivery/wakeup.py) when it writes a
# delivery to send: the notice is part of the statement's transaction, so it goes out only if it commits.
POSTGRES_STATEMENT = (
    "WITH new_action AS (INSERT INTO actions SELECT * FROM json_populate_record(NULL::actions, %(action)s)), "
    "new_letters AS (INSERT INTO letters SELECT * FROM json_populate_recordset(NULL::letters, %(letters)s)), "
    "new_deliveries AS (INSERT INTO deliveries SELECT * FROM json_populate_recordset(NULL::deliveries, "
    "%(deliveries)s) RETURNING status) "
    "SELECT pg_notify('advocacy_outbox', '') FROM (SELECT 1 FROM new_deliveries WHERE status = 'pending' LIMIT 1) AS d"
)


def _json_value(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} as JSON")


def _json(rows: object) -> str:
    return json.dumps(rows, default=_json_value, ensure_ascii=False, separators=(",", ":"))


@cache
def _defaulted(table: Table) -> tuple:
    return tuple(c for c in table.columns if c.default is not None)


def _with_defaults(table: Table, row: dict) -> dict:
    """The row with the model's Python-side defaults for columns it lacks, as the ORM's insert would fill
    them (the JSON route would store NULL)."""
    missing = [c for c in _defaulted(table) if c.name not in row]
    if not missing:
        return row
    row = dict(row)
    for column in missing:
        default = column.default
        row[column.name] = default.arg(None) if default.is_callable else default.arg
    return row


def insert_submission(action: dict, letters: list[dict], deliveries: list[dict]) -> None:
    """Write and commit the rows (column name → value). Raises IntegrityError, having written nothing, when
    a unique constraint (one letter per office per person, one action per idempotency key) says no."""
    actions_table, letters_table, deliveries_table = TABLES
    if db.engine.dialect.name == "postgresql":
        parameters = {
            "action": _json(_with_defaults(actions_table, action)),
            "letters": _json([_with_defaults(letters_table, row) for row in letters]),
            "deliveries": _json([_with_defaults(deliveries_table, row) for row in deliveries]),
        }
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(POSTGRES_STATEMENT, parameters)
        return
    db.session.execute(actions_table.insert(), [action])
    db.session.execute(letters_table.insert(), letters)
    db.session.execute(deliveries_table.insert(), deliveries)
    db.session.commit()
