"""One owner per campaign field: a file load never silently overwrites an edit made in the web pages since the
last load; it stops naming the fields, --force overwrites, --keep-edits (what scripts/dev runs) keeps them."""

from __future__ import annotations

import shlex

from sqlalchemy import select

from advocacy.campaigns.models import Campaign
from advocacy.config import PROJECT_ROOT
from tests.factories import make_campaign
from tests.test_campaign_files import CAMPAIGNS_DIR, load, write_campaign


def campaign(db, slug: str = "ana-example") -> Campaign:
    db.session.expire_all()
    return db.session.scalar(select(Campaign).where(Campaign.slug == slug))


def edit_in_web(db, slug: str = "ana-example", **values) -> None:
    row = campaign(db, slug)
    for name, value in values.items():
        setattr(row, name, value)
    db.session.commit()


def test_a_load_stops_on_a_field_edited_in_the_web_and_names_it_changing_nothing(runner, db, tmp_path):
    folder = write_campaign(tmp_path)
    assert load(runner, folder).exit_code == 0
    edit_in_web(db, ask="Call ICE today.")
    (folder / "campaign.yaml").write_text((folder / "campaign.yaml").read_text().replace("Free Ana", "Free Ana now"))

    result = load(runner, folder)

    assert result.exit_code == 1
    assert "ana-example (ask)" in result.output and "--force" in result.output
    assert len(result.output.strip().splitlines()) == 1
    row = campaign(db)
    assert (row.ask, row.title) == ("Call ICE today.", "Free Ana")


def test_force_lets_the_file_overwrite_the_web_edits(runner, db, tmp_path):
    folder = write_campaign(tmp_path)
    load(runner, folder)
    edit_in_web(db, ask="Call ICE today.")
    result = load(runner, folder, "--force")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "ana-example: updated (ask)"
    assert campaign(db).ask == "Support her release."
    assert load(runner, folder).output.strip() == "ana-example: unchanged"


def test_an_edit_the_file_already_agrees_with_is_no_conflict(runner, db, tmp_path):
    folder = write_campaign(tmp_path)
    load(runner, folder)
    edit_in_web(db, ask="Call ICE today.")
    text = (folder / "campaign.yaml").read_text().replace("ask: Support her release.", "ask: Call ICE today.")
    (folder / "campaign.yaml").write_text(text)
    result = load(runner, folder)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "ana-example: unchanged"


def test_a_letter_edited_in_the_web_is_named_too(runner, db, tmp_path):
    folder = write_campaign(tmp_path)
    load(runner, folder)
    row = campaign(db)
    row.letters[0].body = row.letters[0].body.replace("Please help.", "Please help her now.")
    db.session.commit()
    result = load(runner, folder)
    assert result.exit_code == 1 and "ana-example (letters)" in result.output
    assert "Please help her now." in campaign(db).letters[0].body


def test_a_campaign_made_in_the_web_is_not_taken_over_by_a_file_with_its_slug(runner, db, tmp_path):
    make_campaign(slug="ana-example", title="Free Ana Morales", detainee_name="Ana Morales", status="draft")
    result = load(runner, write_campaign(tmp_path))
    assert result.exit_code == 1 and "ana-example (title, detainee_name" in result.output
    row = campaign(db)
    assert row.title == "Free Ana Morales" and row.managed_by == "web"


def test_keep_edits_leaves_the_edited_campaign_and_loads_the_others(runner, db, tmp_path):
    load(runner, write_campaign(tmp_path, "ana-example"))
    edit_in_web(db, ask="Call ICE today.")
    write_campaign(tmp_path, "second-one")
    result = load(runner, tmp_path, "--keep-edits")
    assert result.exit_code == 0, result.output
    assert "ana-example: kept as edited in the web pages (ask); not loaded" in result.output
    assert "second-one: created" in result.output
    assert campaign(db).ask == "Call ICE today."
    assert campaign(db, "second-one").managed_by == "file"


def dev_load_command() -> list[str]:
    """The campaign load that scripts/dev runs (through scripts/demo-data), as flask arguments."""
    lines = (PROJECT_ROOT / "scripts" / "demo-data").read_text().splitlines()
    (line,) = [x for x in lines if x.startswith("$FLASK campaigns load")]
    return shlex.split(line)[1:]


def test_an_organizers_edit_survives_the_load_scripts_dev_runs(runner, db, congress_data):
    args = dev_load_command()
    first = runner.invoke(args=args)
    assert first.exit_code == 0, first.output
    edit_in_web(db, "guan-heng", ask="Thank the offices that spoke up.")

    again = runner.invoke(args=args)

    assert again.exit_code == 0, again.output
    assert "guan-heng: kept as edited in the web pages (ask)" in again.output
    assert campaign(db, "guan-heng").ask == "Thank the offices that spoke up."
    assert CAMPAIGNS_DIR.is_dir()


def test_the_campaign_pages_say_who_manages_it(runner, db, organizer_client, tmp_path):
    load(runner, write_campaign(tmp_path))
    made_here = make_campaign(slug="made-here", title="Free Ana Morales", status="draft")
    from_file = campaign(db)
    file_page = organizer_client.get(f"/organizer/campaigns/{from_file.id}/edit").get_data(as_text=True)
    web_page = organizer_client.get(f"/organizer/campaigns/{made_here.id}").get_data(as_text=True)
    assert "Managed from its file" in file_page and "ana-example/campaign.yaml" in file_page
    assert "Managed here in the web pages" in web_page
    listing = organizer_client.get("/organizer/campaigns").get_data(as_text=True)
    assert "Campaign file" in listing and "Web pages" in listing
