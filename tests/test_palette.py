"""The public pages' colours meet WCAG 2.2 AA, computed from static/site.css and the state grid's scale, so the
CSS cannot drift: 4.5:1 for text, 3:1 for the focus ring against every background it can sit on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from advocacy.statements.stategrid import HIGHLIGHT, SCALE

CSS = (Path(__file__).resolve().parent.parent / "static" / "site.css").read_text()
ROOT_VARS = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", re.search(r":root\s*\{(.*?)\}", CSS, re.S)[1]))


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def var(name: str) -> str:
    return ROOT_VARS[name]


LIGHT_BACKGROUNDS = {"paper": var("paper"), "wash": var("wash"), "mine row": "#fff6e0"}
TEXT_PAIRS = [
    ("ink", "paper"),
    ("ink", "wash"),
    ("muted", "paper"),
    ("muted", "wash"),
    ("accent", "paper"),
    ("accent", "wash"),
    ("accent-ink", "accent"),
    ("danger", "paper"),
    ("danger", "wash"),
    ("ok", "paper"),
    ("warn", "paper"),
]


@pytest.mark.parametrize(("text", "background"), TEXT_PAIRS)
def test_text_colours_reach_4_5_to_1(text, background):
    assert contrast(var(text), var(background)) >= 4.5, (text, background)


@pytest.mark.parametrize("stance", ["support", "neutral", "oppose"])
def test_stance_badges_white_text_reaches_4_5_to_1(stance):
    assert contrast("#ffffff", var(stance)) >= 4.5


@pytest.mark.parametrize(("lowest", "fill", "ink", "label"), SCALE)
def test_every_state_grid_tile_label_reaches_4_5_to_1(lowest, fill, ink, label):
    assert contrast(fill, ink) >= 4.5, label


def test_the_focus_ring_reaches_3_to_1_on_every_background():
    ring = re.search(r":focus-visible\s*\{[^}]*outline:\s*\d+px solid var\(--([\w-]+)\)", CSS)[1]
    for name, background in LIGHT_BACKGROUNDS.items():
        assert contrast(var(ring), background) >= 3, name
    on_dark = re.search(r"\.site-header a:focus-visible[^{]*\{[^}]*outline-color:\s*var\(--([\w-]+)\)", CSS)[1]
    assert contrast(var(on_dark), var("ink")) >= 3  # the header's background


def test_a_focused_tile_and_your_state_look_different_and_both_show():
    tile_focus = re.search(r"\.state-grid a:focus-visible rect\s*\{[^}]*stroke:\s*var\(--([\w-]+)\)", CSS)[1]
    assert var(tile_focus) != HIGHLIGHT
    assert contrast(var(tile_focus), var("paper")) >= 3 and contrast(HIGHLIGHT, var("paper")) >= 3
