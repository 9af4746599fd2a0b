"""Fixture chain: database URL → app → db → client → logged-in client per role.

Every test that takes `app` runs twice: on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import contextvars
import os
import re
import tempfile

import flask
import pytest
from flask.testing import FlaskClient
from sqlalchemy import delete

from advocacy import caching, create_app
from advocacy.extensions import db as _db
from advocacy.extensions import limiter
from tests.dbs import BACKENDS, fresh_database

pytest_plugins = ["tests.fakes.smtp", "tests.fakes.cwc"]  # delivery: smtp_server and fake_cwc fixtures
pytest_plugins += ["tests.fakes.geocoder"]  # fake_geocoder: Census and Geocodio on loopback
pytest_plugins += ["tests.letters_support"]  # letters: real_congress, guan_heng, no_network


def pytest_sessionstart(session):
    """The translation catalogs are committed as .po; the app reads .mo, built here when stale (issue 21)."""
    from advocacy.i18n import compile_catalogs

    compile_catalogs()


TEST_ENVIRON = {"ADVOCACY_ENV": "testing", "ADVOCACY_SECRET_KEY": "test-secret-key-" + "x" * 32}
CHEAP_HASH = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}
PASSWORD = "correct horse battery staple"


class IsolatedClient(FlaskClient):
    """Each request runs in an empty context, with its own app context, `g` and session,
    as in production, even though the test itself holds an app context."""

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        # The test's own session must not keep serving rows as they were before the request.
        if flask.has_app_context():
            _db.session.expire_all()
        return response


def make_app(database_url: str, **overrides):
    # The geocoders answer on loopback or not at all: REFUSED_ENVIRON is a port that refuses every connection (a
    # geocoder that is down), unless the test takes `fake_geocoder` (see `app`) or sets its own URL.
    from tests.fakes.geocoder import REFUSED_ENVIRON  # here, not at the top: the module is a pytest plugin

    environ = {**TEST_ENVIRON, **REFUSED_ENVIRON}
    environ.update(overrides.pop("ENVIRON", {}))
    config = {
        "ENVIRON": environ,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "PASSWORD_HASH": CHEAP_HASH,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "CAMPAIGN_COUNTS_TTL": 0,
        "CAMPAIGN_CACHE_SECONDS": 0,
        "ORGANIZATION_CACHE_SECONDS": 0,
        # No member photos unless a test stores its own (not whatever `legislators photos` left in instance/).
        "MEMBER_PHOTOS_DIR": os.path.join(tempfile.gettempdir(), "advocacy-tests-no-member-photos"),
    }
    config.update(overrides)
    app = create_app(config)
    app.test_client_class = IsolatedClient
    return app


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory):
    """One empty database per backend per test session, with the schema built from the models."""
    with fresh_database(request.param, tmp_path_factory.mktemp(request.param)) as url:
        app = make_app(url)
        with app.app_context():
            _db.create_all()
            _db.engine.dispose()
        yield url


@pytest.fixture(autouse=True)
def empty_caches():
    """Every test starts and ends with the process's caches empty (advocacy/caching.py)."""
    caching.clear_all()
    yield
    caching.clear_all()


@pytest.fixture
def app_config():
    """Override in a test module to change the app's config."""
    return {}


@pytest.fixture
def app(request, database_url, app_config):
    config = dict(app_config)
    if "fake_geocoder" in request.fixturenames:  # both geocoders pointed at the test's fake (tests/fakes/geocoder.py)
        fake = request.getfixturevalue("fake_geocoder")
        config["ENVIRON"] = {**fake.environ(), **config.get("ENVIRON", {})}
    app = make_app(database_url, **config)
    with app.app_context():
        limiter.reset()
        yield app
        _db.session.remove()
        with _db.engine.begin() as conn:
            for table in reversed(_db.metadata.sorted_tables):
                if table.name not in KEEP_TABLES:
                    conn.execute(delete(table))
        _db.engine.dispose()


# Reference tables that a test module loads once and other tests only read.
KEEP_TABLES: set[str] = set()


# --- congress (advocacy/congress): the real members and ZIP districts, loaded once per backend (see the module) ---
from advocacy.congress.models import CONGRESS_TABLES  # noqa: E402
from tests.congress_support import (  # noqa: E402, F401
    congress_data,
    congress_files,
    congress_tables,
    full_congress,
    full_congress_files,
)

KEEP_TABLES.update(CONGRESS_TABLES)  # managed by congress_tables: real rows or empty, never left over


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(db):
    from advocacy.auth.models import User
    from advocacy.auth.passwords import hash_password

    def make(email: str = "user@example.org", role: str = "staff", password: str = PASSWORD, active: bool = True):
        user = User(email=email, password_hash=hash_password(password), role=role, active=active)
        db.session.add(user)
        db.session.commit()
        return user

    return make


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, email: str, password: str = PASSWORD, **extra):
        return self.client.post("/login", data={"email": email, "password": password, **extra})

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def login_as(app, make_user):
    """A factory: a fresh client logged in with a new user of the given role."""

    def login(role: str):
        user = make_user(email=f"{role}-{os.urandom(3).hex()}@example.org", role=role)
        c = app.test_client()
        response = c.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        c.user = user
        return c

    return login


@pytest.fixture
def staff_client(login_as):
    return login_as("staff")


@pytest.fixture
def organizer_client(login_as):
    return login_as("organizer")


@pytest.fixture
def admin_client(login_as):
    return login_as("admin")


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', html
    )
    assert match, "no CSRF token in page"
    return match.group(1)
