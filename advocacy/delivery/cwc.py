"""CWC 2.0 messages: MemberOffice codes and the XML document, checked before anything is sent."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # noqa: S405 - we only build XML here, never parse untrusted input
from dataclasses import dataclass
from datetime import date

from advocacy import places

CWC_VERSION = "2.0"

# The Library of Congress policy areas: the only values CWC accepts in <LibraryOfCongressTopic>.
LOC_TOPICS = (
    "Agriculture and Food",
    "Animals",
    "Armed Forces and National Security",
    "Arts, Culture, Religion",
    "Civil Rights and Liberties, Minority Issues",
    "Commerce",
    "Congress",
    "Crime and Law Enforcement",
    "Economics and Public Finance",
    "Education",
    "Emergency Management",
    "Energy",
    "Environmental Protection",
    "Families",
    "Finance and Financial Sector",
    "Foreign Trade and International Finance",
    "Government Operations and Politics",
    "Health",
    "Housing and Community Development",
    "Immigration",
    "International Affairs",
    "Labor and Employment",
    "Law",
    "Native Americans",
    "Public Lands and Natural Resources",
    "Science, Technology, Communications",
    "Social Sciences and History",
    "Social Welfare",
    "Sports and Recreation",
    "Taxation",
    "Transportation and Public Works",
    "Water Resources Development",
)
_TOPICS = frozenset(LOC_TOPICS)

# CWC takes the military mail codes (Armed Forces Americas, Europe, Pacific) as states too.
STATES = places.STATES | {"AA", "AE", "AP"}

HOUSE_CODE = re.compile(r"^H[A-Z]{2}\d{2}$")
SENATE_CODE = re.compile(r"^S[A-Z]{2}\d{2}$")
DELIVERY_ID = re.compile(r"^[A-Za-z0-9]{32}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")
# XML 1.0 cannot carry most control characters at all; they are dropped, never escaped.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# A lone surrogate is no character at all: ElementTree would write `&#55296;`, which no XML parser accepts.
# It becomes U+FFFD (the replacement character), as a UTF-8 decoder would make of it.
_SURROGATE = re.compile(r"[\ud800-\udfff]")

# The Prefix values CWC accepts (EFF's CWC builder, EFForg/congress_forms lib/cwc/fixtures.rb). There is no
# gender-neutral one: `Mx.` and no prefix at all become CWC_DEFAULT_PREFIX (see cwc_prefix).
CWC_PREFIXES = (
    "Mr.",
    "Mrs.",
    "Ms.",
    "Mr. and Mrs.",
    "Miss",
    "Dr.",
    "Dr. and Mrs.",
    "Dr. and Mr.",
    "Admiral",
    "Captain",
    "Chief Master Sergeant",
    "Colonel",
    "Commander",
    "Corporal",
    "Father",
    "Lieutenant",
    "Lieutenant Colonel",
    "Master Sergeant",
    "Reverend",
    "Sergeant",
    "Second Lieutenant",
    "Sergeant Major",
    "Sister",
    "Technical Sergeant",
)
# The form's choices that CWC spells otherwise.
_PREFIX_SPELLINGS = {"Rev.": "Reverend"}
DEFAULT_PREFIX = "Ms."

# Our limits: conservative, so that a message we accept is one CWC accepts.
LIMITS = {
    "Prefix": 20,
    "FirstName": 100,
    "LastName": 100,
    "Address1": 200,
    "Address2": 200,
    "City": 100,
    "Email": 254,
    "Phone": 20,
    "Subject": 300,
    "CampaignId": 100,
    "DeliveryAgent": 200,
    "Organization": 200,
    "OrganizationAbout": 2000,
    "OrganizationStatement": 20000,
    "ConstituentMessage": 10000,
}


class CwcBuildError(ValueError):
    """The message cannot become valid CWC XML; `problems` says every reason (no personal data)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


# --- MemberOffice codes ----------------------------------------------------------------------


def house_office_code(state: str, district: int | None) -> str | None:
    """`HNY12`; at-large seats and delegates (district 0) are `HAK00`, `HDC00`."""
    if not state or district is None or not 0 <= district <= 99:
        return None
    return f"H{state.upper()}{district:02d}"


