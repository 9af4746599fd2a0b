"""Fonts for PDF packets: a Unicode TTF for Latin (DejaVu Sans) and, where installed, a CJK fallback.

Paths come from app config (`PDF_FONT`, `PDF_FONT_BOLD`, `PDF_FALLBACK_FONTS`) or the Debian locations
below. When no TTF is found the packet still renders with a core PDF font, replacing what it cannot show.
`scripts/install-fonts` installs the Debian packages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from flask import current_app, has_app_context

if TYPE_CHECKING:
    from fpdf import FPDF

DEFAULT_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"  # fonts-dejavu-core
DEFAULT_FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
DEFAULT_FALLBACK_FONTS = (
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",  # fonts-droid-fallback: 4 MB, CJK
    "/usr/share/fonts-droid-fallback/truetype/DroidSansFallback.ttf",
)
FAMILY = "packet"
FALLBACK_FAMILY = "packet-cjk"


# Hebrew, Arabic (with its supplements and presentation forms), Syriac, Thaana, N'Ko: scripts written right to left.
_RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")


def shaping_available() -> bool:
    """fpdf2 shapes text (joining, right-to-left runs) through uharfbuzz, pinned in requirements.txt."""
    try:
        import uharfbuzz  # noqa: F401
    except ImportError:
        return False
    return True


def _setting(name: str, default):
    if has_app_context():
        return current_app.config.get(name, default)
    return default


@dataclass
class PacketFonts:
    """Sets up one FPDF document's fonts and, lazily, the CJK fallback when some text needs it."""

    pdf: FPDF
    unicode: bool = False
    _fallback_path: str | None = None
    _fallback_loaded: bool = False
    _shaping: bool = False

    @classmethod
    def install(cls, pdf: FPDF) -> PacketFonts:
        regular = Path(_setting("PDF_FONT", DEFAULT_FONT))
        bold = Path(_setting("PDF_FONT_BOLD", DEFAULT_FONT_BOLD))
        fallback = next((p for p in _setting("PDF_FALLBACK_FONTS", DEFAULT_FALLBACK_FONTS) if Path(p).is_file()), None)
        fonts = cls(pdf, _fallback_path=fallback)
        if regular.is_file():
            pdf.add_font(FAMILY, "", str(regular))
            pdf.add_font(FAMILY, "B", str(bold if bold.is_file() else regular))
            fonts.unicode = True
        elif fallback:
            # No Latin TTF: the CJK font covers basic Latin too, better than a core font.
            pdf.add_font(FAMILY, "", fallback)
            pdf.add_font(FAMILY, "B", fallback)
            fonts.unicode, fonts._fallback_loaded = True, True
        return fonts

    @property
    def family(self) -> str:
        return FAMILY if self.unicode else "Helvetica"

    def prepare(self, text: str) -> str:
        """Return `text` ready to draw: load the fallback font if the main one lacks a character, and
        replace with `?` what no font here can show (fpdf2 would otherwise log the missing characters,
        which are pieces of people's names)."""
        if not self.unicode:
            return text.encode("latin-1", "replace").decode("latin-1")
        if not self._shaping and _RIGHT_TO_LEFT.search(text) and shaping_available():
            # Arabic script (Uyghur) joins its letters and runs right to left: only a shaping engine draws it
            # readably. DejaVu Sans has the letters Uyghur uses and their joining forms.
            self.pdf.set_text_shaping(True)
            self._shaping = True
        cmap = self.pdf.fonts[FAMILY].cmap
        missing = {ch for ch in set(text) if ch > "\x7f" and not ch.isspace() and ord(ch) not in cmap}
        if not missing:
            return text
        if self._fallback_path and not self._fallback_loaded:
            self.pdf.add_font(FALLBACK_FAMILY, "", self._fallback_path)
            self.pdf.set_fallback_fonts([FALLBACK_FAMILY], exact_match=False)
            self._fallback_loaded = True
        if FALLBACK_FAMILY in self.pdf.fonts:
            fallback = self.pdf.fonts[FALLBACK_FAMILY].cmap
            missing = {ch for ch in missing if ord(ch) not in fallback}
        if missing:
            text = "".join("?" if ch in missing else ch for ch in text)
        return text
