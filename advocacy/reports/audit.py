"""Recording and reading the audit log."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date

from flask import current_app, has_request_context, request
from flask_login import current_user
from sqlalchemy import func, select

from advocacy.auth.models import User
from advocacy.extensions import db
from advocacy.reports.filters import ReportFilters
from advocacy.reports.models import AuditEvent

ACTIONS = (
    "export.contacts",
    "export.offices",
    "export.statements",
    "export.packet",
    "export.packets",
    "export.download",  # a background export's file, fetched by its link
    "view.contacts",
    "privacy.purge",
    "privacy.lookup",
    "privacy.delete",
    "case.view",  # private case facts read (the purpose says where: page, packet)
    "case.edit",
    "case.file",  # a private case file opened
    "case.packet",  # a casework packet downloaded
    "supporters.unsubscribe",
    "user.invite",  # an admin invited an account (filters: user_id, role; never the email)
    "campaign.translations",  # an organizer saved a campaign's translations (filters: languages, complete ones)
    "update.translations",  # an organizer saved an update's translations (filters: the update's id, languages)
    "organization.update",  # an admin saved the organization settings (filters: the names of the fields changed)
    "photo.upload",  # an organizer uploaded a campaign photo (filters: its id, width, height, the ids it replaced)
    "photo.remove",  # an organizer removed a campaign's photo (filters: the ids removed; never names or words)
)
PAGE_SIZE = 50


def _ip_hash() -> str | None:
    """A keyed hash of the client address: lets an admin tie events together without storing the IP."""
    if not has_request_context() or not request.remote_addr:
        return None
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, request.remote_addr.encode(), hashlib.sha256).hexdigest()[:32]


def record(
    action: str,
    *,
    campaign: str | None = None,
    filters: dict | None = None,
    row_count: int | None = None,
    commit: bool = True,
) -> AuditEvent:
    """Add an audit event for the current user (web) or for the command line (no request, no user)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    web = has_request_context() and current_user.is_authenticated
    event = AuditEvent(
        user_id=current_user.id if web else None,
        source="web" if has_request_context() else "cli",
        action=action,
        campaign=campaign,
        filters=dict(filters or {}),
        row_count=row_count,
        ip_hash=_ip_hash(),
    )
    db.session.add(event)
    if commit:
        db.session.commit()
    return event


def set_row_count(event_id: int, row_count: int) -> None:
    """Fill in the row count of an export once its last row has gone out."""
    db.session.execute(AuditEvent.__table__.update().where(AuditEvent.id == event_id).values(row_count=row_count))
    db.session.commit()


@dataclass(frozen=True)
class AuditQuery:
    action: str | None = None
    user_id: int | None = None
    source: str | None = None
    campaign: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    page: int = 1


@dataclass(frozen=True)
class AuditPage:
    rows: list  # (AuditEvent, user email or None)
    total: int
    page: int
    pages: int


def list_events(query: AuditQuery) -> AuditPage:
    """Newest first, filtered, one page at a time."""
    stmt = select(AuditEvent, User.email).outerjoin(User, User.id == AuditEvent.user_id)
    if query.action:
        stmt = stmt.where(AuditEvent.action == query.action)
    if query.user_id:
        stmt = stmt.where(AuditEvent.user_id == query.user_id)
    if query.source:
        stmt = stmt.where(AuditEvent.source == query.source)
    if query.campaign:
        stmt = stmt.where(AuditEvent.campaign == query.campaign)
    bounds = ReportFilters(date_from=query.date_from, date_to=query.date_to)
    if bounds.start:
        stmt = stmt.where(AuditEvent.created_at >= bounds.start)
    if bounds.end:
        stmt = stmt.where(AuditEvent.created_at < bounds.end)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, query.page), pages)
    rows = db.session.execute(
        stmt.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return AuditPage(rows=[tuple(r) for r in rows], total=total, page=page, pages=pages)
