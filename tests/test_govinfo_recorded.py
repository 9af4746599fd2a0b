"""The Congressional Record client read on responses GovInfo really gave (tests/fixtures/govinfo/recorded, whose
SOURCES.md names the repository, path and commit of each), served at GovInfo's own addresses by `responses`."""

import itertools
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import responses

from advocacy.statements import govinfo

RECORDED = Path(__file__).resolve().parent / "fixtures" / "govinfo" / "recorded"
BASE = "https://api.govinfo.gov"
KEY = "recorded-test-key"


def recorded(name: str) -> bytes:
    return (RECORDED / name).read_bytes()


def client() -> govinfo.GovInfoClient:
    return govinfo.GovInfoClient(BASE, KEY, timeout=5, max_bytes=1_000_000, allow_private=True)


@responses.activate
def test_a_recorded_collection_page_lists_its_packages_and_the_next_page_is_asked_for_as_govinfo_wrote_it():
    page = recorded("collections-CREC-2018-04-01.json")
    first = f"{BASE}/collections/CREC/2018-04-01T00:00:00Z?offsetMark=*&pageSize=100"
    next_page = json.loads(page)["nextPage"]
    responses.get(first, body=page, content_type="application/json")
    responses.get(next_page, status=503)

    read = client().pages(first, "packages")
    packages = list(itertools.islice(read, 10))
    assert [p["packageId"] for p in packages][:3] == ["CREC-2018-04-02", "CREC-2018-03-15", "CREC-2018-03-14"]
    assert all(re.fullmatch(r"CREC-\d{4}-\d{2}-\d{2}", p["packageId"]) for p in packages)

    with pytest.raises(govinfo.GovInfoError, match="HTTP 503"):
        next(read)
    assert [c.request.url for c in responses.calls] == [first, next_page]
    assert all(c.request.headers["X-Api-Key"] == KEY and KEY not in c.request.url for c in responses.calls)


@responses.activate
def test_a_recorded_granule_listing_without_classes_still_yields_the_floor_speeches_and_leaves_out_the_digest():
    listing = recorded("granules-CREC-2018-01-03.json")
    granules = json.loads(listing)["granules"]
    assert not any("granuleClass" in g for g in granules)  # what this recording is for
    responses.get(
        f"{BASE}/packages/CREC-2018-01-03/granules?offsetMark=*&pageSize=100",
        body=listing,
        content_type="application/json",
    )

    floor = govinfo.floor_granules(client(), "CREC-2018-01-03")

    ids = [g["granuleId"] for g in floor]
    assert "CREC-2018-01-03-pt1-PgE1769-2" in ids  # HONORING THE SERVICE OF LORIE GRINNAN, an extension of remarks
    assert "CREC-2018-01-03-pt1-PgH10433-3" in ids  # PRAYER, House
    assert "CREC-2018-01-03-pt2-PgS1-12" in ids
    assert not any("-PgD" in i for i in ids)
    expected = [g["granuleId"] for g in granules if re.search(r"-Pg[HSE]", g["granuleId"])]
    assert ids == expected and len(ids) < len(granules)
    assert {govinfo.granule_class(g) for g in floor} == {"HOUSE", "SENATE", "EXTENSIONS"}


@responses.activate
def test_a_recorded_summary_without_members_or_text_link_is_read_from_the_htm_address_and_attributed_to_nobody():
    summary = json.loads(recorded("summary-CREC-2018-03-01-pt1-PgD211.json"))
    package_id, granule_id = summary["packageId"], summary["granuleId"]
    responses.get(
        f"{BASE}/packages/{package_id}/granules/{granule_id}/summary",
        body=recorded("summary-CREC-2018-03-01-pt1-PgD211.json"),
        content_type="application/json",
    )

    read = client().summary(package_id, granule_id)

    assert govinfo.speaker(read) is None
    assert "txtLink" not in read["download"] and isinstance(read["download"]["pdfLink"], list)
    assert govinfo.text_link(client(), read, package_id, granule_id) == (
        f"{BASE}/packages/{package_id}/granules/{granule_id}/htm"
    )
    assert govinfo.granule_class({"granuleId": granule_id}) == "DAILYDIGEST"


