"""An Atom feed of a campaign's updates (those sent to supporters), newest first."""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 - we only build XML here, never parse it

from flask import url_for
from markupsafe import escape

from advocacy.statements.atom import _base_url, _sub, _tag_authority, new_feed
from advocacy.updates.services import published, render_body


def updates_atom(campaign) -> bytes:
    updates = published(campaign.id, limit=50)
    base = _base_url()
    page = base + url_for("letters.campaign_page", slug=campaign.slug)
    authority = _tag_authority()
    newest = updates[0].sent_at if updates else (campaign.updated_at or campaign.created_at)
    self_url = base + url_for("updates.atom", slug=campaign.slug)
    feed = new_feed(campaign, "updates", f"{campaign.title}: updates", page, self_url, newest)
    for update in updates:
        entry = _sub(feed, "entry")
        _sub(entry, "id", f"tag:{authority},{update.sent_at:%Y-%m-%d}:campaign:{campaign.slug}:update:{update.id}")
        _sub(entry, "title", update.title)
        _sub(entry, "link", rel="alternate", type="text/html", href=f"{page}#update-{update.id}")
        _sub(entry, "published", update.sent_at.isoformat())
        _sub(entry, "updated", update.sent_at.isoformat())
        html = render_body(update)
        if update.ask:
            html += f"<p><strong>{escape(update.ask)}</strong></p>"
        _sub(entry, "content", html, type="html")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
