"""Campaign files: `campaigns load PATH` creates or updates, is idempotent, and refuses bad files
with one line naming the file, the line and the field, changing nothing."""

from __future__ import annotations

import shutil
import textwrap
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from advocacy.campaigns.files import CampaignFileError, read_campaign_file
from advocacy.campaigns.models import Campaign, LetterTemplate
from advocacy.campaigns.rendering import render_letter
from advocacy.campaigns.samples import SAMPLE_CONSTITUENTS, SAMPLE_OFFICES
from advocacy.campaigns.services import CampaignStateError, publish
from advocacy.config import PROJECT_ROOT
from advocacy.statements.models import Statement
from tests.conftest import make_app

CAMPAIGNS_DIR = PROJECT_ROOT / "campaigns"
SHIPPED = sorted(p.parent.name for p in CAMPAIGNS_DIR.glob("*/campaign.yaml"))

MINIMAL = """\
slug: {slug}
title: Free Ana
status: draft
detainee:
  name: Ana Example
ask: Support her release.
story: |
  Ana is held.
keywords: [Ana Example]
letters:
  - name: Everyone
    chamber: any
    stance: any
    subject: Please help {{{{ campaign.detainee_name }}}}
    body_file: letter.txt
"""
LETTER = "{{ office.salutation }},\n\nPlease help.\n\n{{ constituent.full_name }}\n"


def write_campaign(root: Path, slug: str = "ana-example", yaml_text: str | None = None, letter: str = LETTER) -> Path:
    folder = root / slug
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "campaign.yaml").write_text(yaml_text if yaml_text is not None else MINIMAL.format(slug=slug))
    (folder / "letter.txt").write_text(letter)
    return folder


def load(runner, path, *args):
    return runner.invoke(args=["campaigns", "load", str(path), *args])


def campaign_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Campaign))


@pytest.mark.parametrize("slug", SHIPPED)
def test_every_shipped_campaign_loads_and_reloads_unchanged(runner, db, congress_data, slug):
    result = load(runner, CAMPAIGNS_DIR / slug)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"{slug}: created"
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
    assert campaign.letters and campaign.story_html
    again = load(runner, CAMPAIGNS_DIR / slug)
    assert again.exit_code == 0 and again.output.strip() == f"{slug}: unchanged"


def test_the_whole_campaigns_folder_loads(runner, db, congress_data):
    result = load(runner, CAMPAIGNS_DIR)
    assert result.exit_code == 0, result.output
    assert sorted(line.split(":")[0] for line in result.output.splitlines()) == SHIPPED
    assert campaign_count(db) == len(SHIPPED)


def test_guan_heng_campaign_tells_the_public_record(runner, db, congress_data):
    """Closed and won (granted asylum 2026-01-28, released 2026-02-03), with its timeline and Rep.
    Krishnamoorthi's letter of 2025-12-12; nothing says he is still detained or asks for bond."""
    assert load(runner, CAMPAIGNS_DIR / "guan-heng" / "campaign.yaml").exit_code == 0
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == "guan-heng"))
    assert campaign.status == "closed" and campaign.detainee_name == "Guan Heng" and not campaign.sample
    assert (campaign.outcome, campaign.outcome_result, campaign.outcome_date) == ("released", "won", date(2026, 2, 3))
    assert campaign.accepts_thanks and "granted Guan Heng asylum on 28 January 2026" in campaign.outcome_message
    assert {"Guan Heng", "关恒", "Heng Guan"} <= set(campaign.keywords + campaign.aliases)
    assert campaign.include_delegation and campaign.custom_targets == []
    assert campaign.cwc_topic == "Immigration"
    assert "<script" not in campaign.story_html
    dates = [event["date"] for event in campaign.timeline]
    assert {"2025-08", "2025-12-12", "2025-12-19", "2026-01-28", "2026-02-03"} <= set(dates)
    assert all(event["source"] for event in campaign.timeline)
    statement = db.session.scalars(select(Statement).where(Statement.campaign_id == campaign.id)).one()
    assert (statement.bioguide_id, statement.date, statement.kind, statement.stance) == (
        "K000391",
        date(2025, 12, 12),
        "letter_to_dhs_ice",
        "supports",
    )
    assert statement.source_url == "https://democrats-selectcommitteeontheccp.house.gov/"
    assert [(letter.chamber, letter.stance) for letter in campaign.letters] == [("any", "spoken")]

    folder_text = " ".join(p.read_text() for p in (CAMPAIGNS_DIR / "guan-heng").iterdir())
    for stale in ("still detained", "remains in detention", "on bond", "behind bars"):
        assert stale not in folder_text
    _, thanks = render_letter(campaign, campaign.letters, SAMPLE_CONSTITUENTS[1], SAMPLE_OFFICES[1], "spoken")
    assert thanks.startswith("Dear Representative Whitfield,")
    assert "granted him asylum" in thanks and "released from ICE detention" in thanks


