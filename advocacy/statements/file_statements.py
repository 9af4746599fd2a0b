"""The statements a campaign file carries, recorded when `flask campaigns load` reads it (a section of the file
that campaigns/loading.py hands to the statements)."""

from __future__ import annotations

from sqlalchemy import select

from advocacy.campaigns.files import CampaignFileError, CampaignSpec
from advocacy.campaigns.loading import section_loader
from advocacy.campaigns.models import Campaign
from advocacy.extensions import db
from advocacy.statements.models import Statement
from advocacy.statements.services import StatementError, record_statement


@section_loader
def add_file_statements(campaign: Campaign, spec: CampaignSpec) -> str | None:
    """Record the file's statements that are not recorded yet (same office, date and source). Statements
    recorded on the organizer pages are kept: the file adds, it never deletes."""
    added = False
    for i, item in enumerate(spec.statements):
        known = db.session.scalar(
            select(Statement.id).where(
                Statement.campaign_id == campaign.id,
                Statement.bioguide_id == item.bioguide_id,
                Statement.date == item.date,
                Statement.source_url == item.source_url,
            )
        )
        if known is not None:
            continue
        try:
            record_statement(campaign.id, item, user_id=None, commit=False)
        except StatementError as exc:
            hint = " (load the members first: flask legislators sync)" if "bioguide_id" in exc.fields else ""
            raise CampaignFileError(spec.source, None, f"statements[{i}]", f"{exc}{hint}") from None
        added = True
    return "statements" if added else None
