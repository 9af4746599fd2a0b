"""Writing the outbox: one delivery per letter, added in the submission's own transaction."""

from __future__ import annotations

from advocacy.db import utcnow
from advocacy.delivery import channels, cwc
from advocacy.delivery.cwc_client import CwcClient, known_offices
from advocacy.delivery.models import LETTER, Channel, Status, new_id
from advocacy.delivery.options import option, settings


def cwc_office_for(letter) -> str | None:
    """The MemberOffice code for this letter's office, or None when it cannot go through CWC.

    Data-driven: House codes from the letter's state and district, Senate codes from the
    senator's class (see `cwc.senate_office_codes`), an organizer's `CWC_OFFICE_CODES` override
    first. Checked against the CWC offices list when this process already holds it (never
    fetched here: the submission path does no network I/O); the worker checks again.
    """
    candidates = channels.office_code_candidates(letter)
    if not candidates:
        return None
    s = settings()
    known = known_offices(CwcClient(s.cwc_url, s.cwc_api_key), option("DELIVERY_CWC_OFFICES_TTL"), fetch=False)
    return cwc.pick_office_code(candidates, known)


def delivery_values(letter, *, target_email: str | None) -> dict:
    """The column values of the delivery for `letter` (any object with the letter's office fields and id).

    Channel, best first: "cwc" when CWC is configured and the office has a CWC code; "email" when
    `target_email` is given (a custom target, or an office address the organizer configured);
    else "contact_form" with status "handoff" (the constituent finishes on the office's form and
    presses "I sent it", see services.mark_handoff_sent). The email address is kept either way, so a
    CWC delivery to an office CWC turns out not to serve can fall back to it.
    """
    now = utcnow()
    office = cwc_office_for(letter) if settings().cwc_enabled else None
    if office:
        channel, status = Channel.CWC, Status.PENDING
    elif target_email:
        channel, status = Channel.EMAIL, Status.PENDING
    else:
        channel, status = Channel.CONTACT_FORM, Status.HANDOFF
    return {
        "id": new_id(),
        "kind": LETTER,
        "letter_id": letter.id,
        "action_id": None,  # a letter's constituent is its letter's action
        "ref": None,
        "dedupe_key": None,  # letters are unique by (campaign, email key, office) on their own table
        "channel": channel.value,
        "status": status.value,
        "cwc_office": office,
        "recipient_email": target_email or None,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "updated_at": now,
    }
