"""CWC 2.0: office codes, the XML builder's checks, and the client against a fake CWC server."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from datetime import date

import pytest

from advocacy.delivery import cwc
from advocacy.delivery.cwc_client import CwcClient, Outcome, error_reason, known_offices
from advocacy.send_errors import PermanentError, TransientError
from tests.fakes.cwc import API_KEY, FakeCwc, check_cwc

AGENT = cwc.Agent(
    name="Advocacy Toolkit",
    ack_email="ack@advocacy.example.org",
    contact_name="Dana Organizer",
    contact_email="dana@advocacy.example.org",
    contact_phone="(202) 555-0142",
    organization="Friends of Guan Heng",
)


def message(**changes) -> cwc.Message:
    fields = dict(
        delivery_id="0f3c9a1e2b4d4c6e8a0b1c2d3e4f5a6b",
        delivery_date=date(2025, 3, 3),
        campaign_id="guan-heng",
        member_office="HNY12",
        constituent=cwc.Constituent(
            prefix="Ms.",
            first_name="Ana",
            last_name="López",
            address1="500 W 120th St",
            city="New York",
            state="NY",
            zip="10027",
            email="ana@example.org",
            phone="212 555 0143",
        ),
        subject="Please speak up for Guan Heng",
        topics=("Immigration",),
        organization_statement="Dear Representative,\n\nPlease act <now> & speak up.",
        constituent_message="I live in your district.",
    )
    fields.update(changes)
    return cwc.Message(**fields)


# --- office codes ---------------------------------------------------------------------------------


def test_house_codes_pad_the_district_and_use_00_at_large():
    assert cwc.house_office_code("NY", 12) == "HNY12"
    assert cwc.house_office_code("ny", 3) == "HNY03"
    assert cwc.house_office_code("AK", 0) == "HAK00"
    assert cwc.house_office_code("DC", 0) == "HDC00"
    assert cwc.house_office_code("NY", None) is None


def test_senate_codes_follow_the_class_and_the_offices_list_decides():
    assert cwc.senate_office_codes("NY", 1) == ["SNY00", "SNY01"]
    assert cwc.senate_office_codes("NY", 3) == ["SNY02", "SNY03"]
    assert cwc.senate_office_codes("NY", None) == []
    assert cwc.pick_office_code(["SNY02", "SNY03"], None) == "SNY02"
    assert cwc.pick_office_code(["SNY02", "SNY03"], frozenset({"SNY01", "SNY03"})) == "SNY03"
    assert cwc.pick_office_code(["HNY12"], frozenset({"HNY11"})) is None


# --- the builder ----------------------------------------------------------------------------------


def test_builds_a_cwc_2_document_the_fake_server_accepts():
    xml = cwc.build_xml(message(), AGENT)
    problems, fields = check_cwc(xml, offices=None)
    assert problems == []
    root = ET.fromstring(xml)
    assert [child.tag for child in root] == ["CWCVersion", "Delivery", "Recipient", "Constituent", "Message"]
    assert root.findtext("CWCVersion") == "2.0"
    assert root.findtext("Delivery/DeliveryDate") == "20250303"
    assert root.findtext("Delivery/DeliveryAgentContact/DeliveryAgentContactPhone") == "202-555-0142"
    assert root.findtext("Recipient/MemberOffice") == "HNY12"
    assert root.findtext("Constituent/Phone") == "212-555-0143"
    assert fields["last_name"] == "López"
    assert fields["topics"] == ["Immigration"]
    # Escaping is the XML library's: the text comes back exactly.
    assert fields["organization_statement"] == "Dear Representative,\n\nPlease act <now> & speak up."
    assert b"&lt;now&gt; &amp; speak up" in xml


def test_optional_parts_are_left_out_not_sent_empty():
    plain = cwc.Constituent("Mr.", "A", "B", "1 Main St", "Albany", "NY", "12207", "b@example.org")
    agent = cwc.Agent("Agent", "a@example.org", "Name", "n@example.org", "2025550100")
    xml = cwc.build_xml(message(constituent_message="", constituent=plain), agent)
    root = ET.fromstring(xml)
    assert root.find("Message/ConstituentMessage") is None
    assert root.find("Constituent/Phone") is None
    assert root.find("Delivery/Organization") is None
    assert check_cwc(xml, None)[0] == []


def test_control_characters_are_dropped():
    xml = cwc.build_xml(message(subject="Please\x07 act\x00"), AGENT)
    assert ET.fromstring(xml).findtext("Message/Subject") == "Please act"


# Facts from EFF's CWC builder (EFForg/congress_forms, lib/cwc/fixtures.rb): its 24 prefixes, its office codes.


def test_prefixes_are_cwc_s_own_and_the_form_s_choices_map_onto_them():
    assert len(cwc.CWC_PREFIXES) == 24 and "Mx." not in cwc.CWC_PREFIXES and "Rev." not in cwc.CWC_PREFIXES
    assert cwc.cwc_prefix("Rev.", "Ms.") == "Reverend"
    for kept in ("Mr.", "Mrs.", "Ms.", "Dr."):
        assert cwc.cwc_prefix(kept, "Ms.") == kept
    assert cwc.cwc_prefix("Mx.", "Ms.") == "Ms."  # CWC has no gender-neutral prefix: the configured default
    assert cwc.cwc_prefix("", "Ms.") == "Ms."
    assert cwc.DEFAULT_PREFIX in cwc.CWC_PREFIXES


def test_a_prefix_cwc_does_not_know_is_refused_before_sending():
    bad = message(constituent=dataclasses.replace(message().constituent, prefix="Mx."))
    assert "Prefix must be one of CWC's prefixes" in cwc.check(bad, AGENT)


def test_puerto_rico_s_resident_commissioner_is_hpr00_an_office_on_cwc_s_list():
    assert cwc.house_office_code("PR", 0) == "HPR00"
    doc = ET.fromstring(cwc.build_xml(message(member_office="HPR00"), AGENT))
    assert doc.findtext("Recipient/MemberOffice") == "HPR00"


@pytest.mark.parametrize("field", ["first_name", "city", "address1"])
def test_a_lone_surrogate_never_reaches_the_xml(field):
    constituent = dataclasses.replace(message().constituent, **{field: "Ana \ud800 López"})
    xml = cwc.build_xml(message(constituent=constituent, constituent_message="Free him \udfff now"), AGENT)
    assert b"&#55296;" not in xml and b"&#57343;" not in xml
    doc = ET.fromstring(xml)  # well-formed
    assert doc.findtext("Message/ConstituentMessage") == "Free him \ufffd now"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"delivery_id": "not-a-cwc-id"}, "DeliveryId must be 32 letters and digits"),
        ({"member_office": "NY12"}, "MemberOffice must look like HNY12 or SNY01"),
        ({"member_office": "HZZ01"}, "MemberOffice names an unknown state"),
        ({"topics": ("Healthcare",)}, "LibraryOfCongressTopic must be a Library of Congress policy area"),
        ({"topics": ()}, "LibraryOfCongressTopic: at least one is required"),
        ({"subject": "   "}, "Subject is required"),
        ({"subject": "x" * 301}, "Subject is longer than 300 characters"),
        (
            {"organization_statement": "", "constituent_message": ""},
            "OrganizationStatement or ConstituentMessage is required",
        ),
    ],
)
def test_a_bad_message_is_refused_with_the_reason(changes, expected):
    with pytest.raises(cwc.CwcBuildError) as caught:
        cwc.build_xml(message(**changes), AGENT)
    assert expected in caught.value.problems


def test_constituent_and_agent_problems_name_fields_never_values():
    bad = message(constituent=cwc.Constituent("", "Ana", "", "", "", "XX", "1234", "ana-at-example", ""))
    agent = cwc.Agent("Agent", "not-an-email", "", "x@example.org", "555-0142")
    with pytest.raises(cwc.CwcBuildError) as caught:
        cwc.build_xml(bad, agent)
    problems = caught.value.problems
    for expected in (
        "Prefix is required",
        "LastName is required",
        "Address1 is required",
        "City is required",
        "StateAbbreviation must be a US state or territory code",
        "Zip must be 5 digits or ZIP+4",
        "Email must be an email address",
        "DeliveryAgentAckEmailAddress must be an email address",
        "DeliveryAgentContactName is required",
        "DeliveryAgentContactPhone must be a 10-digit phone number",
    ):
        assert expected in problems
    assert "ana-at-example" not in str(caught.value)


# --- the client -----------------------------------------------------------------------------------


@pytest.fixture
def fake_cwc(fake_cwc):
    fake_cwc.offices = {"HNY12", "SNY00", "SNY02"}
    return fake_cwc


def client_for(server: FakeCwc, key: str = API_KEY, read_timeout: float = 5.0) -> CwcClient:
    return CwcClient(server.url, key, (2.0, read_timeout))


def test_a_message_is_delivered_once_and_a_resend_is_recognized(fake_cwc):
    client = client_for(fake_cwc)
    xml = cwc.build_xml(message(), AGENT)
    assert client.deliver(xml) is Outcome.DELIVERED
    assert client.deliver(xml) is Outcome.DUPLICATE
    assert list(fake_cwc.accepted) == ["0f3c9a1e2b4d4c6e8a0b1c2d3e4f5a6b"]
    assert fake_cwc.accepted["0f3c9a1e2b4d4c6e8a0b1c2d3e4f5a6b"]["member_office"] == "HNY12"


def test_validate_does_not_deliver(fake_cwc):
    client = client_for(fake_cwc)
    assert client.validate(cwc.build_xml(message(), AGENT)) is Outcome.DELIVERED
    assert fake_cwc.accepted == {}
    assert len(fake_cwc.validated) == 1


def test_a_4xx_is_permanent_and_keeps_the_reason_without_personal_data(fake_cwc):
    fake_cwc.reject_next("Constituent address ana@example.org could not be verified")
    with pytest.raises(PermanentError) as caught:
        client_for(fake_cwc).deliver(cwc.build_xml(message(), AGENT))
    assert "could not be verified" in caught.value.reason
    assert "(400)" in caught.value.reason
    assert "ana@example.org" not in caught.value.reason


def test_an_office_not_on_the_list_is_refused_by_the_server(fake_cwc):
    with pytest.raises(PermanentError, match="not an active office"):
        client_for(fake_cwc).deliver(cwc.build_xml(message(member_office="HNY10"), AGENT))


def test_a_5xx_is_transient(fake_cwc):
    fake_cwc.fail_next(status=503)
    with pytest.raises(TransientError, match="503"):
        client_for(fake_cwc).deliver(cwc.build_xml(message(), AGENT))
    assert fake_cwc.accepted == {}


def test_a_hang_is_a_transient_timeout(fake_cwc):
    fake_cwc.hang_next(accept=False)
    with pytest.raises(TransientError, match="did not answer"):
        client_for(fake_cwc, read_timeout=0.3).deliver(cwc.build_xml(message(), AGENT))


def test_a_wrong_api_key_is_retried_not_fatal_and_never_shown(fake_cwc):
    with pytest.raises(TransientError) as caught:
        client_for(fake_cwc, key="wrong-key").deliver(cwc.build_xml(message(), AGENT))
    assert "API key" in caught.value.reason
    assert "wrong-key" not in caught.value.reason


def test_an_unreachable_server_is_transient_and_the_reason_hides_the_url():
    with FakeCwc() as server:
        url = server.url
    with pytest.raises(TransientError) as caught:
        CwcClient(url, "secret-key-123", (0.5, 0.5)).deliver(cwc.build_xml(message(), AGENT))
    assert "secret-key-123" not in caught.value.reason
    assert "127.0.0.1" not in caught.value.reason


def test_the_offices_list_is_fetched_once_and_cached(fake_cwc):
    client = client_for(fake_cwc)
    assert known_offices(client, ttl=3600, fetch=False) is None  # nothing fetched yet, and no I/O
    assert known_offices(client, ttl=3600) == frozenset({"HNY12", "SNY00", "SNY02"})
    assert known_offices(client, ttl=3600) == frozenset({"HNY12", "SNY00", "SNY02"})
    assert len([r for r in fake_cwc.requests if r.path == "/v2/offices"]) == 1


def test_a_failed_offices_fetch_is_not_repeated_at_once():
    with FakeCwc() as server:
        url = server.url
    client = CwcClient(url, API_KEY, (0.5, 0.5))
    assert known_offices(client, ttl=3600) is None
    assert known_offices(client, ttl=3600) is None  # remembered: no second connection attempt


def test_error_reason_reads_xml_json_and_text():
    class Reply:
        def __init__(self, body: bytes):
            self.content = body

    assert (
        error_reason(Reply(b"<Errors><Error>Bad zip</Error><Error>Bad office</Error></Errors>"))
        == "Bad zip; Bad office"
    )
    assert error_reason(Reply(b'{"error": "Invalid MemberOffice"}')) == "Invalid MemberOffice"
    assert error_reason(Reply(b"Service   down\n for maintenance")) == "Service down for maintenance"
    entity_bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><Errors><Error>&a;</Error></Errors>'
    assert "aaaa" not in error_reason(Reply(entity_bomb))
