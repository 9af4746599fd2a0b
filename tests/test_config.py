"""Settings are read once from the environment and bad values stop the start."""

import subprocess
import sys

import pytest

from advocacy import create_app
from advocacy.config import ConfigError, load_settings


def test_defaults_are_development_on_sqlite():
    s = load_settings({})
    assert s.env == "development"
    app = create_app({"ENVIRON": {}})
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("instance/advocacy.db")


@pytest.mark.parametrize(
    "environ, variable",
    [
        ({"ADVOCACY_ENV": "production"}, "ADVOCACY_SECRET_KEY"),
        ({"ADVOCACY_ENV": "production", "ADVOCACY_SECRET_KEY": "short"}, "ADVOCACY_SECRET_KEY"),
        ({"ADVOCACY_ENV": "staging"}, "ADVOCACY_ENV"),
        ({"ADVOCACY_DATABASE_URL": "mysql://x/y"}, "ADVOCACY_DATABASE_URL"),
        ({"ADVOCACY_REDIS_URL": "localhost:6379"}, "ADVOCACY_REDIS_URL"),
        ({"ADVOCACY_MAIL_PORT": "twenty-five"}, "ADVOCACY_MAIL_PORT"),
        ({"ADVOCACY_MAIL_PORT": "70000"}, "ADVOCACY_MAIL_PORT"),
        ({"ADVOCACY_MAIL_USE_TLS": "maybe"}, "ADVOCACY_MAIL_USE_TLS"),
        ({"ADVOCACY_GEOCODER_URL": "ftp://geo"}, "ADVOCACY_GEOCODER_URL"),
        ({"ADVOCACY_CWC_URL": "https://cwc.example"}, "ADVOCACY_CWC_API_KEY"),
        (
            {
                "ADVOCACY_CWC_URL": "https://cwc.example",
                "ADVOCACY_CWC_API_KEY": "k",
                "ADVOCACY_CWC_DELIVERY_AGENT": "A",
            },
            "ADVOCACY_CWC_AGENT_ACK_EMAIL",
        ),
        ({"ADVOCACY_PROXY_COUNT": "-1"}, "ADVOCACY_PROXY_COUNT"),
        ({"ADVOCACY_SUBMIT_RATE_LIMIT": "lots"}, "ADVOCACY_SUBMIT_RATE_LIMIT"),
        ({"ADVOCACY_LOOKUP_RATE_LIMIT": "5 per fortnight"}, "ADVOCACY_LOOKUP_RATE_LIMIT"),
    ],
)
def test_bad_settings_name_the_variable(environ, variable):
    with pytest.raises(ConfigError, match=variable):
        load_settings(environ)


def test_string_false_is_false():
    assert load_settings({"ADVOCACY_MAIL_USE_TLS": "False"}).mail_use_tls is False
    assert load_settings({"ADVOCACY_MAIL_USE_TLS": "true"}).mail_use_tls is True


def test_production_sets_secure_cookies():
    app = create_app({"ENVIRON": {"ADVOCACY_ENV": "production", "ADVOCACY_SECRET_KEY": "k" * 40}})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_flask_command_fails_with_one_line_naming_the_variable(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "ADVOCACY_ENV": "production", "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "routes"],
        capture_output=True,
        text=True,
        env=env,
        cwd=str(__import__("pathlib").Path(__file__).parent.parent),
    )
    assert result.returncode != 0
    assert "ADVOCACY_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_wsgi_entry_point_freezes_what_it_built(tmp_path):
    """The server's entry point moves the app and its modules out of the garbage collector's view (gc.freeze)."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "ADVOCACY_ENV": "production",
        "ADVOCACY_SECRET_KEY": "freeze-test-" + "k" * 40,
        "ADVOCACY_DATABASE_URL": f"sqlite:///{tmp_path / 'freeze.db'}",
    }
    code = "import gc, wsgi; print(gc.get_freeze_count(), len(gc.get_objects()))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=str(__import__("pathlib").Path(__file__).parent.parent),
        check=True,
    )
    frozen, still_tracked = map(int, result.stdout.split())
    assert frozen > 50_000 > still_tracked, result.stdout
