"""The PDF document behind a delivery packet: page size, margins, footer, paragraphs in our fonts.

Imported only when a packet is built, so fpdf2 (about 20 MB) stays out of web workers that never build one.
"""

from __future__ import annotations

from fpdf import FPDF

from advocacy.reports.fonts import PacketFonts


class PacketDocument(FPDF):
    def __init__(self, footer_text: str):
        super().__init__(format="letter")
        self.footer_text = footer_text
        self.set_margins(22, 20, 22)
        self.set_auto_page_break(True, margin=20)
        self.fonts_ = PacketFonts.install(self)

    def footer(self):
        self.set_y(-14)
        self.set_font(self.fonts_.family, size=8)
        self.set_text_color(90)
        self.cell(0, 6, self.fonts_.prepare(f"{self.footer_text} · page {self.page_no()}"), align="C")
        self.set_text_color(0)

    def para(self, text: str, size: float = 11, bold: bool = False, gap: float = 2) -> None:
        self.set_font(self.fonts_.family, "B" if bold else "", size)
        self.multi_cell(0, size * 0.5, self.fonts_.prepare(text), align="L", new_x="LMARGIN", new_y="NEXT")
        self.ln(gap)
