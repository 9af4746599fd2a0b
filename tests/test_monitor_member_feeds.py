"""Members' feed addresses as the legislators file writes them: HTML entities decoded when they are read."""

from pathlib import Path

from advocacy.congress.models import Member
from advocacy.congress.parse import feed_url, parse_legislators
from advocacy.congress.sources import LEGISLATOR_FILES
from advocacy.extensions import db
from tests.data import LEGISLATORS_DIR, require_shared_data
from tests.test_congress_sync import MINI, sync, sync_app, sync_database  # noqa: F401 - fixtures


def test_entities_in_a_feed_address_are_decoded_and_other_addresses_are_kept():
    assert feed_url("http://norton.house.gov/index.php?format=feed&amp;type=rss") == (
        "http://norton.house.gov/index.php?format=feed&type=rss"
    )
    assert feed_url("https://www.example.senate.gov/rss/?a=1&b=2") == "https://www.example.senate.gov/rss/?a=1&b=2"
    assert feed_url(None) is None


def test_26_of_the_160_real_member_feeds_are_decoded_and_none_keeps_an_entity():
    require_shared_data()
    files = {name: (Path(LEGISLATORS_DIR) / name).read_bytes() for name in LEGISLATOR_FILES}
    data = parse_legislators(files)
    feeds = [m["rss_url"] for m in data.members.values() if m["rss_url"]]
    assert (len(data.decoded_rss_urls), len(feeds)) == (26, 160)
    assert not [url for url in feeds if "&amp;" in url or "&#" in url]
    assert data.members[data.decoded_rss_urls[0]]["rss_url"] == (
        "http://www.whitehouse.senate.gov/rss/feeds/?type=all&cachebuster=1"
    )


def test_the_sync_stores_decoded_feed_addresses_and_says_how_many_it_decoded(sync_app):  # noqa: F811
    encoded = (MINI / "legislators-current.yaml").read_text(encoding="utf-8").count("&amp;")
    assert encoded >= 1  # Norton's, at least
    first = sync(sync_app, "legislators", "--source", str(MINI))
    assert first.exit_code == 0, first.output
    addresses = "address" if encoded == 1 else "addresses"
    line = f"Decoded HTML entities (&amp; → &) in {encoded} member feed {addresses} (rss_url)."
    assert line in first.stdout.splitlines()
    norton = db.session.get(Member, "N000147")
    assert norton.rss_url == "http://norton.house.gov/index.php?format=feed&type=rss"
    again = sync(sync_app, "legislators", "--source", str(MINI))
    assert again.stdout.startswith("No changes:")
    assert again.stdout.splitlines()[-1] == line