def test_the_sample_campaign_is_plainly_a_sample(runner, db):
    assert load(runner, CAMPAIGNS_DIR / "sample-campaign").exit_code == 0
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == "sample-campaign"))
    assert campaign.sample and campaign.status == "live" and campaign.outcome is None
    assert campaign.detainee_name == "Sample Q. Person" and "not a real person" in campaign.story_html


def test_a_sample_is_refused_live_in_production_and_nothing_is_written(app, db, tmp_path):
    env = {"ADVOCACY_ENV": "production", "ADVOCACY_SECRET_KEY": "p" * 40}
    production = make_app(app.config["SQLALCHEMY_DATABASE_URI"], ENVIRON=env)
    with production.app_context():  # the command runs in the current app context: this one
        result = production.test_cli_runner().invoke(args=["campaigns", "load", str(CAMPAIGNS_DIR / "sample-campaign")])
    assert result.exit_code != 0
    assert result.output.strip().splitlines() == [
        "Error: campaigns/sample-campaign/campaign.yaml: status: a sample campaign cannot be live in production "
        "(ADVOCACY_ENV=production); set status: draft"
    ]
    assert campaign_count(db) == 0
    # As a draft it loads (organizers may look at it), and still cannot be published there.
    folder = shutil.copytree(CAMPAIGNS_DIR / "sample-campaign", tmp_path / "sample-campaign")
    text = (folder / "campaign.yaml").read_text().replace("status: live", "status: draft")
    (folder / "campaign.yaml").write_text(text)
    with production.app_context():
        assert production.test_cli_runner().invoke(args=["campaigns", "load", str(folder)]).exit_code == 0
        campaign = db.session.scalar(select(Campaign))
        with pytest.raises(CampaignStateError, match="cannot go live in production"):
            publish(campaign)
        db.session.remove()
        production.extensions["sqlalchemy"].engine.dispose()
    assert campaign_count(db) == 1


def test_load_accepts_a_folder_of_folders_a_folder_or_the_yaml(runner, db, tmp_path):
    write_campaign(tmp_path, "first-one")
    write_campaign(tmp_path, "second-one")
    result = load(runner, tmp_path)
    assert result.exit_code == 0 and result.output.splitlines() == ["first-one: created", "second-one: created"]
    assert load(runner, tmp_path / "first-one").output.strip() == "first-one: unchanged"
    assert load(runner, tmp_path / "second-one" / "campaign.yaml").output.strip() == "second-one: unchanged"


def test_changes_are_applied_and_reported(runner, db, tmp_path):
    folder = shutil.copytree(CAMPAIGNS_DIR / "sample-campaign", tmp_path / "sample-campaign")
    assert load(runner, folder).exit_code == 0
    text = (folder / "campaign.yaml").read_text()
    text = text.replace('title: "Sample campaign: Free Sample Q. Person"', 'title: "Sample campaign: Free them now"')
    # drop the senators' letter (the House one then falls back to... nothing: give it chamber any) and change a body
    start = text.index("  - name: Urge senators to speak up")
    text = text[:start] + text[text.index("  - name: Urge House members") :]
    text = text.replace("    chamber: house\n", "    chamber: any\n")
    # and its gloss in each language: a gloss of a letter the file no longer has is refused
    text = "".join(line for line in text.splitlines(True) if not line.startswith("      Urge senators to speak up:"))
    (folder / "campaign.yaml").write_text(text)
    (folder / "letter-thanks.txt").write_text(LETTER.replace("Please help.", "Thank you."))
    result = load(runner, folder)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "sample-campaign: updated (title, translations, letters)"
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == "sample-campaign"))
    assert campaign.title == "Sample campaign: Free them now"
    assert len(campaign.letters) == 2
    assert "Thank you." in next(t.body for t in campaign.letters if t.stance == "spoken")
    assert load(runner, folder).output.strip() == "sample-campaign: unchanged"


