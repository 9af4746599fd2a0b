"""One owner per campaign field: a file load never silently overwrites an edit made in the web pages since the
last load; it stops naming the fields, --force overwrites, --keep-edits (what scripts/dev runs) keeps them."""

from __future__ import annotations

import html
import os
import re
import shlex
import subprocess
import sys

import pytest
from sqlalchemy import select

from advocacy.campaigns.models import Campaign
from advocacy.config import PROJECT_ROOT
from advocacy.extensions import db as _db
from tests.conftest import PASSWORD, make_app
from tests.congress_support import MINI
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


def _run_dev_load(database_url: str, home) -> subprocess.CompletedProcess:
    """scripts/demo-data, the load step of scripts/dev, as scripts/dev runs it: its own process, on SQLite,
    with the mini congress data as ADVOCACY_DATA_DIR (nothing downloaded)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ADVOCACY_", "FLASK_"))}
    env.update(ADVOCACY_DATABASE_URL=database_url, ADVOCACY_DATA_DIR=str(MINI), HOME=str(home))
    return subprocess.run(
        [str(PROJECT_ROOT / "scripts" / "demo-data")], capture_output=True, text=True, env=env, timeout=300
    )


def _edit_form(page: str) -> dict:
    """What a browser sends from the campaign's details form, as the page filled it."""
    form = re.search(r'<form method="post" class="stack" novalidate>.*?</form>', page, re.S).group(0)
    fields = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = html.unescape(value.group(1)) if value else ""
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)"\s*selected', options)
        fields[name] = next(g for g in chosen.groups() if g is not None) if chosen else ""
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>\r?\n?(.*?)</textarea>', form, re.S):
        fields[name] = html.unescape(text)
    return fields


def test_an_edit_made_in_the_web_pages_survives_the_next_scripts_dev(tmp_path):
    """The whole path: scripts/dev's load step (scripts/demo-data) in its own process, an organizer's edit through
    the campaign's details page, then scripts/demo-data again, as the next `scripts/dev` runs it."""
    dev = (PROJECT_ROOT / "scripts" / "dev").read_text()
    assert "scripts/demo-data" in dev and "campaigns load" not in dev  # the dev script loads campaigns only there
    if not (PROJECT_ROOT / ".venv" / "bin" / "flask").exists():
        pytest.skip(".venv/bin/flask is missing (scripts/test creates .venv): scripts/demo-data runs it")
    url = f"sqlite:///{tmp_path / 'dev.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ADVOCACY_", "FLASK_"))}
    migrate = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120, env={**env, "ADVOCACY_DATABASE_URL": url},
    )  # fmt: skip
    assert migrate.returncode == 0, migrate.stderr
    first = _run_dev_load(url, tmp_path)
    assert first.returncode == 0, first.stderr
    assert "guan-heng: created" in first.stdout

    app = make_app(url)
    with app.app_context():
        from advocacy.auth.services import create_user

        create_user("dev-organizer@example.org", PASSWORD, "organizer")
        campaign_id = _db.session.scalar(select(Campaign.id).where(Campaign.slug == "guan-heng"))
        client = app.test_client()
        login = client.post("/login", data={"email": "dev-organizer@example.org", "password": PASSWORD})
        assert login.status_code == 302
        edit_url = f"/organizer/campaigns/{campaign_id}/edit"
        fields = _edit_form(client.get(edit_url).get_data(as_text=True))
        assert fields["title"] and fields["ask"]
        saved = client.post(edit_url, data={**fields, "ask": "Thank the offices that spoke up."})
        assert saved.status_code == 302, saved.get_data(as_text=True)
        _db.session.remove()
        _db.engine.dispose()

    again = _run_dev_load(url, tmp_path)

    assert again.returncode == 0, again.stderr
    assert "guan-heng: kept as edited in the web pages (ask); not loaded" in again.stdout
    with app.app_context():
        row = _db.session.scalar(select(Campaign).where(Campaign.slug == "guan-heng"))
        assert (row.ask, row.managed_by) == ("Thank the offices that spoke up.", "file")
        _db.session.remove()
        _db.engine.dispose()
