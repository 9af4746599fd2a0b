"""Members of Congress, their district offices and committees, and the ZIP-to-district crosswalk.

Rows are written only by the sync commands (`legislators sync`, `districts sync`); the web side reads them
through the in-process roster in `advocacy.congress.offices`.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from advocacy.db import utcnow
from advocacy.extensions import db


class Member(db.Model):
    """A member of Congress. Members who leave are kept with `in_office=False` so letters stay linked."""

    __tablename__ = "members"

    bioguide_id: Mapped[str] = mapped_column(String(10), primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100))
    middle_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    suffix: Mapped[str | None] = mapped_column(String(20))
    nickname: Mapped[str | None] = mapped_column(String(100))
    official_full: Mapped[str | None] = mapped_column(String(200))
    gender: Mapped[str | None] = mapped_column(String(1))
    chamber: Mapped[str] = mapped_column(String(6))  # "senate" | "house"
    state: Mapped[str] = mapped_column(String(2))
    district: Mapped[int | None] = mapped_column(Integer)  # None for senators; 0 = at-large
    senate_class: Mapped[int | None] = mapped_column(Integer)
    state_rank: Mapped[str | None] = mapped_column(String(10))
    party: Mapped[str] = mapped_column(String(40))
    term_start: Mapped[date]
    term_end: Mapped[date]
    phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(300))
    office: Mapped[str | None] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(300))
    contact_form: Mapped[str | None] = mapped_column(String(300))
    rss_url: Mapped[str | None] = mapped_column(String(300))
    social: Mapped[dict] = mapped_column(JSON, default=dict)
    external_ids: Mapped[dict] = mapped_column(JSON, default=dict)  # govtrack, lis, thomas, fec, ...
    in_office: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    left_office_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_members_in_office_state", "in_office", "state"),
        Index("ix_members_state_district", "state", "district"),
    )

    def __repr__(self) -> str:
        return f"<Member {self.bioguide_id} {self.chamber} {self.state}-{self.district}>"


class DistrictOffice(db.Model):
    """An office a member keeps in their state, with its location for "nearest office"."""

    __tablename__ = "district_offices"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)  # the data's own id, e.g. "A000055-cullman"
    bioguide_id: Mapped[str] = mapped_column(ForeignKey("members.bioguide_id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)  # order in the source file
    address: Mapped[str | None] = mapped_column(String(300))
    suite: Mapped[str | None] = mapped_column(String(100))
    building: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(2))
    zip: Mapped[str | None] = mapped_column(String(10))
    phone: Mapped[str | None] = mapped_column(String(40))
    fax: Mapped[str | None] = mapped_column(String(40))
    hours: Mapped[str | None] = mapped_column(String(300))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)


class Committee(db.Model):
    """A committee (`HSAG`) or subcommittee (`HSAG15`, with `parent_id`)."""

    __tablename__ = "committees"

    thomas_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("committees.thomas_id"), index=True)
    chamber: Mapped[str] = mapped_column(String(10))  # "house" | "senate" | "joint"
    name: Mapped[str] = mapped_column(String(300))
    chamber_committee_id: Mapped[str | None] = mapped_column(String(10))  # house_/senate_committee_id
    url: Mapped[str | None] = mapped_column(String(300))
    minority_url: Mapped[str | None] = mapped_column(String(300))
    address: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(40))
    rss_url: Mapped[str | None] = mapped_column(String(300))
    minority_rss_url: Mapped[str | None] = mapped_column(String(300))
    jurisdiction: Mapped[str | None] = mapped_column(Text)


class CommitteeMembership(db.Model):
    """A member's seat on a committee or subcommittee."""

    __tablename__ = "committee_memberships"

    committee_id: Mapped[str] = mapped_column(ForeignKey("committees.thomas_id"), primary_key=True)
    bioguide_id: Mapped[str] = mapped_column(ForeignKey("members.bioguide_id"), primary_key=True, index=True)
    party: Mapped[str | None] = mapped_column(String(10))  # "majority" | "minority"
    rank: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(String(100))
    chamber: Mapped[str | None] = mapped_column(String(10))  # only on joint committees


