"""Writing a submission's rows: the action, its letters and their deliveries, all or nothing.

The rows are typed records made from the tables themselves (`row_type`): one field per column, each
defaulting as its column does (the Python-side default, else NULL), so what was written is known without
reading it back and no default is written twice. A column that is NOT NULL with no default must be given.

On PostgreSQL the three inserts are one statement (data-modifying CTEs; each table's rows passed as JSON and
read back as rows of the table's own type), run on its own in autocommit: one round trip that is its own
transaction, where the ORM session would need BEGIN, three inserts and COMMIT. The statement's text never
changes, whatever the number of letters, so psycopg prepares it once per connection. Every value is checked
by the column's own type (a too-long value is refused, not cut).
Foreign keys and the unique constraints are checked at the end of the statement as usual; a violation
writes nothing and raises IntegrityError. When the connection fails under the statement, the server may have
committed it without the answer reaching us: lost_answer.py finds out which, and a stored submission is
answered as one (a stored submission is never answered with an error).

Elsewhere (SQLite) the rows go in as three Core inserts inside the session's transaction, committed here
(an error from SQLite's commit means it did not commit: no answer to lose).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from operator import attrgetter
from typing import Any

from flask import current_app
from sqlalchemy import Table
from sqlalchemy.exc import DBAPIError

from advocacy.delivery.models import Delivery
from advocacy.extensions import db
from advocacy.letters.lost_answer import Outcome, answer_lost, backend_pid, stored_after_lost_answer
from advocacy.letters.models import Action, Letter

# How long a submission whose write lost its answer waits to learn whether it was stored (Flask config
# SUBMISSION_OUTCOME_WAIT_SECONDS); past it the request is answered 503 and a retry finds what was stored.
OUTCOME_WAIT_SECONDS = 5.0

TABLES: tuple[Table, Table, Table] = (Action.__table__, Letter.__table__, Delivery.__table__)


def _python_type(column) -> Any:
    try:
        kind = column.type.python_type
    except NotImplementedError:
        return Any
    return kind | None if column.nullable else kind


def _field(column) -> tuple[str, Any, Any]:
    default = column.default
    if default is not None and default.is_callable:
        arg = default.arg  # SQLAlchemy's wrapper takes the execution context; ours ignore it
        spec = dataclasses.field(default_factory=lambda: arg(None))
    elif default is not None and default.is_scalar:
        spec = dataclasses.field(default=default.arg)
    elif column.nullable:
        spec = dataclasses.field(default=None)
    else:
        spec = dataclasses.field()  # required
    return column.key, _python_type(column), spec


def row_type(table: Table, name: str) -> type:
    """A record type with one field per column of `table`, defaulting as the column does."""
    record = dataclasses.make_dataclass(
        name,
        [_field(column) for column in table.columns],
        slots=True,  # not frozen: a frozen dataclass is built three times slower, on the submission path
        kw_only=True,
    )
    record.__module__ = __name__
    record.__doc__ = f"A row of `{table.name}`, as insert_submission writes it."
    return record


ActionRow = row_type(TABLES[0], "ActionRow")
LetterRow = row_type(TABLES[1], "LetterRow")
DeliveryRow = row_type(TABLES[2], "DeliveryRow")


def _reader(table: Table) -> tuple[tuple[str, ...], attrgetter]:
    names = tuple(column.key for column in table.columns)
    return names, attrgetter(*names)


# Each record type's column names and a reader of its values in that order (one C call per row).
_COLUMNS = {record: _reader(table) for record, table in zip((ActionRow, LetterRow, DeliveryRow), TABLES, strict=True)}


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


def as_dict(row) -> dict[str, Any]:
    """The row as column name → value."""
    names, values = _COLUMNS[type(row)]
    return dict(zip(names, values(row), strict=True))


def _values(record: type, row) -> dict[str, Any]:
    """A row of `record`'s table as column name → value; a mapping is made a `record` first, so a column it
    lacks gets the column's default and a name that is not a column is refused."""
    return as_dict(record(**row) if isinstance(row, Mapping) else row)


def _json_value(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} as JSON")


