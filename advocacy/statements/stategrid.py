"""A tile-grid map of the states as inline SVG, drawn on the server.

One square per state, placed roughly where the state is. Colours are SVG presentation attributes
(`fill=`), which the Content-Security-Policy allows; there is no style attribute and no script.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext, lazy_gettext
from markupsafe import Markup, escape

from advocacy.places import state_label

# (column, row) of each tile: the familiar "tile grid map" layout, territories on the bottom row.
TILES: dict[str, tuple[int, int]] = {
    "AK": (0, 0), "ME": (10, 0),
    "WI": (5, 1), "VT": (9, 1), "NH": (10, 1),
    "WA": (0, 2), "ID": (1, 2), "MT": (2, 2), "ND": (3, 2), "MN": (4, 2), "IL": (5, 2), "MI": (6, 2),
    "NY": (8, 2), "MA": (9, 2),
    "OR": (0, 3), "NV": (1, 3), "WY": (2, 3), "SD": (3, 3), "IA": (4, 3), "IN": (5, 3), "OH": (6, 3),
    "PA": (7, 3), "NJ": (8, 3), "CT": (9, 3), "RI": (10, 3),
    "CA": (0, 4), "UT": (1, 4), "CO": (2, 4), "NE": (3, 4), "MO": (4, 4), "KY": (5, 4), "WV": (6, 4),
    "VA": (7, 4), "MD": (8, 4), "DE": (9, 4),
    "AZ": (1, 5), "NM": (2, 5), "KS": (3, 5), "AR": (4, 5), "TN": (5, 5), "NC": (6, 5), "SC": (7, 5),
    "DC": (8, 5),
    "OK": (3, 6), "LA": (4, 6), "MS": (5, 6), "AL": (6, 6), "GA": (7, 6),
    "HI": (0, 7), "TX": (3, 7), "FL": (7, 7),
    "GU": (0, 8), "MP": (1, 8), "AS": (2, 8), "PR": (9, 8), "VI": (10, 8),
}  # fmt: skip


TILE = 40
GAP = 4
COLUMNS = 1 + max(c for c, _ in TILES.values())
ROWS = 1 + max(r for _, r in TILES.values())

# (lowest share that gets this colour, fill, text colour, legend label). Text contrast is AA on each fill.
SCALE = (
    (1.0, "#1e6b35", "#ffffff", lazy_gettext("Every office has spoken")),
    (0.5, "#2f7f4c", "#ffffff", lazy_gettext("Half or more")),
    (1e-9, "#b7dcc1", "#1b1f24", lazy_gettext("Some")),
    (0.0, "#e3e7eb", "#1b1f24", lazy_gettext("None yet")),
)
# "Your state": a dashed dark border, unlike the solid blue focus ring, and said in the tile's name and legend.
HIGHLIGHT = "#1b1f24"
HIGHLIGHT_LABEL = lazy_gettext("Your state (dashed border)")


@dataclass(frozen=True)
class StateCount:
    offices: int
    spoken: int

    @property
    def share(self) -> float:
        return self.spoken / self.offices if self.offices else 0.0


def colours(share: float) -> tuple[str, str]:
    for lowest, fill, ink, _label in SCALE:
        if share >= lowest:
            return fill, ink
    return SCALE[-1][1], SCALE[-1][2]


def render_state_grid(
    counts: Mapping[str, StateCount],
    link_for: callable | None = None,
    highlight: frozenset[str] = frozenset(),
    title: str | None = None,
) -> Markup:
    """The map as an <svg> element. `link_for(state)` gives each tile's link (e.g. filter the table)."""
    title = title or gettext("Offices that have spoken, by state")
    step = TILE + GAP
    width, height = COLUMNS * step - GAP, ROWS * step - GAP
    # A picture with links inside is a group to assistive technology (an "img" hides its links).
    role = "group" if link_for is not None else "img"
    parts = [
        f'<svg class="state-grid" viewBox="0 0 {width} {height}" role="{role}" aria-labelledby="state-grid-title"'
        ' xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif">',
        f'<title id="state-grid-title">{escape(title)}</title>',
    ]
    for state, (col, row) in TILES.items():
        count = counts.get(state)
        if count is None or count.offices == 0:
            continue
        fill, ink = colours(count.share)
        x, y = col * step, row * step
        name = state_label(state)
        label = gettext(
            "%(state)s: %(spoken)s of %(offices)s offices have spoken",
            state=name,
            spoken=count.spoken,
            offices=count.offices,
        )
        stroke = (
            f' stroke="{HIGHLIGHT}" stroke-width="3" stroke-dasharray="5 3"'
            if state in highlight
            else ' stroke="#ffffff" stroke-width="1"'
        )
        if state in highlight:
            label += " " + gettext("(your state)")
        tile = (
            f'<rect x="{x}" y="{y}" width="{TILE}" height="{TILE}" rx="3" fill="{fill}"{stroke}/>'
            f'<text text-anchor="middle" fill="{ink}">'
            f'<tspan x="{x + TILE / 2:g}" y="{y + 17}" font-size="13" font-weight="700">{escape(state)}</tspan>'
            f'<tspan x="{x + TILE / 2:g}" y="{y + 32}" font-size="10"> {count.spoken}/{count.offices}</tspan></text>'
        )
        if link_for is not None:
            # A link's accessible name must contain its visible text ("NY", "2/28"), so it is named
            # "NY 2/28" plus the words; the tooltip (<title>) would add to that text, so links have none.
            named = f"{state} {count.spoken}/{count.offices}, {label}"
            parts.append(f'<a href="{escape(link_for(state))}" aria-label="{escape(named)}">{tile}</a>')
        else:
            parts.append(f'<g role="img" aria-label="{escape(label)}"><title>{escape(label)}</title>{tile}</g>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every value placed above went through escape()


def legend() -> list[tuple[str, str]]:
    """(fill, label) pairs for the legend beside the map."""
    return [(fill, label) for _lowest, fill, _ink, label in SCALE]