class ZipDistrict(db.Model):
    """One (ZCTA, congressional district) pair; a ZIP in several districts has several rows.

    The primary key starts with `zcta`, so looking a ZIP up is an index range scan.
    """

    __tablename__ = "zip_districts"

    zcta: Mapped[str] = mapped_column(String(5), primary_key=True)
    state: Mapped[str] = mapped_column(String(2), primary_key=True)
    district: Mapped[int] = mapped_column(Integer, primary_key=True)  # 0 = at-large
    state_fips: Mapped[str] = mapped_column(String(2))


class CongressDataset(db.Model):
    """One row per synced dataset; `version` goes up whenever a sync changes data, which tells every
    process that its in-memory roster or crosswalk cache is stale."""

    __tablename__ = "congress_datasets"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)  # "legislators" | "districts"
    version: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str | None] = mapped_column(String(500))
    rows: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime | None]
    checked_at: Mapped[datetime | None]


class CongressRelease(db.Model):
    """A roster or crosswalk for a Congress, loaded ahead of time and applied at `effective_at` (for the 120th:
    noon Eastern on 3 January 2027) by `legislators switch`, with no deploy. The files are kept as read, so
    what is applied is exactly what was checked when it was loaded."""

    __tablename__ = "congress_releases"

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset: Mapped[str] = mapped_column(String(20))  # "legislators" | "districts"
    congress: Mapped[int] = mapped_column(Integer)
    effective_at: Mapped[datetime]  # UTC
    source: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    applied_at: Mapped[datetime | None]
    report: Mapped[str | None] = mapped_column(Text)  # what applying it changed, as `sync` prints it

    __table_args__ = (Index("ix_congress_releases_applied_at_effective_at", "applied_at", "effective_at"),)


class CongressReleaseFile(db.Model):
    __tablename__ = "congress_release_files"

    release_id: Mapped[int] = mapped_column(ForeignKey("congress_releases.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class CongressRoster(db.Model):
    """A Congress whose roster is kept (`RosterMember`): from the sync of the live data, or loaded ahead for the
    next Congress. Lookups use, at each moment, the latest roster whose `effective_at` has passed."""

    __tablename__ = "congress_rosters"

    congress: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    effective_at: Mapped[datetime]  # UTC: noon Eastern on 3 January, or as given with --effective
    source: Mapped[str] = mapped_column(String(500))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class RosterMember(db.Model):
    """A member as they served in one Congress (their seat, party, names, DC office, contact routes and district
    offices as the data had them), kept after the Congress ends, so that history names who held a seat then.
    A member who left during the Congress keeps the row, with `left_at`."""

    __tablename__ = "roster_members"

    congress: Mapped[int] = mapped_column(ForeignKey("congress_rosters.congress", ondelete="CASCADE"), primary_key=True)
    bioguide_id: Mapped[str] = mapped_column(String(10), primary_key=True)
    chamber: Mapped[str] = mapped_column(String(6))
    state: Mapped[str] = mapped_column(String(2))
    district: Mapped[int | None] = mapped_column(Integer)
    party: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    record: Mapped[dict] = mapped_column(JSON)  # the member's row as loaded (dates as ISO strings)
    district_offices: Mapped[list] = mapped_column(JSON, default=list)  # in file order
    left_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_roster_members_seat", "congress", "state", "district"),
        Index("ix_roster_members_bioguide_id", "bioguide_id"),
    )


CONGRESS_TABLES = frozenset(
    {
        "members",
        "district_offices",
        "committees",
        "committee_memberships",
        "zip_districts",
        "congress_datasets",
        "congress_releases",
        "congress_release_files",
        "congress_rosters",
        "roster_members",
    }
)