def senate_office_codes(state: str, senate_class: int | None) -> list[str]:
    """Candidate codes for a senator, preferred first.

    Senate offices are `S` + state + two digits that follow the seat's class. Vendors disagree
    on the digits: EFF's Phantom of the Capitol (which delivered to the Senate's SCWC for years)
    sends class - 1 (`SNY00`, `SNY01`, `SNY02`), others send the class itself (`SNY01`-`SNY03`).
    We prefer the first and let the CWC /offices list decide when we have it.
    """
    if not state or senate_class not in (1, 2, 3):
        return []
    st = state.upper()
    return [f"S{st}{senate_class - 1:02d}", f"S{st}{senate_class:02d}"]


def pick_office_code(candidates: list[str], known: frozenset[str] | None) -> str | None:
    """The first candidate on the CWC offices list, or the first candidate when there is no list."""
    if not candidates:
        return None
    if known is None:
        return candidates[0]
    for code in candidates:
        if code in known:
            return code
    return None


# --- The message ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Agent:
    """Us, as CWC knows us: the delivery agent, and the organization behind the campaign."""

    name: str
    ack_email: str
    contact_name: str
    contact_email: str
    contact_phone: str
    organization: str = ""
    organization_about: str = ""


@dataclass(frozen=True)
class Constituent:
    prefix: str
    first_name: str
    last_name: str
    address1: str
    city: str
    state: str
    zip: str
    email: str
    address2: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Message:
    delivery_id: str
    delivery_date: date
    campaign_id: str
    member_office: str
    constituent: Constituent
    subject: str
    topics: tuple[str, ...]
    organization_statement: str = ""
    constituent_message: str = ""
    response_requested: bool = False
    newsletter_opt_in: bool = False


def clean(value: str | None) -> str:
    return _SURROGATE.sub("\ufffd", _XML_ILLEGAL.sub("", value or "")).strip()


def cwc_prefix(form_prefix: str | None, default: str) -> str:
    """The CWC Prefix for the one the constituent chose on our form: the same, or CWC's spelling of it
    (`Rev.` -> `Reverend`); `default` for `Mx.`, none, or anything CWC does not list."""
    prefix = _PREFIX_SPELLINGS.get(form_prefix or "", form_prefix or "")
    return prefix if prefix in CWC_PREFIXES else default


def format_phone(raw: str) -> str:
    """`202-555-0142` from any 10-digit US number (an 11-digit one starting with 1 too), else ""."""
    digits = re.sub(r"\D", "", raw or "")
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10:
        return ""
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"


def check(message: Message, agent: Agent) -> list[str]:
    """Every reason this message would be refused; empty when it is fine. Names fields, never values."""
    problems: list[str] = []

    def need(name: str, value: str) -> None:
        if not clean(value):
            problems.append(f"{name} is required")
        elif name in LIMITS and len(clean(value)) > LIMITS[name]:
            problems.append(f"{name} is longer than {LIMITS[name]} characters")

    if not DELIVERY_ID.match(message.delivery_id or ""):
        problems.append("DeliveryId must be 32 letters and digits")
    need("CampaignId", message.campaign_id)
    need("DeliveryAgent", agent.name)
    for name, value in (
        ("DeliveryAgentAckEmailAddress", agent.ack_email),
        ("DeliveryAgentContactEmail", agent.contact_email),
    ):
        if not EMAIL.match(value or ""):
            problems.append(f"{name} must be an email address")
    need("DeliveryAgentContactName", agent.contact_name)
    if not format_phone(agent.contact_phone):
        problems.append("DeliveryAgentContactPhone must be a 10-digit phone number")
    if not (HOUSE_CODE.match(message.member_office or "") or SENATE_CODE.match(message.member_office or "")):
        problems.append("MemberOffice must look like HNY12 or SNY01")
    elif message.member_office[1:3] not in STATES:
        problems.append("MemberOffice names an unknown state")

    c = message.constituent
    need("Prefix", c.prefix)
    if clean(c.prefix) and clean(c.prefix) not in CWC_PREFIXES:
        problems.append("Prefix must be one of CWC's prefixes")
    need("FirstName", c.first_name)
    need("LastName", c.last_name)
    need("Address1", c.address1)
    if c.address2 and len(clean(c.address2)) > LIMITS["Address2"]:
        problems.append(f"Address2 is longer than {LIMITS['Address2']} characters")
    need("City", c.city)
    if (c.state or "").upper() not in STATES:
        problems.append("StateAbbreviation must be a US state or territory code")
    if " " in clean(c.zip) or places.normalize_zip(clean(c.zip)) is None:  # 12345, 12345-6789, 123456789
        problems.append("Zip must be 5 digits or ZIP+4")
    need("Email", c.email)
    if clean(c.email) and not EMAIL.match(clean(c.email)):
        problems.append("Email must be an email address")

    need("Subject", message.subject)
    if not message.topics:
        problems.append("LibraryOfCongressTopic: at least one is required")
    for topic in message.topics:
        if topic not in _TOPICS:
            problems.append("LibraryOfCongressTopic must be a Library of Congress policy area")
            break
    statement, own_words = clean(message.organization_statement), clean(message.constituent_message)
    if not statement and not own_words:
        problems.append("OrganizationStatement or ConstituentMessage is required")
    for name, text in (("OrganizationStatement", statement), ("ConstituentMessage", own_words)):
        if len(text) > LIMITS[name]:
            problems.append(f"{name} is longer than {LIMITS[name]} characters")
    return problems


