"""Find a campaign's keywords in text: case- and accent-insensitive, whole words, and in Chinese too.

Latin-script keywords match whole words only ("Heng" is not found in "Hengshan"). Chinese is written
without spaces, so a keyword end that is a CJK character must fall on a word boundary found by a
segmenter (jieba's dictionary, without guessing unknown words, so a name the dictionary does not know
stays a run of single characters): "关恒" is found in "关恒案" and "支持关恒", not in "海关恒定汇率" (customs / constant) or "相关恒星" (related / star). Traditional and
simplified characters are folded together (OpenCC's tables), so 關恆 finds 关恒; spaces between CJK
characters ("关 恒") and invisible characters (zero-width space, joiners, soft hyphens) are ignored.
"""

from __future__ import annotations

import functools
import html
import logging
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from markupsafe import Markup, escape

from advocacy.folding import fold, fold_text, is_cjk

SNIPPET_RADIUS = 120

_BLOCK_TAG = re.compile(
    r"<\s*/?\s*(?:p|br|hr|div|li|ul|ol|dl|dt|dd|h[1-6]|tr|td|th|table|blockquote|section|article|header|footer)\b[^>]*>",
    re.IGNORECASE,
)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


_SEGMENT_WINDOW = 12  # characters of context on each side given to the segmenter


_tokenizer_lock = threading.Lock()


@functools.cache
def _tokenizer():
    """jieba's segmenter with its own dictionary (shipped in the package; nothing is downloaded)."""
    import jieba  # imported on first use: its dictionary takes a second to load

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def _word_boundaries(text: str) -> set[int]:
    """Positions in `text` where the segmenter puts a word boundary. HMM off: unknown words are not guessed,
    so only a real dictionary word (海关, 恒定, 相关) can swallow a keyword's edge."""
    with _tokenizer_lock:
        tokens = list(_tokenizer().tokenize(text, HMM=False))
    return {start for _word, start, _end in tokens} | {end for _word, _start, end in tokens}


def html_to_text(markup: str) -> str:
    """Plain text from a feed's HTML summary: tags removed, entities decoded, whitespace collapsed."""
    # Block elements separate words; inline ones (<b>, <a>) do not.
    without_tags = _TAG.sub("", _BLOCK_TAG.sub(" ", markup or ""))
    return _SPACE.sub(" ", html.unescape(without_tags)).strip()


def _cjk_run(part: str) -> str:
    """A keyword part with any spaces allowed between two CJK characters ("关 恒")."""
    out = []
    for i, char in enumerate(part):
        if i and is_cjk(char) and is_cjk(part[i - 1]):
            out.append(r"\s*")
        out.append(re.escape(char))
    return "".join(out)


def _keyword_pattern(keyword: str) -> re.Pattern[str] | None:
    folded = _SPACE.sub(" ", fold_text(keyword)).strip()
    if not folded:
        return None
    # Words inside a keyword may be separated by any run of spaces or a hyphen: "Guan-Heng", "Guan  Heng".
    body = r"[\s\-]+".join(_cjk_run(part) for part in folded.split(" "))
    start = "" if is_cjk(folded[0]) else r"(?<!\w)"
    end = "" if is_cjk(folded[-1]) else r"(?!\w)"
    return re.compile(start + body + end)


@dataclass(frozen=True)
class _Keyword:
    keyword: str  # as the organizer wrote it
    pattern: re.Pattern[str]
    cjk_start: bool  # its first character is CJK: the match must start on a word boundary
    cjk_end: bool

    def find(self, folded: str) -> re.Match[str] | None:
        """The first match whose CJK ends fall on word boundaries."""
        position = 0
        while (found := self.pattern.search(folded, position)) is not None:
            if not (self.cjk_start or self.cjk_end) or self._on_boundaries(folded, found.start(), found.end()):
                return found
            position = found.start() + 1
        return None

    def _on_boundaries(self, folded: str, start: int, end: int) -> bool:
        left = max(0, start - _SEGMENT_WINDOW)
        boundaries = _word_boundaries(folded[left : end + _SEGMENT_WINDOW])
        return (not self.cjk_start or start - left in boundaries) and (not self.cjk_end or end - left in boundaries)


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
        self.patterns: list[_Keyword] = []
        # Longer keywords first, so "Guan Heng" wins over "Guan" at the same place.
        for keyword in sorted({k.strip() for k in keywords if k and k.strip()}, key=len, reverse=True):
            pattern = _keyword_pattern(keyword)
            if pattern is not None and pattern.pattern not in seen:
                seen.add(pattern.pattern)
                folded = _SPACE.sub(" ", fold_text(keyword)).strip()
                self.patterns.append(_Keyword(keyword, pattern, is_cjk(folded[0]), is_cjk(folded[-1])))

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def search(self, text: str) -> KeywordMatch | None:
        if not text or not self.patterns:
            return None
        folded, origin = fold(text)
        best: tuple[int, int, str] | None = None
        for entry in self.patterns:
            found = entry.find(folded)
            if found and (best is None or found.start() < best[0]):
                best = (found.start(), found.end(), entry.keyword)
        if best is None:
            return None
        start, end, keyword = best
        return KeywordMatch(keyword=keyword, start=origin[start], end=origin[end - 1] + 1)


def highlight(text: str, keyword: str) -> Markup:
    """`text` escaped, with each match of `keyword` (as the matcher finds it: any case, accents, spacing)
    wrapped in <mark>. Escaping comes first, on each piece, so nothing in the text can become markup."""
    text = text or ""
    matcher = KeywordMatcher([keyword]) if keyword and keyword.strip() else None
    out: list[Markup] = []
    position = 0
    while matcher is not None and position < len(text):
        found = matcher.search(text[position:])
        if found is None or found.end <= found.start:
            break
        start, end = position + found.start, position + found.end
        out += [escape(text[position:start]), Markup("<mark>{}</mark>").format(text[start:end])]
        position = end
    out.append(escape(text[position:]))
    return Markup("").join(out)
