"""Delivery packets: a PDF per office (cover page, then each letter) and a ZIP of them all.

The PDFs are read back with pypdf to prove names in any script are really in them.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from advocacy.reports.fonts import DEFAULT_FALLBACK_FONTS, DEFAULT_FONT
from advocacy.reports.models import AuditEvent
from tests.factories import SENATOR, make_action, make_campaign, make_letter, make_sample_campaign

CJK_FONT = next((p for p in DEFAULT_FALLBACK_FONTS if Path(p).is_file()), None)
needs_dejavu = pytest.mark.skipif(
    not Path(DEFAULT_FONT).is_file(), reason=f"{DEFAULT_FONT} missing: run scripts/install-fonts"
)
needs_cjk = pytest.mark.skipif(CJK_FONT is None, reason="no CJK font installed: run scripts/install-fonts")


def pdf_pages(data: bytes) -> list[str]:
    assert data.startswith(b"%PDF-")
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def three_names():
    campaign = make_campaign()
    people = [
        ("锋锁", "周", "北京路 12 号 (Apt 3)", "Flushing", "我支持他。"),
        ("Thị Minh", "Nguyễn", "1 Đường Láng", "San José", "Xin hãy giúp đỡ."),
        ("Siobhán", "O'Brien", "12 Ó Conaill St", "Boston", "Please help."),
    ]
    for i, (first, last, address, city, message) in enumerate(people):
        action = make_action(campaign, first, last, f"p{i}@example.org", address=address, city=city)
        make_letter(action, SENATOR, personal_message=message)
    return campaign


@needs_dejavu
@needs_cjk
def test_packet_holds_names_in_every_script(staff_client, db):
    three_names()
    response = staff_client.get("/staff/campaigns/guan-heng/packets/G000555.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "guan-heng-packet-G000555-" in response.headers["Content-Disposition"]
    pages = pdf_pages(response.data)
    assert len(pages) == 4  # the cover, then one page per letter
    cover = pages[0]
    assert "Free Guan Heng" in cover
    assert "Senator Kirsten E. Gillibrand (NY)" in cover
    assert "Constituents: 3" in cover and "Letters: 3" in cover
    assert "March 3, 2025 to March 3, 2025" in cover
    text = "\n".join(pages[1:])
    for expected in (
        "锋锁 周",
        "北京路 12 号",
        "我支持他。",
        "Thị Minh Nguyễn",
        "1 Đường Láng",
        "Siobhán O'Brien",
        "Ó Conaill",
    ):
        assert expected in text, expected
    assert "Subject: Please speak up for Guan Heng" in pages[1]
    assert "In the constituent's own words:" in pages[1]


@needs_dejavu
def test_latin_packet_does_not_embed_the_cjk_font(staff_client, db):
    campaign = make_campaign()
    make_letter(make_action(campaign, "Siobhán", "O'Brien"), SENATOR)
    data = staff_client.get("/staff/campaigns/guan-heng/packets/G000555.pdf").data
    fonts = {str(f) for page in PdfReader(io.BytesIO(data)).pages for f in page["/Resources"]["/Font"].values()}
    text = "\n".join(pdf_pages(data))
    assert "Siobhán O'Brien" in text
    assert len(data) < 200_000
    assert fonts


def test_packet_prints_the_constituents_own_words_once(staff_client, db):
    campaign = make_campaign()
    action = make_action(campaign, "Siobhán", "O'Brien")
    words = "My neighbour filmed the camps and must not be sent back."
    body = f"Dear Senator Kirsten E. Gillibrand,\n\nPlease act.\n\n{words}\n\nSincerely,\nSiobhán O'Brien"
    make_letter(action, SENATOR, body=body, personal_message=words)
    text = " ".join(
        "\n".join(pdf_pages(staff_client.get("/staff/campaigns/guan-heng/packets/G000555.pdf").data)).split()
    )
    assert text.count("must not be sent back") == 1
    assert "In the constituent's own words:" not in text


@pytest.mark.parametrize("app_config", [{"PDF_FONT": "/nonexistent/font.ttf", "PDF_FALLBACK_FONTS": ()}])
def test_packet_renders_without_any_font_file(staff_client, db, app_config):
    three_names()
    response = staff_client.get("/staff/campaigns/guan-heng/packets/G000555.pdf")
    assert response.status_code == 200
    text = "\n".join(pdf_pages(response.data))
    # The core font shows Latin-1 and replaces the rest instead of failing.
    assert "Siobhán O'Brien" in text
    assert "Letters: 3" in text


def test_packet_filters_and_unknown_office(staff_client, db):
    make_sample_campaign()
    ok = staff_client.get("/staff/campaigns/guan-heng/packets/G000555.pdf", query_string={"status": "failed"})
    pages = pdf_pages(ok.data)
    assert len(pages) == 2 and "Letters: 1" in pages[0]
    assert staff_client.get("/staff/campaigns/guan-heng/packets/P000197.pdf?status=sent").status_code == 404
    assert staff_client.get("/staff/campaigns/guan-heng/packets/Z999999.pdf").status_code == 404
    assert staff_client.get("/staff/campaigns/guan-heng/packets/G000555.pdf?part=2").status_code == 404
    bad = staff_client.get("/staff/campaigns/guan-heng/packets/G000555.pdf?from=soon")
    assert bad.status_code == 400 and "Nothing was exported" in bad.get_data(as_text=True)


def test_zip_has_one_packet_per_office_and_is_audited(staff_client, db):
    make_sample_campaign()
    response = staff_client.get("/staff/campaigns/guan-heng/packets.zip")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    offices = sorted(name.split("-packet-")[1].rsplit("-", 3)[0] for name in archive.namelist())
    assert offices == ["E000297", "G000555", "P000145", "P000197", "S000148", "custom-1"]
    letters = sum(len(pdf_pages(archive.read(name))) - 1 for name in archive.namelist())
    assert letters == 8
    event = db.session.scalars(select(AuditEvent)).one()
    assert (event.action, event.row_count, event.user_id) == ("export.packets", 8, staff_client.user.id)


def test_large_offices_are_split_into_volumes(app, db, monkeypatch):
    from advocacy.reports import packets
    from advocacy.reports.filters import ReportFilters

    monkeypatch.setattr(packets, "VOLUME", 2)
    campaign = make_campaign()
    for i in range(5):
        make_letter(make_action(campaign, f"Person{i}", "Test", f"p{i}@example.org"), SENATOR)
    office = packets.find_office(campaign, "G000555", ReportFilters())
    assert office.volumes == 3
    sizes = [packets.build_packet(campaign, office, ReportFilters(), v)[1] for v in (1, 2, 3)]
    assert sizes == [2, 2, 1]
    with pytest.raises(packets.PacketError):
        packets.build_packet(campaign, office, ReportFilters(), 4)


@pytest.mark.parametrize(
    "first, last, shown",
    [("锋锁", "周", "周锋锁"), ("민수", "김", "김민수"), ("Thị Minh", "Nguyễn", "Thị Minh Nguyễn"), ("Ana", "", "Ana")],
)
def test_display_name_orders_east_asian_names_family_first(first, last, shown):
    from advocacy.reports.packets import display_name

    assert display_name(first, last) == shown


@needs_dejavu
@pytest.mark.parametrize("app_config", [{"PDF_FALLBACK_FONTS": ()}])
def test_without_a_cjk_font_names_degrade_quietly(staff_client, db, caplog, app_config):
    three_names()
    response = staff_client.get("/staff/campaigns/guan-heng/packets/G000555.pdf")
    assert response.status_code == 200
    text = "\n".join(pdf_pages(response.data))
    assert "Thị Minh Nguyễn" in text and "Siobhán O'Brien" in text
    assert "???" in text and "周" not in text
    # Nothing about the characters of anyone's name reaches the log.
    assert "missing the following glyphs" not in caplog.text


@needs_dejavu
def test_uyghur_words_are_shaped_right_to_left_in_the_packet(staff_client, db):
    """Issue 21: a constituent's own words in Uyghur (Arabic script) are drawn with joined letters, right to
    left, through fpdf2's text shaping (uharfbuzz); Latin-only packets are drawn as before."""
    from advocacy.reports.pdf import PacketDocument

    campaign = make_campaign()
    action = make_action(campaign, "Aygül", "Tursun", "ay@example.org")
    make_letter(action, SENATOR, personal_message="بۇ ئىش مەن ئۈچۈن مۇھىم.")
    text = "\n".join(pdf_pages(staff_client.get("/staff/campaigns/guan-heng/packets/G000555.pdf").data))
    assert "بۇ ئىش مەن ئۈچۈن مۇھىم" in text and "?" not in text.split("own words:")[1][:40]
    latin, uyghur = PacketDocument("x"), PacketDocument("x")
    for doc, words in ((latin, "Please help."), (uyghur, "بۇ ئىش مەن ئۈچۈن مۇھىم.")):
        doc.add_page()
        doc.para(words)
    assert not latin.text_shaping and uyghur.text_shaping