def build_xml(message: Message, agent: Agent) -> bytes:
    """The CWC 2.0 document as UTF-8 bytes; raises CwcBuildError instead of producing a bad one.

    Elements follow the schema's order; optional ones are left out rather than sent empty.
    """
    problems = check(message, agent)
    if problems:
        raise CwcBuildError(problems)

    root = ET.Element("CWC")
    _text(root, "CWCVersion", CWC_VERSION)

    delivery = ET.SubElement(root, "Delivery")
    _text(delivery, "DeliveryId", message.delivery_id)
    _text(delivery, "DeliveryDate", message.delivery_date.strftime("%Y%m%d"))
    _text(delivery, "DeliveryAgent", agent.name)
    _text(delivery, "DeliveryAgentAckEmailAddress", agent.ack_email)
    contact = ET.SubElement(delivery, "DeliveryAgentContact")
    _text(contact, "DeliveryAgentContactName", agent.contact_name)
    _text(contact, "DeliveryAgentContactEmail", agent.contact_email)
    _text(contact, "DeliveryAgentContactPhone", format_phone(agent.contact_phone))
    if clean(agent.organization):
        _text(delivery, "Organization", agent.organization[: LIMITS["Organization"]])
        org_contact = ET.SubElement(delivery, "OrganizationContact")
        _text(org_contact, "OrganizationContactName", agent.contact_name)
        _text(org_contact, "OrganizationContactEmail", agent.contact_email)
        _text(org_contact, "OrganizationContactPhone", format_phone(agent.contact_phone))
    if clean(agent.organization_about):
        _text(delivery, "OrganizationAbout", agent.organization_about[: LIMITS["OrganizationAbout"]])
    _text(delivery, "CampaignId", message.campaign_id)

    recipient = ET.SubElement(root, "Recipient")
    _text(recipient, "MemberOffice", message.member_office)
    _text(recipient, "IsResponseRequested", "Y" if message.response_requested else "N")
    _text(recipient, "NewsletterOptIn", "Y" if message.newsletter_opt_in else "N")

    c = message.constituent
    constituent = ET.SubElement(root, "Constituent")
    _text(constituent, "Prefix", c.prefix)
    _text(constituent, "FirstName", c.first_name)
    _text(constituent, "LastName", c.last_name)
    _text(constituent, "Address1", c.address1)
    if clean(c.address2):
        _text(constituent, "Address2", c.address2)
    _text(constituent, "City", c.city)
    _text(constituent, "StateAbbreviation", c.state.upper())
    _text(constituent, "Zip", c.zip)
    phone = format_phone(c.phone)
    if phone:
        _text(constituent, "Phone", phone)
    _text(constituent, "Email", c.email)

    body = ET.SubElement(root, "Message")
    _text(body, "Subject", message.subject)
    topics = ET.SubElement(body, "LibraryOfCongressTopics")
    for topic in message.topics:
        _text(topics, "LibraryOfCongressTopic", topic)
    if clean(message.organization_statement):
        _text(body, "OrganizationStatement", message.organization_statement)
    if clean(message.constituent_message):
        _text(body, "ConstituentMessage", message.constituent_message)

    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _text(parent: ET.Element, tag: str, value: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = clean(value)
    return element
