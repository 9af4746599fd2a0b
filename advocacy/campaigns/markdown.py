"""A campaign's story: Markdown rendered by markdown-it-py, then sanitized by nh3."""

from __future__ import annotations

from functools import cache

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "h2", "h3", "h4", "code", "pre", "hr"}
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})


@cache
def _markdown() -> MarkdownIt:
    # Raw HTML in the source is shown as text, not passed through; nh3 is the second fence.
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def render_story(source: str) -> str:
    """Markdown to HTML that is safe to put on a public page."""
    if not source.strip():
        return ""
    md = _markdown()
    tokens = md.parse(source)
    for token in tokens:
        # The page's own title is the only h1: story headings start at h2 and stop at h4.
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 4)}"
    html = md.renderer.render(tokens, md.options, {})
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_SCHEMES),
        link_rel="noopener nofollow",
        strip_comments=True,
    ).strip()
