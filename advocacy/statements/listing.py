"""Which date a press page's listing gives each of its headlines.

Press pages without a feed print a date beside each release, in the release's own row (Drupal's
`<span class="views-field-created">Apr 14, 2015</span>` after the title, Joomla's date cell, a ColdFusion
`<time datetime>` cell before the link), or once above a group of releases (a `<h2>Friday, March 29, 2013</h2>`
followed by the list). `ListingDates` follows the page's elements as the HTML reader meets them and then gives
each link the date of its row, else of the heading its group sits under, else none: never a guess.

A row is the innermost element around a link that holds a date; it counts only when it holds one date and a
few links, and its date goes to its headline (the link in a heading, else the one with the longest text), not
to the "Press Release" or topic links beside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from advocacy.statements.dates import parse_date

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# An element that a new one of these tags closes when it is still open (HTML's optional end tags), unless an
# element that scopes it (the list, the table) is nearer.
_IMPLIED = {
    "li": ({"li"}, {"ul", "ol"}),
    "tr": ({"tr", "td", "th"}, {"table", "tbody", "thead", "tfoot"}),
    "td": ({"td", "th"}, {"tr", "table"}),
    "th": ({"td", "th"}, {"tr", "table"}),
    "dt": ({"dt", "dd"}, {"dl"}),
    "dd": ({"dt", "dd"}, {"dl"}),
    "p": ({"p"}, {"div", "td", "li", "section", "article"}),
}
MAX_DATE_TEXT = 48  # characters: a longer text is a sentence that happens to hold a date, not a listing's date
MAX_ROW_LINKS = 8  # a "row" with more links than this is a menu or a whole list, not one release
# Bounds on what one page can make us hold (a page is up to STATEMENTS_FEED_MAX_BYTES of anyone's HTML): elements
# nested deeper than this are read as if they were not nested, and links past the first MAX_LINKS get no date.
MAX_DEPTH = 64
MAX_LINKS = 5000
_DAY_NUMBER = re.compile(r"(?<!\d)\d{1,2}(?!\d)")


def listing_date(text: str) -> datetime | None:
    """The date a short text in a listing names, with its day: "Apr 14, 2015", "March 13, 2015", "Friday,
    March 29, 2013". A month alone ("April 2013", a group heading) names no day and gives None."""
    text = " ".join(text.split())
    if not text or len(text) > MAX_DATE_TEXT or not _DAY_NUMBER.search(text):
        return None
    return parse_date(text)


@dataclass
class _Link:
    path: tuple[int, ...]  # ids of the open elements around it, outermost first
    text_length: int
    in_heading: bool


@dataclass
class ListingDates:
    stack: list[tuple[str, int]] = field(default_factory=list)
    next_id: int = 0
    links: list[_Link] = field(default_factory=list)
    dates: list[tuple[tuple[int, ...], datetime]] = field(default_factory=list)
    # For each element, its child headings in order: (heading id, the date its text names or None).
    headings: dict[int, list[tuple[int, datetime | None]]] = field(default_factory=dict)
    heading_text: dict[int, list[str]] = field(default_factory=dict)

    def path(self) -> tuple[int, ...]:
        return tuple(element_id for _tag, element_id in self.stack)

    def open(self, tag: str) -> None:
        if tag in VOID or len(self.stack) >= MAX_DEPTH:
            return
        closes, scopes = _IMPLIED.get(tag, (set(), set()))
        outermost = None  # a new <tr> closes the open cell and the row it is in, down to the table
        for n in range(len(self.stack) - 1, -1, -1):
            open_tag = self.stack[n][0]
            if open_tag in scopes:
                break
            if open_tag in closes:
                outermost = n
        if outermost is not None:
            self._close_from(outermost)
        self.next_id += 1
        if tag in HEADINGS:
            self.heading_text[self.next_id] = []
        self.stack.append((tag, self.next_id))

    def close(self, tag: str) -> None:
        for n in range(len(self.stack) - 1, -1, -1):
            if self.stack[n][0] == tag:
                self._close_from(n)
                return

    def _close_from(self, n: int) -> None:
        for position in range(len(self.stack) - 1, n - 1, -1):
            tag, element_id = self.stack[position]
            if tag in HEADINGS:
                parent = self.stack[position - 1][1] if position else 0
                named = listing_date(" ".join(self.heading_text.pop(element_id, [])))
                self.headings.setdefault(parent, []).append((element_id, named))
        del self.stack[n:]

    def text(self, data: str, in_anchor: bool) -> None:
        in_heading = False
        for _tag, element_id in self.stack:
            if element_id in self.heading_text:
                if len(self.heading_text[element_id]) < 20:  # enough for a date; an unclosed heading grows no more
                    self.heading_text[element_id].append(data)
                in_heading = True
        # A heading's date is its group's (_group_date), not a row's.
        if not (in_anchor or in_heading) and len(self.dates) < MAX_LINKS:
            found = listing_date(data)
            if found is not None:
                self.dates.append((self.path(), found))

    def time(self, value: str) -> None:
        found = parse_date(value) if len(self.dates) < MAX_LINKS else None
        if found is not None:
            self.dates.append((self.path(), found))

    def link(self, text: str) -> None:
        """A link has just closed (its element is still open): remember where it sits."""
        if len(self.links) >= MAX_LINKS:
            self.links.append(_Link((), 0, False))  # kept for the count, dated by nothing
            return
        in_heading = any(tag in HEADINGS for tag, _id in self.stack)
        self.links.append(_Link(self.path(), len(text), in_heading))

    def resolve(self) -> list[datetime | None]:
        """Each link's date, in the order the links were met."""
        self.close_all()
        dates_in: dict[int, list[datetime]] = {}
        for path, found in self.dates:
            for element_id in path:
                dates_in.setdefault(element_id, []).append(found)
        links_in: dict[int, list[int]] = {}
        for n, link in enumerate(self.links):
            for element_id in link.path:
                links_in.setdefault(element_id, []).append(n)
        return [self._row_date(n, dates_in, links_in) or self._group_date(link) for n, link in enumerate(self.links)]

    def close_all(self) -> None:
        if self.stack:
            self._close_from(0)

    def _row_date(self, n: int, dates_in: dict, links_in: dict) -> datetime | None:
        link = self.links[n]
        for element_id in reversed(link.path):
            if element_id not in dates_in:
                continue
            row_links = links_in[element_id]
            if len(set(dates_in[element_id])) != 1 or len(row_links) > MAX_ROW_LINKS:
                return None
            headline = max(row_links, key=lambda i: (self.links[i].in_heading, self.links[i].text_length, -i))
            return dates_in[element_id][0] if headline == n else None
        return None

    def _group_date(self, link: _Link) -> datetime | None:
        """The date of the nearest heading before the link's group, among the children of one element."""
        for depth in range(len(link.path) - 1, 0, -1):
            parent, child = link.path[depth - 1], link.path[depth]
            before = [named for heading_id, named in self.headings.get(parent, []) if heading_id < child]
            if before:
                return before[-1]  # a heading without a date starts a group without one
        return None
