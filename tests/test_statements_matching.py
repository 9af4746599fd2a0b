"""Keyword matching for the statement monitor: case, accents, whole words, Chinese."""

import pytest

from advocacy.folding import fold_text
from advocacy.statements.matching import KeywordMatcher, html_to_text

KEYWORDS = ["Guan Heng", "关恒", "#FreeGuanHeng"]


@pytest.mark.parametrize(
    "text",
    [
        "Statement on the detention of Guan Heng",
        "STATEMENT ON GUAN HENG'S DETENTION",
        "Gu\u00e1n H\u00e9ng must not be deported",
        "Gua\u0301n Heng (combining accent)",
        "free guan-heng today",
        "Guan\n  Heng",
        "\uff27\uff35\uff21\uff2e \uff28\uff25\uff2e\uff27 (full-width letters)",
        "关于关恒案的声明",
        "国会议员要求释放关恒",
        "Join us: #FreeGuanHeng",
        "(Guan Heng)",
    ],
)
def test_matches(text):
    match = KeywordMatcher(KEYWORDS).search(text)
    assert match is not None, text


@pytest.mark.parametrize(
    "text",
    [
        "Guanheng Street fair",
        "Hengshan county and Guanajuato",
        "Guan Hengshan spoke",
        "XGuan Heng",
        "关税问题的声明",
        "",
    ],
)
def test_does_not_match(text):
    assert KeywordMatcher(KEYWORDS).search(text) is None


def test_reports_the_organizers_keyword_and_the_original_span():
    text = "Senator urges DHS to release GU\u00c1N HENG, a witness to Xinjiang camps."
    match = KeywordMatcher(KEYWORDS).search(text)
    assert match.keyword == "Guan Heng"
    assert text[match.start : match.end] == "GU\u00c1N HENG"


def test_earliest_match_wins_and_longer_keyword_first():
    matcher = KeywordMatcher(["Guan", "Guan Heng"])
    match = matcher.search("On Guan Heng and Guan")
    assert match.keyword == "Guan Heng"
    match = KeywordMatcher(["关恒", "Guan Heng"]).search("关恒 (Guan Heng)")
    assert match.keyword == "关恒"


def test_snippet_cuts_at_words_and_marks_omissions():
    text = ("word " * 60) + "Guan Heng" + (" tail" * 60)
    match = KeywordMatcher(["Guan Heng"]).search(text)
    snippet = match.snippet(text, radius=30)
    assert snippet.startswith("…word") and snippet.endswith("tail…")
    assert "Guan Heng" in snippet
    assert len(snippet) < 80


def test_empty_matcher():
    matcher = KeywordMatcher(["", "  "])
    assert not matcher
    assert matcher.search("Guan Heng") is None


def test_fold_and_html_to_text():
    assert fold_text("Gu\u00e1n H\u00c9NG") == "guan heng"
    assert html_to_text("<p>Free&nbsp;<b>Guan</b>\n Heng &amp; others</p>") == "Free Guan Heng & others"


# --- Chinese by words, traditional and simplified, invisible characters (#25.3) ---------------------------


@pytest.mark.parametrize(
    "text",
    [
        "海关恒定汇率",  # customs (海关) + constant (恒定) exchange rate: 关恒 straddles two words
        "相关恒星",  # related (相关) + star (恒星)
        "海關恆定匯率",  # the same, in traditional characters
    ],
)
def test_chinese_keywords_are_not_found_inside_other_words(text):
    assert KeywordMatcher(KEYWORDS).search(text) is None


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("關恆案的聲明", "關恆"),  # traditional finds the simplified keyword
        ("支持关 恒的议员", "关 恒"),  # a space between the characters
        ("国会议员呼吁释放关\u200b恒。", "关\u200b恒"),  # a zero-width space between them
        ("关恒案", "关恒"),  # a name followed by 案 (case): still the name
    ],
)
def test_chinese_keywords_match_across_scripts_spaces_and_invisible_characters(text, found):
    match = KeywordMatcher(KEYWORDS).search(text)
    assert match is not None and match.keyword == "关恒"
    assert text[match.start : match.end] == found


def test_a_traditional_keyword_finds_simplified_text():
    assert KeywordMatcher(["關恆"]).search("关于关恒案的声明") is not None


@pytest.mark.parametrize("text", ["Guan\u200bHeng", "Gu\u00adan Heng", "Guan\ufeff Heng", "GUAN\u200b HENG"])
def test_invisible_characters_do_not_hide_a_latin_keyword(text):
    assert KeywordMatcher(["Guan Heng"]).search(text) is not None