def test_custom_targets_load_and_sync(runner, db, tmp_path):
    yaml_text = MINIMAL.format(slug="ana-example").replace(
        "letters:",
        "targets:\n  delegation: false\n  members: [g000555]\n  committees: [ssju, HSHM01]\n  custom:\n"
        "    - name: Jordan Reyes\n      title: Field Office Director\n      email: Jordan.Reyes@Example.org\n"
        "letters:",
    )
    folder = write_campaign(tmp_path, yaml_text=yaml_text)
    assert load(runner, folder).exit_code == 0
    campaign = db.session.scalar(select(Campaign))
    assert not campaign.include_delegation
    assert campaign.target_members == ["G000555"] and campaign.target_committees == ["SSJU", "HSHM01"]
    [target] = campaign.custom_targets
    assert (target.name, target.title, target.email, target.salutation) == (
        "Jordan Reyes",
        "Field Office Director",
        "Jordan.Reyes@example.org",
        "",
    )
    (folder / "campaign.yaml").write_text(yaml_text.replace("Field Office Director", "Director"))
    assert load(runner, folder).output.strip() == "ana-example: updated (custom targets)"


def test_dry_run_writes_nothing(runner, db, tmp_path):
    result = load(runner, write_campaign(tmp_path), "--dry-run")
    assert result.exit_code == 0 and result.output.strip() == "(dry run) ana-example: created"
    assert campaign_count(db) == 0


# Each bad file: (how to break MINIMAL, letter text, expected "line: field: message" fragment)
BAD_FILES = [
    ("title: Free Ana\nstatus: draft\n", "title: [Free Ana\nstatus: draft\n", LETTER, ":3: not valid YAML"),
    ("status: draft\n", "status: drafty\n", LETTER, ":3: status: must be one of draft, live, closed"),
    ("status: draft\n", "status: draft\nstatus: live\n", LETTER, ":4: status: appears twice"),
    ("status: draft\n", "status: draft\ncolour: red\n", LETTER, ":4: colour: unknown field"),
    ("slug: ana-example", "slug: Ana_Example", LETTER, ":1: slug: use 2 to 63 lowercase"),
    ("slug: ana-example", "slug: other-slug", LETTER, ":1: slug: must match its folder name 'ana-example'"),
    ("  name: Ana Example\n", "  name: Ana Example\n  photo_url: http://example.org/a.jpg\n", LETTER,
     ":6: detainee.photo_url: must be an https:// address"),
    ("ask: Support her release.\n", "", LETTER, ":1: ask: is required"),
    ("keywords: [Ana Example]", "keywords: [" + "k" * 101 + "]", LETTER, ":9: keywords: "),
    ("    chamber: any\n", "    chamber: congress\n", LETTER, ":12: letters[0].chamber: must be one of senate, house, any"),
    ("    body_file: letter.txt\n", "    body_file: missing.txt\n", LETTER, ":15: letters[0].body_file: "),
    ("    body_file: letter.txt\n", "    body_file: ../../etc/passwd\n", LETTER,
     ":15: letters[0].body_file: must be a file name inside the campaign's folder"),
    ("    body_file: letter.txt\n", "", LETTER, ":11: letters[0]: give exactly one of body"),
    ("{{ campaign.detainee_name }}", "{{ campaign.detainee }}", LETTER,
     ":14: letters[0].subject: campaign.detainee is not a placeholder; did you mean campaign.detainee_name?"),
    ("letters:\n", "targets:\n  delegation: false\nletters:\n", LETTER, ":10: targets: there is nobody to write to"),
    ("letters:\n", "targets:\n  members: [G00055]\nletters:\n", LETTER, ":11: targets.members: 'G00055' is not a bioguide id"),
    ("letters:\n", "targets:\n  custom:\n    - name: X\n      email: not-an-email\nletters:\n", LETTER,
     ":13: targets.custom[0].email: "),
    ("letters:\n", "outcome:\n  kind: released\n  date: 2026-02-03\n  message: Free.\nletters:\n", LETTER,
     ":11: outcome.kind: only a closed campaign has an outcome (set status: closed)"),
    ("status: draft\n", "status: closed\noutcome: {kind: deported, date: 2026-02-03, message: Gone., thanks: true}\n",
     LETTER, ":4: outcome.thanks: only a won campaign (released or relief_granted) can keep the thank-you action open"),
    ("status: draft\n", "status: closed\noutcome: {kind: freed, date: 2026-02-03, message: Free.}\n", LETTER,
     ":4: outcome.kind: must be one of released, relief_granted, deported, denied, ended"),
    ("status: draft\n", "status: closed\noutcome: {kind: released, date: soon, message: Free.}\n", LETTER,
     ":4: outcome.date: must be a date such as 2026-01-28"),
    ("letters:\n", "timeline:\n  - {date: 2026-13, event: X, source: Y}\nletters:\n", LETTER,
     ":11: timeline[0].date: must be a year, a month or a day"),
    ("letters:\n", "timeline:\n  - {date: 2026, event: X, source: Y, source_url: ftp://x.org/}\nletters:\n", LETTER,
     ":11: timeline[0].source_url: must be an http:// or https:// address"),
    ("letters:\n", "timeline:\n  - {date: 2026, event: X}\nletters:\n", LETTER, ":11: timeline[0].source: is required"),
    ("letters:\n", "timeline:\n  - {date: 2026-02, event: X, source: Y}\n  - {date: 2025, event: X, source: Y}\n"
     "letters:\n", LETTER, ":10: timeline: list the events in date order, oldest first"),
    ("letters:\n", "statements:\n  - {bioguide_id: K39, date: 2025-12-12, kind: letter_to_dhs_ice, stance: supports,"
     " source_url: https://x.gov/}\nletters:\n", LETTER, ":11: statements[0].bioguide_id: 'K39' is not a bioguide id"),
    ("letters:\n", "statements:\n  - {bioguide_id: K000391, date: 2025-12-12, kind: tweet, stance: supports,"
     " source_url: https://x.gov/}\nletters:\n", LETTER, ":11: statements[0].kind: must be one of press_release"),
]  # fmt: skip


