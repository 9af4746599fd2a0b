"""Find a campaign's keywords in text: case- and accent-insensitive, whole words, and in Chinese too.

Latin-script keywords match whole words only ("Heng" is not found in "Hengshan"); a keyword end
that is a CJK character matches as a substring, since Chinese and Japanese are written without
spaces ("关恒" is found in "关恒案").
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

SNIPPET_RADIUS = 120

_BLOCK_TAG = re.compile(
    r"<\s*/?\s*(?:p|br|hr|div|li|ul|ol|dl|dt|dd|h[1-6]|tr|td|th|table|blockquote|section|article|header|footer)\b[^>]*>",
    re.IGNORECASE,
)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"


def is_cjk(char: str) -> bool:
    """Scripts written without spaces between words: Han, kana, Hangul and their compatibility forms."""
    code = ord(char)
    return (
        0x1100 <= code <= 0x11FF  # Hangul jamo (what Hangul syllables decompose into)
        or 0x2E80 <= code <= 0x9FFF  # radicals, CJK symbols, kana, CJK unified ideographs (and ext. A)
        or 0xAC00 <= code <= 0xD7AF  # Hangul syllables
        or 0xF900 <= code <= 0xFAFF  # CJK compatibility ideographs
        or 0xFF66 <= code <= 0xFF9F  # half-width katakana
        or 0x20000 <= code <= 0x3FFFF  # CJK extensions B and later
    )


def _fold_char(char: str) -> str:
    """One character, folded: compatibility forms unified, accents dropped, case folded."""
    if char in _DASHES:
        return "-"
    decomposed = unicodedata.normalize("NFKD", char)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    return kept.casefold()


def fold(text: str) -> tuple[str, list[int]]:
    """The folded text, and for each folded character the index of the original one it came from."""
    out: list[str] = []
    origin: list[int] = []
    for i, char in enumerate(text):
        folded = _fold_char(char)
        out.append(folded)
        origin.extend([i] * len(folded))
    return "".join(out), origin


def fold_text(text: str) -> str:
    return fold(text)[0]


def html_to_text(markup: str) -> str:
    """Plain text from a feed's HTML summary: tags removed, entities decoded, whitespace collapsed."""
    # Block elements separate words; inline ones (<b>, <a>) do not.
    without_tags = _TAG.sub("", _BLOCK_TAG.sub(" ", markup or ""))
    return _SPACE.sub(" ", html.unescape(without_tags)).strip()


def _keyword_pattern(keyword: str) -> re.Pattern[str] | None:
    folded = _SPACE.sub(" ", fold_text(keyword)).strip()
    if not folded:
        return None
    # Words inside a keyword may be separated by any run of spaces or a hyphen: "Guan-Heng", "Guan  Heng".
    body = r"[\s\-]+".join(re.escape(part) for part in folded.split(" "))
    start = "" if is_cjk(folded[0]) else r"(?<!\w)"
    end = "" if is_cjk(folded[-1]) else r"(?!\w)"
    return re.compile(start + body + end)


@dataclass(frozen=True)
class KeywordMatch:
    keyword: str  # as the organizer wrote it
    start: int  # span in the original text
    end: int

    def snippet(self, text: str, radius: int = SNIPPET_RADIUS) -> str:
        """The words around the match, cut at word boundaries, with ellipses where text was left out."""
        left = max(0, self.start - radius)
        right = min(len(text), self.end + radius)
        if left > 0:
            space = text.find(" ", left, self.start)
            left = space + 1 if space != -1 else left
        if right < len(text):
            space = text.rfind(" ", self.end, right)
            right = space if space != -1 else right
        piece = _SPACE.sub(" ", text[left:right]).strip()
        return ("…" if left > 0 else "") + piece + ("…" if right < len(text) else "")


class KeywordMatcher:
    """Compiled once per campaign; `search` returns the earliest match of any keyword."""

    def __init__(self, keywords: Iterable[str]):
        seen: set[str] = set()
        self.patterns: list[tuple[str, re.Pattern[str]]] = []
        # Longer keywords first, so "Guan Heng" wins over "Guan" at the same place.
        for keyword in sorted({k.strip() for k in keywords if k and k.strip()}, key=len, reverse=True):
            pattern = _keyword_pattern(keyword)
            if pattern is not None and pattern.pattern not in seen:
                seen.add(pattern.pattern)
                self.patterns.append((keyword, pattern))

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def search(self, text: str) -> KeywordMatch | None:
        if not text or not self.patterns:
            return None
        folded, origin = fold(text)
        best: tuple[int, int, str] | None = None
        for keyword, pattern in self.patterns:
            found = pattern.search(folded)
            if found and (best is None or found.start() < best[0]):
                best = (found.start(), found.end(), keyword)
        if best is None:
            return None
        start, end, keyword = best
        return KeywordMatch(keyword=keyword, start=origin[start], end=origin[end - 1] + 1)
