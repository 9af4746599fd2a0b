"""Migrations build the same schema as the models, upgrade and downgrade cleanly, and have one head."""

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from advocacy.extensions import db
from tests.conftest import make_app
from tests.dbs import BACKENDS, fresh_database

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def test_single_head():
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrade_matches_models_and_downgrades(backend, tmp_path):
    with fresh_database(backend, tmp_path) as url:
        app = make_app(url)
        with app.app_context():
            upgrade()
            with db.engine.connect() as conn:
                diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
            assert diff == [], f"models and migrations disagree: {diff}"
            downgrade(revision="base")
            tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
            assert tables == set()
            upgrade()
            assert "users" in inspect(db.engine).get_table_names()
            db.engine.dispose()
