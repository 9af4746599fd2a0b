"""Private case facts and case files: sealed with the case keys, read only by organizers, every read audited.

Nothing here logs a value; errors name the field, never what was typed."""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from advocacy.casework import crypto
from advocacy.casework.models import CaseFacts, CaseFile, FileKind, OfficeAction
from advocacy.db import utcnow
from advocacy.extensions import db
from advocacy.reports import audit

A_NUMBER_RE = re.compile(r"^A?-?([0-9]{3})-?([0-9]{3})-?([0-9]{2,3})$")
RELEASE_STATUSES = {
    "none": "Not started",
    "requested": "Form sent to him for signature",
    "signed": "Signed; held by the organizers",
    "sent": "Signed and sent to an office",
}
# Files we accept, by their first bytes (the browser's content type is not trusted).
FILE_TYPES = {b"%PDF-": "application/pdf", b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


class CaseworkError(ValueError):
    """Bad input; `field` names the field, the message never repeats the value."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class PrivateFacts:
    a_number: str = ""
    birth_date: str = ""  # ISO date
    lawyer_name: str = ""
    lawyer_contact: str = ""
    release_status: str = "none"
    release_file_id: int | None = None

    @property
    def release_label(self) -> str:
        return RELEASE_STATUSES.get(self.release_status, self.release_status)

    def __repr__(self) -> str:  # never print the facts by accident (logs, tracebacks)
        return "<PrivateFacts (sealed)>"


def clean_facts(facts: PrivateFacts) -> PrivateFacts:
    a_number = (facts.a_number or "").strip().upper().replace(" ", "")
    if a_number:
        match = A_NUMBER_RE.match(a_number)
        if not match:
            raise CaseworkError("a_number", "An A-number has 8 or 9 digits, e.g. A-123-456-789.")
        a_number = "A" + "".join(match.groups())
    birth = (facts.birth_date or "").strip()
    if birth:
        try:
            born = dt.date.fromisoformat(birth)
        except ValueError:
            raise CaseworkError("birth_date", "Give the birth date as YYYY-MM-DD.") from None
        if not dt.date(1900, 1, 1) <= born <= dt.date.today():
            raise CaseworkError("birth_date", "The birth date must be in the past.")
    if facts.release_status not in RELEASE_STATUSES:
        raise CaseworkError("release_status", "Choose a release status from the list.")
    for name, limit in (("lawyer_name", 200), ("lawyer_contact", 500)):
        if len(getattr(facts, name) or "") > limit:
            raise CaseworkError(name, f"At most {limit} characters.")
    return PrivateFacts(
        a_number=a_number,
        birth_date=birth,
        lawyer_name=(facts.lawyer_name or "").strip(),
        lawyer_contact=(facts.lawyer_contact or "").strip(),
        release_status=facts.release_status,
        release_file_id=facts.release_file_id,
    )


def _unseal(row: CaseFacts | None) -> PrivateFacts:
    if row is None:
        return PrivateFacts()
    return PrivateFacts(**json.loads(crypto.decrypt(row.sealed)))


def read_facts(campaign, *, purpose: str) -> PrivateFacts:
    """The facts for an organizer; the read is audited (`case.view`, with what it was for)."""
    row = db.session.scalar(select(CaseFacts).where(CaseFacts.campaign_id == campaign.id))
    facts = _unseal(row)
    audit.record("case.view", campaign=campaign.slug, filters={"purpose": purpose})
    return facts


def release_status(campaign) -> str:
    """Only the status label (for every casework packet); not audited as a view of the private facts."""
    row = db.session.scalar(select(CaseFacts).where(CaseFacts.campaign_id == campaign.id))
    return _unseal(row).release_label if row is not None else RELEASE_STATUSES["none"]


def save_facts(campaign, facts: PrivateFacts, user_id: int | None) -> None:
    facts = clean_facts(facts)
    sealed = crypto.encrypt(json.dumps(asdict(facts)).encode())
    row = db.session.scalar(select(CaseFacts).where(CaseFacts.campaign_id == campaign.id))
    if row is None:
        db.session.add(CaseFacts(campaign_id=campaign.id, sealed=sealed, updated_by_id=user_id))
    else:
        row.sealed, row.updated_by_id, row.updated_at = sealed, user_id, utcnow()
    audit.record("case.edit", campaign=campaign.slug, commit=False)
    db.session.commit()


# --- Files -----------------------------------------------------------------------------------------


def files_dir() -> Path:
    return Path(current_app.config["CASE_FILES_DIR"])


def sniff_type(data: bytes) -> str | None:
    return next((kind for magic, kind in FILE_TYPES.items() if data.startswith(magic)), None)


def store_file(campaign, kind: str, filename: str, data: bytes, user_id: int | None) -> CaseFile:
    """Check size and type, encrypt, write under a random name, and add the row (the caller commits)."""
    if kind not in set(FileKind):
        raise CaseworkError("file", "Unknown kind of file.")
    if not data:
        raise CaseworkError("file", "The file is empty.")
    limit = current_app.config["CASE_FILE_MAX_BYTES"]
    if len(data) > limit:
        size = f"{limit / 1048576:g} MB" if limit >= 1048576 else f"{limit / 1024:g} KB"
        raise CaseworkError("file", f"The file is larger than the limit of {size}.")
    content_type = sniff_type(data)
    if content_type is None:
        raise CaseworkError("file", "Upload a PDF, PNG or JPEG file.")
    folder = files_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stored_name = secrets.token_hex(16)
    (folder / stored_name).write_bytes(crypto.encrypt(data))
    row = CaseFile(
        campaign_id=campaign.id,
        kind=kind,
        stored_name=stored_name,
        sealed_name=crypto.encrypt(Path(filename or "file").name[:200].encode()),
        content_type=content_type,
        size=len(data),
        uploaded_by_id=user_id,
    )
    db.session.add(row)
    return row


def open_file(campaign, file_id: int) -> tuple[CaseFile, str, bytes] | None:
    """(row, original name, contents) for an organizer; audited."""
    row = db.session.get(CaseFile, file_id)
    if row is None or row.campaign_id != campaign.id:
        return None
    data = crypto.decrypt((files_dir() / row.stored_name).read_bytes())
    audit.record("case.file", campaign=campaign.slug, filters={"file": row.id, "kind": row.kind})
    return row, crypto.decrypt(row.sealed_name).decode(), data


# --- Key rotation ------------------------------------------------------------------------------------


def rotate_keys() -> tuple[int, int]:
    """Re-encrypt every sealed value and file under the first key: (rows, files). Files are replaced
    atomically (write beside, then rename); the database commits once at the end."""
    rows = 0
    for facts in db.session.scalars(select(CaseFacts)):
        facts.sealed = crypto.reencrypt(facts.sealed)
        rows += 1
    files = 0
    folder = files_dir()
    for row in db.session.scalars(select(CaseFile)):
        row.sealed_name = crypto.reencrypt(row.sealed_name)
        path = folder / row.stored_name
        if path.exists():
            fresh = path.with_suffix(".rotating")
            fresh.write_bytes(crypto.reencrypt(path.read_bytes()))
            fresh.replace(path)
            files += 1
        rows += 1
    db.session.commit()
    return rows, files


def office_opened_inquiry(campaign_id: int, bioguide_id: str) -> bool:
    return (
        db.session.scalar(
            select(OfficeAction.id).where(
                OfficeAction.campaign_id == campaign_id,
                OfficeAction.bioguide_id == bioguide_id,
                OfficeAction.kind == "inquiry_opened",
            )
        )
        is not None
    )