@pytest.mark.parametrize("old,new,letter,expected", BAD_FILES)
def test_bad_files_fail_with_file_line_and_field_and_change_nothing(runner, db, tmp_path, old, new, letter, expected):
    text = MINIMAL.format(slug="ana-example")
    assert old in text
    folder = write_campaign(tmp_path, yaml_text=text.replace(old, new, 1), letter=letter)
    result = load(runner, folder)
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: ") and "campaign.yaml" in lines[0]
    assert expected in lines[0], lines[0]
    assert campaign_count(db) == 0


def test_statements_in_a_file_are_checked_against_the_roster(runner, db, congress_data, tmp_path):
    statement = (
        "statements:\n  - {bioguide_id: Z999999, date: 2025-12-12, kind: letter_to_dhs_ice, stance: supports,"
        " source_url: https://x.gov/}\nletters:\n"
    )
    folder = write_campaign(tmp_path, yaml_text=MINIMAL.format(slug="ana-example").replace("letters:\n", statement))
    result = load(runner, folder)
    assert result.exit_code != 0
    assert ":11: statements[0].bioguide_id: not a sitting member: Z999999" in result.output
    assert campaign_count(db) == 0
    (folder / "campaign.yaml").write_text((folder / "campaign.yaml").read_text().replace("Z999999", "K000391"))
    assert load(runner, folder).exit_code == 0
    assert load(runner, folder).output.strip() == "ana-example: unchanged"  # recorded once, not twice
    assert db.session.scalar(select(func.count()).select_from(Statement)) == 1


def test_template_errors_in_body_files_name_that_file_and_line(runner, db, tmp_path):
    folder = write_campaign(tmp_path, letter="{{ office.salutation }},\n\nPlease help\n{{ constituent.frist_name }}\n")
    result = load(runner, folder)
    assert result.exit_code != 0
    assert result.output.strip().endswith(
        "letter.txt:4: letters[0].body_file: constituent.frist_name is not a placeholder; "
        "did you mean constituent.first_name?"
    )


def test_template_errors_in_inline_bodies_give_the_yaml_line(runner, db, tmp_path):
    text = MINIMAL.format(slug="ana-example").replace(
        "    body_file: letter.txt\n", "    body: |\n      Dear {{ office.title }},\n\n      {% if x %}\n"
    )
    result = load(runner, write_campaign(tmp_path, yaml_text=text))
    assert result.exit_code != 0
    # the body starts on line 16; its third line opens an `if` that never ends
    assert "campaign.yaml:18: letters[0].body: Unexpected end of template" in result.output, result.output