def test_a_summary_pointing_off_the_api_host_gives_no_text_address():
    summary = {"download": {"txtLink": "https://elsewhere.example/packages/x/htm"}}
    assert govinfo.text_link(client(), summary, "CREC-2018-01-03", "CREC-2018-01-03-pt1-PgH1") is None


@responses.activate
def test_recorded_granule_text_reads_as_the_words_spoken():
    url = f"{BASE}/packages/CREC-2018-10-10/granules/CREC-2018-10-10-pt1-PgS6735-6/htm"
    responses.get(url, body=recorded("text-CREC-2018-10-10-pt1-PgS6735-6.htm"), content_type="text/html")

    text = govinfo.plain_text(client().get(url))

    assert "RECOGNITION OF THE MAJORITY LEADER" in text
    assert "The PRESIDING OFFICER (Mr. Cotton). The majority leader is recognized." in text
    assert "<" not in text and "www.gpo.gov" in text


@responses.activate
def test_the_recorded_listing_feeds_a_whole_read_and_only_matching_floor_text_is_kept():
    """The collection page is written here (no recorded one lists this day); the granule listing, the digest
    summary and the speech text are the recorded ones. Only granules whose text names the keyword are kept."""
    since = datetime(2018, 1, 3, tzinfo=UTC)
    responses.get(
        f"{BASE}/collections/CREC/2018-01-03T00:00:00Z?offsetMark=*&pageSize=100",
        json={"packages": [{"packageId": "CREC-2018-01-03", "lastModified": "2018-04-03T16:34:46Z"}], "nextPage": None},
    )
    responses.get(
        f"{BASE}/packages/CREC-2018-01-03/granules?offsetMark=*&pageSize=100",
        body=recorded("granules-CREC-2018-01-03.json"),
        content_type="application/json",
    )
    speech = "CREC-2018-01-03-pt1-PgH10433-3"
    summaries = re.compile(rf"{re.escape(BASE)}/packages/CREC-2018-01-03/granules/[^/]+/summary")
    texts = re.compile(rf"{re.escape(BASE)}/packages/CREC-2018-01-03/granules/([^/]+)/htm")

    def summary(request):
        granule = request.url.rsplit("/", 2)[-2]
        body = {"title": granule, "dateIssued": "2018-01-03", "download": {}}  # no txtLink, like the recording
        if granule == speech:
            body["members"] = [{"bioGuideId": "M000355", "role": "SPEAKING"}]
        return 200, {"Content-Type": "application/json"}, json.dumps(body)

    def text(request):
        granule = texts.match(request.url).group(1)
        body = recorded("text-CREC-2018-10-10-pt1-PgS6735-6.htm") if granule == speech else b"<pre>nothing</pre>"
        return 200, {"Content-Type": "text/html"}, body

    responses.add_callback(responses.GET, summaries, callback=summary)
    responses.add_callback(responses.GET, texts, callback=text)

    read = govinfo.read_record(client(), since, lambda t: "majority leader" in t.lower(), max_granules=20)

    assert read.packages == 1 and read.granules == 20 and not read.complete
    assert [(i.item.title, i.bioguide_id) for i in read.items] == [(speech, "M000355")]
    assert read.items[0].item.published == datetime(2018, 1, 3, tzinfo=UTC)
    assert not any("-PgD" in c.request.url for c in responses.calls)


@responses.activate
def test_a_second_package_for_one_day_is_read_with_granules_named_after_the_day():
    """GovInfo published CREC-2025-01-03-v171 beside CREC-2025-01-03 at the start of the 119th Congress, with
    granules such as CREC-2025-01-03-pt1-PgH2-2 (usgpo/bulk-data issue 181); the ids are from there."""
    responses.get(
        f"{BASE}/packages/CREC-2025-01-03-v171/granules?offsetMark=*&pageSize=100",
        json={"granules": [{"granuleId": "CREC-2025-01-03-pt1-PgH2-2", "title": "ELECTION OF SPEAKER"}]},
    )
    floor = govinfo.floor_granules(client(), "CREC-2025-01-03-v171")
    assert [g["granuleId"] for g in floor] == ["CREC-2025-01-03-pt1-PgH2-2"]
    assert govinfo.floor_granules(client(), "CREC-2025-01-03-extra") == []
