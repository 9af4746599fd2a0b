"""Office actions beyond statements (letters to DHS/ICE, inquiries, remarks, joint letters, meetings,
refusals), and what the scoreboard shows of them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from advocacy.campaigns.validation import check_source_url
from advocacy.casework.facts import CaseworkError, store_file
from advocacy.casework.models import ActionKind, FileKind, OfficeAction
from advocacy.congress.offices import office_for
from advocacy.extensions import db
from advocacy.statements import scoreboard


@dataclass(frozen=True)
class ActionInput:
    bioguide_id: str
    date: dt.date
    kind: str
    evidence_url: str = ""
    note: str = ""
    evidence_name: str = ""
    evidence_data: bytes = b""


def record_action(campaign, data: ActionInput, user_id: int | None) -> OfficeAction:
    """Check, store the evidence file (encrypted) if any, add the action and commit."""
    if office_for(data.bioguide_id) is None:
        raise CaseworkError("bioguide_id", "Choose a sitting member's office.")
    if data.kind not in set(ActionKind):
        raise CaseworkError("kind", "Choose what the office did.")
    if data.date > dt.date.today():
        raise CaseworkError("date", "The date cannot be in the future.")
    if data.evidence_url and (problem := check_source_url(data.evidence_url)):
        raise CaseworkError("evidence_url", f"The evidence address {problem}.")
    if not data.evidence_url and not data.evidence_data:
        raise CaseworkError("evidence_url", "Give the evidence: a web address or an uploaded file.")
    if len(data.note) > 2000:
        raise CaseworkError("note", "At most 2000 characters.")
    evidence = None
    if data.evidence_data:
        evidence = store_file(campaign, FileKind.EVIDENCE.value, data.evidence_name, data.evidence_data, user_id)
        db.session.flush()
    action = OfficeAction(
        campaign_id=campaign.id,
        bioguide_id=data.bioguide_id,
        date=data.date,
        kind=data.kind,
        evidence_url=data.evidence_url,
        evidence_file_id=evidence.id if evidence else None,
        note=data.note,
        recorded_by_id=user_id,
    )
    db.session.add(action)
    db.session.commit()
    scoreboard.board_changed(campaign.id)
    return action


def actions_for(campaign_id: int) -> list[OfficeAction]:
    return list(
        db.session.scalars(
            select(OfficeAction)
            .where(OfficeAction.campaign_id == campaign_id)
            .order_by(OfficeAction.date.desc(), OfficeAction.id.desc())
        )
    )


def _scoreboard_actions(campaign_id: int) -> list[scoreboard.ActionEntry]:
    """The public face of every action: kind, date, the stance it implies and a public evidence address
    (uploaded evidence stays private)."""
    return [
        scoreboard.ActionEntry(
            id=a.id,
            bioguide_id=a.bioguide_id,
            date=a.date,
            kind=a.kind,
            label=ActionKind(a.kind).label,
            implied_stance=ActionKind(a.kind).implied_stance,
            evidence_url=a.evidence_url or None,
        )
        for a in actions_for(campaign_id)
    ]


def _actions_stamp(campaign_id: int) -> list:
    """Columns for the scoreboard's stamp query: the campaign's action count and newest id."""
    mine = OfficeAction.campaign_id == campaign_id
    return [
        select(func.count(OfficeAction.id)).where(mine).scalar_subquery(),
        select(func.max(OfficeAction.id)).where(mine).scalar_subquery(),
    ]


scoreboard.register_action_source(_scoreboard_actions, _actions_stamp)
