"""Human words for the machine codes we store (statuses, channels, kinds, chambers, roles).

One mapping for pages and exports: templates use the `label` filter (`{{ d.status|label("delivery_status") }}`),
Python code calls `label(code, "delivery_status")`. The JSON API and CSV column names keep the codes. A code
with no entry reads as its words ("relief_granted" -> "Relief granted"), so a new code is never shown raw.

This module imports nothing from the features, so any of them (and reports, exports) may use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from flask_babel import gettext

from advocacy.places import N_, state_label

LABELS: Mapping[str, Mapping[str, str]] = {
    "delivery_status": {
        "pending": "Waiting to send",
        "sending": "Sending",
        "sent": "Delivered",
        "failed": "Failed, will retry",
        "dead": "Failed, needs attention",
        "handoff": "Waiting for the constituent (contact form)",
        "handoff_sent": "Sent by the constituent (contact form)",
        "cancelled": "Cancelled",
        "unknown": "Unknown, check with the office",
    },
    "channel": {
        "cwc": "Communicating with Congress (CWC)",
        "email": "Email",
        "contact_form": "Office contact form",
        "print": "Print and post",
    },
    "delivery_kind": {
        "letter": "Letter to an office",
        "receipt": "Receipt to the constituent",
        "followup": "Follow-up: an office spoke",
        "outcome": "How the campaign ended",
        "weekly_summary": "Weekly summary to staff",
        "stale_notice": "Stale-campaign notice to organizers",
    },
    "statement_kind": {
        "press_release": "Press release",
        "social_post": "Social media post",
        "letter_to_dhs_ice": "Letter to DHS / ICE",
        "floor_remarks": "Floor remarks",
        "cosigned_letter": "Co-signed letter",
        "resolution_cosponsor": "Resolution cosponsor",
        "other": "Other",
    },
    "office_action": {
        "letter_to_dhs_ice": "Letter to DHS / ICE",
        "inquiry_opened": "Congressional inquiry opened",
        "remarks": "Floor or hearing remarks",
        "joint_letter": "Joint letter signed",
        "meeting_held": "Meeting held",
        "declined": "Declined to act",
    },
    "timeline_kind": {
        "custody": "Custody",
        "transfer": "Transfer",
        "hearing": "Hearing",
        "decision": "Decision",
        "release": "Release",
        "other": "Other",
    },
    "custody": {"detained": "Detained", "released": "Released", "removed": "Removed from the country"},
    "timeline_change": {"added": "Added", "edited": "Edited", "retired": "Retired"},
    "priority_kind": {
        "committee": "Committee",
        "office": "Office",
        "state": "State delegation",
        "caucus": "Caucus",
    },
    "letter_purpose": {"campaign": "Campaign letter", "thanks": "Thank-you after the outcome"},
    "stance": {"supports": "Supports", "neutral": "Neutral", "opposes": "Opposes"},
    "office_stance": {"spoken": "Has spoken", "not_spoken": "Has not spoken yet", "any": "Any office"},
    "chamber": {
        "senate": "Senate",
        "house": "House",
        "joint": "Joint",
        "any": "Senate and House",
        "custom": "Custom target",
    },
    "campaign_status": {"draft": "Draft", "live": "Live", "closed": "Closed"},
    "outcome": {
        "released": "Released",
        "relief_granted": "Relief granted",
        "deported": "Deported",
        "denied": "Relief denied",
        "ended": "Campaign ended",
    },
    "job_status": {
        "queued": "Waiting for a worker",
        "running": "Being built",
        "done": "Ready",
        "failed": "Failed",
        "expired": "Expired",
    },
    "candidate_status": {"pending": "Waiting for review", "accepted": "Accepted", "dismissed": "Dismissed"},
    "source_kind": {"feed": "RSS or Atom feed", "page": "Press page"},
    "role": {"staff": "Staff", "organizer": "Organizer", "admin": "Administrator"},
    "party": {"D": "Democrat", "R": "Republican", "I": "Independent", "L": "Libertarian"},
    "managed_by": {"file": "Campaign file", "web": "Web pages"},
}


class LabeledCode(StrEnum):
    """A stored code that reads as words: `.label` is its entry in LABELS[__labels__] (a subclass names it)."""

    __labels__ = ""

    @property
    def label(self) -> str:
        return label(self.value, type(self).__labels__)


def label(code: object, domain: str | None = None) -> str:
    """The words for `code` in `domain` (None: the first domain that knows it); "" for None."""
    if code is None:
        return ""
    text = str(code)
    if domain is not None:
        found = LABELS.get(domain, {}).get(text)
        if found is not None:
            return found
    else:
        for words in LABELS.values():
            if text in words:
                return words[text]
    return text.replace("_", " ").capitalize()


def choices(domain: str) -> list[tuple[str, str]]:
    """(code, label) pairs of a domain, for select boxes and filters."""
    return list(LABELS[domain].items())


# Party names as the roster spells them, marked for the catalogs: public pages show them translated
# (`party_name`); the API, exports and letters keep the roster's English.
PARTY_NAMES = {
    "Democrat": N_("Democrat"),
    "Republican": N_("Republican"),
    "Independent": N_("Independent"),
    "Libertarian": N_("Libertarian"),
    "Unknown": N_("Unknown"),
}


def _in_page_language(names: dict[str, str], value: str | None) -> str:
    """`value` translated when `names` marks it for the catalogs; any other value reads as stored."""
    if not value:
        return ""
    return gettext(names[value]) if value in names else value


def party_name(party: str | None) -> str:
    """A party's name in the language being rendered ("Demócrata"); one we do not know reads as stored."""
    return _in_page_language(PARTY_NAMES, party)


# A member's title as the roster gives it (advocacy.congress.offices), marked for the catalogs: public pages show
# it translated (`office_title`); letters, the API and exports keep the English, which is what offices read.
OFFICE_TITLES = {
    "Senator": N_("Senator"),
    "Representative": N_("Representative"),
    "Delegate": N_("Delegate"),
    "Resident Commissioner": N_("Resident Commissioner"),
}


def office_title(title: str | None) -> str:
    """A member's title in the language being rendered ("Senador(a)"); any other title (a custom target's,
    typed by an organizer) reads as stored."""
    return _in_page_language(OFFICE_TITLES, title)


def init_app(app) -> None:
    app.add_template_filter(label, "label")
    app.add_template_filter(office_title, "office_title")
    app.add_template_filter(party_name, "party_name")
    app.add_template_filter(state_label, "state_name")