def test_a_live_campaign_must_cover_every_office(runner, db, tmp_path):
    text = (
        MINIMAL.format(slug="ana-example")
        .replace("status: draft", "status: live")
        .replace("chamber: any", "chamber: senate")
    )
    result = load(runner, write_campaign(tmp_path, yaml_text=text))
    assert result.exit_code != 0
    assert result.output.strip().endswith(
        "campaign.yaml:10: letters: a live campaign needs every office covered: "
        "no letter for House members who have not spoken; no letter for House members who have spoken"
    )
    assert (
        load(runner, write_campaign(tmp_path, yaml_text=text.replace("status: live", "status: draft"))).exit_code == 0
    )


def test_duplicate_variants_are_refused(runner, db, tmp_path):
    text = MINIMAL.format(slug="ana-example") + (
        "  - name: Again\n    chamber: any\n    stance: any\n    subject: Hi\n    body_file: letter.txt\n"
    )
    result = load(runner, write_campaign(tmp_path, yaml_text=text))
    assert result.exit_code != 0
    assert ":16: letters[1]: letters[0] already has chamber any and stance any" in result.output


def test_one_bad_campaign_stops_all_of_them(runner, db, tmp_path):
    write_campaign(tmp_path, "good-one")
    write_campaign(tmp_path, "good-two")
    assert load(runner, tmp_path / "good-one").exit_code == 0
    (tmp_path / "good-one" / "campaign.yaml").write_text(MINIMAL.format(slug="good-one").replace("Free Ana", "Renamed"))
    write_campaign(tmp_path, "zz-bad", yaml_text=MINIMAL.format(slug="zz-bad").replace("status: draft", "status: ?"))
    result = load(runner, tmp_path)
    assert result.exit_code != 0 and "zz-bad" in result.output
    titles = db.session.scalars(select(Campaign.title)).all()
    assert titles == ["Free Ana"]  # good-one not renamed, good-two not created


def test_missing_path_and_empty_folder(runner, db, tmp_path):
    result = load(runner, tmp_path / "nope")
    assert result.exit_code != 0 and "no such file or folder" in result.output
    result = load(runner, tmp_path)
    assert result.exit_code != 0 and "no campaign.yaml here or in its subfolders" in result.output


def test_reader_errors_are_campaign_file_errors(tmp_path):
    folder = write_campaign(tmp_path, yaml_text="")
    with pytest.raises(CampaignFileError) as info:
        read_campaign_file(folder / "campaign.yaml")
    assert "the file is empty" in str(info.value)


def test_a_loaded_campaign_keeps_template_uniqueness(runner, db, tmp_path):
    folder = write_campaign(tmp_path)
    assert load(runner, folder).exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(LetterTemplate)) == 1
    text = textwrap.dedent(MINIMAL.format(slug="ana-example")).replace("stance: any", "stance: not_spoken")
    (folder / "campaign.yaml").write_text(text)
    assert load(runner, folder).output.strip() == "ana-example: updated (letters)"
    [letter] = db.session.scalars(select(LetterTemplate)).all()
    assert letter.stance == "not_spoken"


@pytest.mark.usefixtures("real_congress")
def test_named_members_and_committees_must_exist_once_congress_is_loaded(runner, db, tmp_path):
    text = MINIMAL.format(slug="ana-example").replace(
        "letters:", "targets:\n  members: [G000555, Z999999]\n  committees: [SSJU]\nletters:"
    )
    result = load(runner, write_campaign(tmp_path, yaml_text=text))
    assert result.exit_code != 0
    assert "campaign.yaml:11: targets.members: not a sitting member: Z999999" in result.output
    result = load(
        runner, write_campaign(tmp_path, yaml_text=text.replace("Z999999", "S000148").replace("SSJU", "ZZZZ"))
    )
    assert "campaign.yaml:12: targets.committees: no such committee: ZZZZ" in result.output
    assert load(runner, write_campaign(tmp_path, yaml_text=text.replace("Z999999", "S000148"))).exit_code == 0


def test_templates_over_the_render_budget_are_refused_at_load(runner, db, tmp_path):
    heavy = (
        "{{ office.salutation }},\n{% for i in range(1000) %}{{ ((range(1000)|list)*20)|sort|length }}{% endfor %}\n"
    )
    result = load(runner, write_campaign(tmp_path, letter=heavy))
    assert result.exit_code != 0
    assert "letter.txt:2: letters[0].body_file: the template does too much work" in result.output
    result = load(runner, write_campaign(tmp_path, letter="{% if true %}" * 300 + "x" + "{% endif %}" * 300))
    assert result.exit_code != 0 and "the template nests too deeply" in result.output
    assert campaign_count(db) == 0