def _json(rows: object) -> str:
    return json.dumps(rows, default=_json_value, ensure_ascii=False, separators=(",", ":"))


def _borrow():
    """A connection from the pool, with the pool's checks (advocacy.dbsetup); a failure to connect is SQLAlchemy's
    error, as from `engine.connect()` (nothing was sent)."""
    engine = db.engine
    try:
        return engine.raw_connection()
    except engine.dialect.loaded_dbapi.Error as exc:
        raise _translated(exc, None, None) from exc


def _translated(exc: Exception, statement: str | None, parameters: dict | None, invalidated: bool = False):
    engine = db.engine
    return DBAPIError.instance(
        statement,
        parameters,
        exc,
        engine.dialect.loaded_dbapi.Error,
        hide_parameters=engine.hide_parameters,
        connection_invalidated=invalidated,
        dialect=engine.dialect,
        ismulti=False if statement is not None else None,
    )


def _execute_alone(borrowed, statement: str, parameters: dict[str, str]) -> None:
    """Run `statement` in autocommit (its own transaction) on `borrowed`, through the driver, and give the
    connection back to the pool.

    SQLAlchemy's Connection around one statement (execution options, switching the isolation level and back,
    setting up a result) took more of a submission's CPU than the driver's own work. Errors are SQLAlchemy's as
    from a Connection (IntegrityError, DataError, OperationalError..., with `connection_invalidated`, the
    parameters hidden as the engine hides them); a connection found dead is invalidated, not lent again, and one
    that lives goes back out of autocommit, as the pool lends it."""
    driver_error = db.engine.dialect.loaded_dbapi.Error
    try:
        driver = borrowed.driver_connection
        try:
            driver.autocommit = True
            with driver.cursor() as cursor:
                cursor.execute(statement, parameters)
        except driver_error as exc:
            invalidated = db.engine.dialect.is_disconnect(exc, borrowed, None)
            if invalidated:
                borrowed.invalidate(exc)
            raise _translated(exc, statement, parameters, invalidated) from exc
        finally:
            if borrowed.is_valid:
                try:
                    driver.autocommit = False  # the next borrower's transactions are its own
                except driver_error as exc:
                    borrowed.invalidate(exc)
    finally:
        borrowed.close()


def insert_submission(action, letters: Sequence, deliveries: Sequence) -> None:
    """Write and commit an ActionRow, its LetterRows and their DeliveryRows (or mappings of their columns). Raises IntegrityError, having
    written nothing, when a unique constraint (one letter per office per person, one action per idempotency
    key) says no. Raises the database's error when the write failed or its outcome could not be learnt within
    SUBMISSION_OUTCOME_WAIT_SECONDS; returns when it is stored, even if its own answer was lost."""
    action_values = _values(ActionRow, action)
    letter_values = [_values(LetterRow, row) for row in letters]
    delivery_values = [_values(DeliveryRow, row) for row in deliveries]
    actions_table, letters_table, deliveries_table = TABLES
    if db.engine.dialect.name == "postgresql":
        parameters = {
            "action": _json(action_values),
            "letters": _json(letter_values),
            "deliveries": _json(delivery_values),
        }
        borrowed = _borrow()  # a failure to connect is raised as it is: nothing was sent
        pid = backend_pid(borrowed.driver_connection)  # known since connect: no round trip
        try:
            _execute_alone(borrowed, POSTGRES_STATEMENT, parameters)
            return
        except DBAPIError as exc:
            if not answer_lost(exc):
                raise
            lost = exc  # asked about now that the broken connection is back in the pool (invalidated)
        if _outcome(action_values["id"], pid) is not Outcome.STORED:
            raise lost
        return
    db.session.execute(actions_table.insert(), [action_values])
    db.session.execute(letters_table.insert(), letter_values)
    db.session.execute(deliveries_table.insert(), delivery_values)
    db.session.commit()


def _outcome(action_id: str, pid: int | None) -> Outcome:
    wait = current_app.config.get("SUBMISSION_OUTCOME_WAIT_SECONDS", OUTCOME_WAIT_SECONDS)
    return stored_after_lost_answer(db.engine, action_id, pid, wait)
