"""Text folded for searching: case, accents, invisible characters and compatibility forms set aside, and
traditional Chinese characters read as simplified (OpenCC's tables), so "关恒" finds "關恆" and "Hernandez"
finds "Hernández". Used by the keyword matcher, the scoreboard's search and the office pickers.
"""

from __future__ import annotations

import functools
import unicodedata

from markupsafe import Markup

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"

# Invisible characters: dropped before matching. A zero-width space marks a word break, so it becomes a space.
_INVISIBLE = dict.fromkeys("\u00ad\u034f\u061c\u180e\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff", "")
_INVISIBLE["\u200b"] = " "


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


@functools.cache
def _opencc():
    from opencc import OpenCC  # imported on first use: its tables are read when it starts

    return OpenCC("t2s")


# Characters come from what anyone types (the public scoreboard's search) and from outside feeds: the per-character
# caches are bounded, so a stranger cycling through Unicode cannot grow a worker's memory (there are over a
# million code points). Each holds far more than the characters real text keeps using.
FOLD_CACHE_SIZE = 8192


@functools.lru_cache(maxsize=FOLD_CACHE_SIZE)
def _simplified(char: str) -> str:
    """A traditional character's simplified form (one character, or the character itself)."""
    converted = _opencc().convert(char)
    return converted if len(converted) == 1 else char


@functools.lru_cache(maxsize=FOLD_CACHE_SIZE)
def _fold_char(char: str) -> str:
    """One character, folded: invisible ones dropped, compatibility forms unified, accents dropped, case
    folded, traditional Chinese simplified."""
    if char in _INVISIBLE:
        return _INVISIBLE[char]
    if char in _DASHES:
        return "-"
    decomposed = unicodedata.normalize("NFKD", char)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return "".join(_simplified(c) if is_cjk(c) else c for c in kept)


def fold(text: str) -> tuple[str, list[int]]:
    """The folded text, and for each folded character the index of the original one it came from."""
    out: list[Markup] = []
    origin: list[int] = []
    for i, char in enumerate(text):
        folded = _fold_char(char)
        out.append(folded)
        origin.extend([i] * len(folded))
    return "".join(out), origin


def fold_text(text: str) -> str:
    return fold(text)[0]
