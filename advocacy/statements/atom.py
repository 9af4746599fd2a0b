"""An Atom feed of a campaign's statements, newest recorded first, for reporters and feed readers; a campaign
closed with an outcome puts the outcome first."""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 - we only build XML here, never parse it
from urllib.parse import urlsplit

from flask import current_app, request, url_for
from sqlalchemy import select

from advocacy.congress.offices import office_for
from advocacy.extensions import db
from advocacy.stances import KIND_LABELS
from advocacy.statements.models import Statement
from advocacy.statements.scoreboard import office_label

ATOM = "http://www.w3.org/2005/Atom"
LIMIT = 50


def _base_url() -> str:
    site = current_app.config["ADVOCACY_SETTINGS"].site_url
    return (site or request.url_root).rstrip("/")


def _tag_authority() -> str:
    return urlsplit(_base_url()).hostname or "localhost"


def _sub(parent: ET.Element, name: str, text: str | None = None, **attrs) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{name}", attrs)
    if text is not None:
        element.text = text
    return element


def new_feed(campaign, kind: str, title: str, page: str, self_url: str, updated) -> ET.Element:
    """A campaign's feed with its id (tag:…:campaign:<slug>:<kind>), title, updated time, links to `page` and to
    itself, and the campaign as author; entries are added by the caller."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _sub(feed, "id", f"tag:{_tag_authority()},2025:campaign:{campaign.slug}:{kind}")
    _sub(feed, "title", title)
    _sub(feed, "updated", updated.isoformat())
    _sub(feed, "link", rel="alternate", type="text/html", href=page)
    _sub(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    author = _sub(feed, "author")
    _sub(author, "name", campaign.title)
    return feed


def statements_atom(campaign) -> bytes:
    statements = db.session.scalars(
        select(Statement)
        .where(Statement.campaign_id == campaign.id)
        .order_by(Statement.created_at.desc(), Statement.id.desc())
        .limit(LIMIT)
    ).all()
    base = _base_url()
    page = base + url_for("scoreboard.show", slug=campaign.slug)
    authority = _tag_authority()
    updated = max((s.updated_at for s in statements), default=campaign.updated_at or campaign.created_at)
    if campaign.outcome:
        updated = max(updated, campaign.updated_at or updated)
    title = f"{campaign.title}: statements by members of Congress"
    feed = new_feed(campaign, "statements", title, page, base + url_for("scoreboard.atom", slug=campaign.slug), updated)
    if campaign.outcome:
        _outcome_entry(feed, campaign, authority, base + url_for("letters.campaign_page", slug=campaign.slug))
    for s in statements:
        office = office_for(s.bioguide_id, include_former=True)
        who = office_label(office) if office else s.bioguide_id
        entry = _sub(feed, "entry")
        _sub(entry, "id", f"tag:{authority},{s.created_at:%Y-%m-%d}:campaign:{campaign.slug}:statement:{s.id}")
        _sub(entry, "title", f"{who}: {s.stance} ({KIND_LABELS.get(s.kind, s.kind).lower()}, {s.date.isoformat()})")
        _sub(entry, "link", rel="alternate", href=s.source_url)
        _sub(entry, "link", rel="related", type="text/html", href=page)
        _sub(entry, "published", s.created_at.isoformat())
        _sub(entry, "updated", s.updated_at.isoformat())
        summary = s.quote_or_summary or f"{who} made a statement ({s.stance})."
        _sub(entry, "summary", summary, type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _outcome_entry(feed: ET.Element, campaign, authority: str, page: str) -> None:
    """How the campaign ended. Its id stays the same if the outcome is corrected; `updated` says when."""
    when = campaign.outcome_date
    entry = _sub(feed, "entry")
    _sub(entry, "id", f"tag:{authority},2025:campaign:{campaign.slug}:outcome")
    title = f"{campaign.detainee_name}: {campaign.outcome_label}" + (f" ({when.isoformat()})" if when else "")
    _sub(entry, "title", title)
    _sub(entry, "link", rel="alternate", type="text/html", href=page)
    stamp = (campaign.updated_at or campaign.created_at).isoformat()
    _sub(entry, "published", stamp)
    _sub(entry, "updated", stamp)
    _sub(
        entry, "summary", campaign.outcome_message or f"The campaign is closed: {campaign.outcome_label}.", type="text"
    )
