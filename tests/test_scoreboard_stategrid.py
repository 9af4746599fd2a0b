"""The state tile-grid map: valid SVG, one tile per place, colour by share, no inline style."""

import xml.etree.ElementTree as ET

from advocacy.places import STATE_NAMES
from advocacy.statements.stategrid import SCALE, TILES, StateCount, render_state_grid

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def state_of(element) -> str:
    return element.find(f"{SVG}text/{SVG}tspan").text


def tiles(root):
    return {state_of(a): a for a in root.iter(f"{SVG}a")}


def test_layout_covers_every_state_dc_and_territories_once():
    assert set(TILES) == set(STATE_NAMES)
    assert len(TILES) == 56
    assert len(set(TILES.values())) == 56, "two places share a tile"


def test_every_place_is_a_linked_tile_coloured_by_share():
    counts = {state: StateCount(offices=4, spoken=0) for state in TILES}
    counts["NY"] = StateCount(offices=28, spoken=28)
    counts["CA"] = StateCount(offices=54, spoken=27)
    counts["TX"] = StateCount(offices=40, spoken=1)
    root = parse(render_state_grid(counts, link_for=lambda s: f"?state={s}&x=<y>#offices"))
    found = tiles(root)
    assert set(found) == set(TILES)
    fill = {state: a.find(f"{SVG}rect").get("fill") for state, a in found.items()}
    assert fill["NY"] == SCALE[0][1]
    assert fill["CA"] == SCALE[1][1]
    assert fill["TX"] == SCALE[2][1]
    assert fill["OH"] == SCALE[3][1]
    assert found["NY"].get("href") == "?state=NY&x=<y>#offices"  # parsed back from escaped markup
    # The link's name starts with what the tile shows (accessible name contains the visible text).
    assert found["CA"].get("aria-label") == "CA 27/54, California: 27 of 54 offices have spoken"
    assert "".join(found["CA"].find(f"{SVG}text").itertext()) == "CA 27/54"


def test_no_style_attributes_or_elements_anywhere():
    markup = str(render_state_grid({s: StateCount(2, 1) for s in TILES}, link_for=str, highlight=frozenset({"NY"})))
    root = parse(markup)
    assert root.get("role") == "group"
    assert root.find(f".//{SVG}style") is None
    assert all("style" not in el.attrib for el in root.iter())
    assert "<script" not in markup


def test_highlight_and_unlinked_tiles():
    root = parse(render_state_grid({"NY": StateCount(29, 3), "VT": StateCount(3, 0)}, highlight=frozenset({"NY"})))
    groups = {state_of(g): g for g in root.iter(f"{SVG}g")}
    assert root.get("role") == "img"  # no links: one picture; with links it is a group
    # "your state" is in the name and drawn dashed, unlike the solid focus ring (issue 26 item 3)
    assert groups["NY"].find(f"{SVG}title").text == "New York: 3 of 29 offices have spoken (your state)"
    assert set(groups) == {"NY", "VT"}
    assert groups["NY"].find(f"{SVG}rect").get("stroke-dasharray") == "5 3"
    assert groups["VT"].find(f"{SVG}rect").get("stroke-width") == "1"
    assert root.find(f"{SVG}a") is None
