"""Settings: read once from ADVOCACY_* environment variables, typed, and checked at start."""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_GEOCODER_URL = "https://geocoding.geo.census.gov/geocoder/geographies/onelineaddress"
DEFAULT_GEOCODIO_URL = "https://api.geocod.io/v1.9/geocode"
GEOCODERS = ("census", "geocodio")
ENVIRONMENTS = ("development", "testing", "production")


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


def _bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"ADVOCACY_{name} must be true or false, not {raw!r}")


def _int(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"ADVOCACY_{name} must be a whole number, not {raw!r}") from None


def _url(name: str, raw: str, schemes: tuple[str, ...]) -> str:
    parts = urlsplit(raw)
    if parts.scheme.split("+")[0] not in schemes or not (parts.netloc or parts.path):
        allowed = ", ".join(schemes)
        raise ConfigError(f"ADVOCACY_{name} must be a URL starting with {allowed}: {raw!r}")
    return raw


def _rate(name: str, raw: str) -> str:
    from limits import parse_many

    try:
        if parse_many(raw):
            return raw
    except ValueError:
        pass
    raise ConfigError(f"ADVOCACY_{name} must look like '30 per minute;300 per hour', not {raw!r}")


def _case_keys(raw: str) -> list[bytes]:
    """Each key must be a Fernet key: 32 bytes in URL-safe base64 (`Fernet.generate_key()`)."""
    import base64
    import binascii

    keys = [part.strip().encode() for part in raw.split(",") if part.strip()]
    for position, key in enumerate(keys, 1):
        try:
            ok = len(base64.urlsafe_b64decode(key)) == 32
        except (binascii.Error, ValueError):
            ok = False
        if not ok:
            raise ConfigError(f"ADVOCACY_CASE_KEYS key {position} is not a Fernet key (32 bytes, URL-safe base64)")
    return keys


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    secret_key: str = ""
    database_url: str = ""
    redis_url: str = ""
    mail_server: str = ""
    mail_port: int = 25
    mail_username: str = ""
    mail_password: str = ""
    mail_use_tls: bool = False
    mail_use_ssl: bool = False
    mail_sender: str = "advocacy@localhost"
    mail_timeout: int = 10
    geocoder_url: str = DEFAULT_GEOCODER_URL
    # Which geocoder places street addresses: "census" (free) or "geocodio" (paid; needs the API key).
    geocoder: str = "census"
    geocodio_url: str = DEFAULT_GEOCODIO_URL
    geocodio_api_key: str = ""
    cwc_url: str = ""
    cwc_api_key: str = ""
    cwc_delivery_agent: str = ""
    # Who we are to CWC: the acknowledgement address and a contact; required with ADVOCACY_CWC_URL.
    cwc_agent_ack_email: str = ""
    cwc_agent_contact_name: str = ""
    cwc_agent_contact_email: str = ""
    cwc_agent_contact_phone: str = ""
    cwc_organization: str = ""
    cwc_organization_about: str = ""
    metrics_token: str = ""
    # Key of the pseudonyms (keyed hashes) of emails; defaults to one derived from the secret key. Set it
    # apart so the secret key can be rotated without forgetting who already wrote.
    pseudonym_key: str = ""
    data_dir: str = ""
    site_url: str = ""
    # Who runs the site, shown on every public page and in emails (see advocacy/organization).
    org_name: str = ""
    org_logo_url: str = ""  # https://… or a path on this site such as /static/logo.svg
    org_contact_email: str = ""
    org_privacy_text: str = ""  # the organization's own words, added to the /privacy page
    # The Congressional Record through GovInfo (statements monitor); no key: the Record is not read.
    govinfo_api_key: str = ""
    govinfo_url: str = "https://api.govinfo.gov"
    log_level: str = "INFO"
    proxy_count: int = 0
    # Per client IP (and campaign, for letters); "N per minute;M per hour" in the `limits` notation.
    submit_rate_limit: str = "30 per minute;300 per hour"
    lookup_rate_limit: str = "600 per minute"
    # A live campaign whose story and timeline are untouched this many days is flagged to its organizers.
    stale_campaign_days: int = 30
    # Delivery workers: sends in flight at once per worker process; per channel, in flight and started per
    # second (0: no limit of its own).
    delivery_concurrency: int = 32
    delivery_cwc_max_in_flight: int = 0
    delivery_cwc_per_second: int = 0
    delivery_smtp_max_in_flight: int = 8
    delivery_smtp_per_second: int = 0
    # Casework: Fernet keys (comma-separated, newest first: the first encrypts, all decrypt) for the private
    # case facts and files, and the folder (outside the web root) that holds the encrypted files.
    case_keys: str = ""
    case_files_dir: str = ""
    # Exports: above this many matching letters an export is built in the background (a job of the delivery
    # workers); its file is kept encrypted (with EXPORT_KEY, else a key derived from SECRET_KEY) for
    # EXPORT_LINK_HOURS; a person may have EXPORT_JOBS_PER_USER building at once, everyone EXPORT_JOBS_RUNNING.
    export_inline_rows: int = 50_000
    export_link_hours: int = 24
    export_jobs_per_user: int = 2
    export_jobs_running: int = 2
    export_key: str = ""
    extra: Mapping[str, object] = field(default_factory=dict)

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def cwc_enabled(self) -> bool:
        return bool(self.cwc_url and self.cwc_api_key)

    @property
    def mail_enabled(self) -> bool:
        return bool(self.mail_server)


_TYPES = {f.name: f.type for f in fields(Settings)}


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from ADVOCACY_* variables; raise ConfigError naming a bad one."""
    environ = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for f in fields(Settings):
        if f.name == "extra":
            continue
        key = f"ADVOCACY_{f.name.upper()}"
        if key not in environ:
            continue
        raw = environ[key]
        name = f.name.upper()
        if f.type in ("int", int):
            values[f.name] = _int(name, raw)
        elif f.type in ("bool", bool):
            values[f.name] = _bool(name, raw)
        else:
            values[f.name] = raw.strip()
    settings = Settings(**values)
    _validate(settings)
    return settings


def _validate(s: Settings) -> None:
    if s.env not in ENVIRONMENTS:
        raise ConfigError(f"ADVOCACY_ENV must be one of {', '.join(ENVIRONMENTS)}, not {s.env!r}")
    if s.production:
        if not s.secret_key:
            raise ConfigError("ADVOCACY_SECRET_KEY is required when ADVOCACY_ENV=production")
        if len(s.secret_key) < 32:
            raise ConfigError("ADVOCACY_SECRET_KEY must be at least 32 characters in production")
    if s.database_url:
        _url("DATABASE_URL", s.database_url, ("sqlite", "postgresql"))
    if s.redis_url:
        _url("REDIS_URL", s.redis_url, ("redis", "rediss", "unix"))
    _url("GEOCODER_URL", s.geocoder_url, ("http", "https"))
    if s.geocoder not in GEOCODERS:
        raise ConfigError(f"ADVOCACY_GEOCODER must be one of {', '.join(GEOCODERS)}, not {s.geocoder!r}")
    _url("GEOCODIO_URL", s.geocodio_url, ("http", "https"))
    if s.geocoder == "geocodio" and not s.geocodio_api_key:
        raise ConfigError("ADVOCACY_GEOCODIO_API_KEY is required when ADVOCACY_GEOCODER=geocodio")
    if s.cwc_url:
        _url("CWC_URL", s.cwc_url, ("http", "https"))
        if not s.cwc_api_key:
            raise ConfigError("ADVOCACY_CWC_API_KEY is required when ADVOCACY_CWC_URL is set")
        for name in (
            "cwc_delivery_agent",
            "cwc_agent_ack_email",
            "cwc_agent_contact_name",
            "cwc_agent_contact_email",
            "cwc_agent_contact_phone",
            "cwc_organization",
        ):
            if not getattr(s, name):
                raise ConfigError(f"ADVOCACY_{name.upper()} is required when ADVOCACY_CWC_URL is set")
        for name in ("cwc_agent_ack_email", "cwc_agent_contact_email"):
            if "@" not in getattr(s, name):
                raise ConfigError(f"ADVOCACY_{name.upper()} must be an email address")
    if not 0 < s.mail_port < 65536:
        raise ConfigError(f"ADVOCACY_MAIL_PORT must be a port number, not {s.mail_port}")
    if s.mail_use_tls and s.mail_use_ssl:
        raise ConfigError("ADVOCACY_MAIL_USE_TLS and ADVOCACY_MAIL_USE_SSL cannot both be on")
    if s.site_url:
        _url("SITE_URL", s.site_url, ("http", "https"))
    if s.org_logo_url and not s.org_logo_url.startswith("/"):
        _url("ORG_LOGO_URL", s.org_logo_url, ("https",))
    if s.org_contact_email and "@" not in s.org_contact_email:
        raise ConfigError("ADVOCACY_ORG_CONTACT_EMAIL must be an email address")
    if s.log_level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError(f"ADVOCACY_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {s.log_level!r}")
    if not 0 <= s.proxy_count <= 5:
        raise ConfigError(f"ADVOCACY_PROXY_COUNT must be between 0 and 5, not {s.proxy_count}")
    for name in ("submit_rate_limit", "lookup_rate_limit"):
        _rate(name.upper(), getattr(s, name))
    if not 1 <= s.stale_campaign_days <= 365:
        raise ConfigError(f"ADVOCACY_STALE_CAMPAIGN_DAYS must be between 1 and 365, not {s.stale_campaign_days}")
    if not 1 <= s.delivery_concurrency <= 1000:
        raise ConfigError(f"ADVOCACY_DELIVERY_CONCURRENCY must be between 1 and 1000, not {s.delivery_concurrency}")
    for name in (
        "delivery_cwc_max_in_flight",
        "delivery_cwc_per_second",
        "delivery_smtp_max_in_flight",
        "delivery_smtp_per_second",
    ):
        if getattr(s, name) < 0:
            raise ConfigError(f"ADVOCACY_{name.upper()} must be 0 (no limit) or more, not {getattr(s, name)}")
    if s.case_keys:
        _case_keys(s.case_keys)
    for name in ("export_inline_rows", "export_link_hours", "export_jobs_per_user", "export_jobs_running"):
        if getattr(s, name) < 1:
            raise ConfigError(f"ADVOCACY_{name.upper()} must be 1 or more, not {getattr(s, name)}")
    if s.data_dir and not s.data_dir.strip():
        raise ConfigError("ADVOCACY_DATA_DIR must be a folder path")


# Flask config keys that tests and local development may set (through create_app's overrides) and
# production must never run with. STATEMENTS_FEED_ALLOW_PRIVATE lets the statement monitor read feeds on
# loopback and private addresses, which is how tests serve real feeds from 127.0.0.1; in production it
# would let an organizer point the monitor at internal services.
DEVELOPMENT_ONLY = ("STATEMENTS_FEED_ALLOW_PRIVATE",)


def refuse_development_only(settings: Settings, config: Mapping[str, object]) -> None:
    if settings.production:
        for key in DEVELOPMENT_ONLY:
            if config.get(key):
                raise ConfigError(f"{key} is for development and tests only; production refuses to start with it")


def default_database_url() -> str:
    return f"sqlite:///{PROJECT_ROOT / 'instance' / 'advocacy.db'}"


def flask_config(settings: Settings) -> dict[str, object]:
    """Translate Settings into Flask and extension configuration keys."""
    testing = settings.env == "testing"
    secret = settings.secret_key or "dev-only-insecure-secret-key-change-me"
    database_url = settings.database_url or default_database_url()
    # No pool_pre_ping: on PostgreSQL, dbsetup.configure_postgres pings only a connection that may be dead.
    engine_options: dict[str, object] = {}
    if database_url.startswith("postgresql"):
        engine_options.update(pool_size=10, max_overflow=20, pool_recycle=1800)
    return {
        "ADVOCACY_SETTINGS": settings,
        "ENV_NAME": settings.env,
        "TESTING": testing,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
        "SQLALCHEMY_TRACK_MODIFICATIONS": False,
        "MAX_CONTENT_LENGTH": 1 * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": settings.production,
        "SESSION_COOKIE_NAME": "advocacy_session",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": settings.production,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": 60 * 60 * 12,
        "WTF_CSRF_ENABLED": True,
        "WTF_CSRF_TIME_LIMIT": 60 * 60 * 4,
        "RATELIMIT_STORAGE_URI": settings.redis_url or "memory://",
        "RATELIMIT_ENABLED": True,
        # argon2id; OWASP's second recommended profile (19 MiB would be the minimum).
        "PASSWORD_HASH": {"time_cost": 3, "memory_cost": 65536, "parallelism": 2},
        "FORM_MIN_FILL_SECONDS": 0 if testing else 3,
        # How long a House letter whose district came from the ZIP (the geocoder was down) waits for
        # `districts verify`; 0 in tests, which set it where they test the hold.
        "DISTRICT_CHECK_HOLD_SECONDS": 0 if testing else 30 * 60,
        "ACTION_RATE_LIMIT_IP": settings.submit_rate_limit,
        "PSEUDONYM_KEY": (
            settings.pseudonym_key.encode()
            if settings.pseudonym_key
            else hmac.new(secret.encode(), b"advocacy pseudonym key", hashlib.sha256).digest()
        ),
        "CWC_AGENT_ACK_EMAIL": settings.cwc_agent_ack_email,
        "CWC_AGENT_CONTACT_NAME": settings.cwc_agent_contact_name,
        "CWC_AGENT_CONTACT_EMAIL": settings.cwc_agent_contact_email,
        "CWC_AGENT_CONTACT_PHONE": settings.cwc_agent_contact_phone,
        "CWC_ORGANIZATION": settings.cwc_organization,
        "CWC_ORGANIZATION_ABOUT": settings.cwc_organization_about,
        "DELIVERY_METRICS_TOKEN": settings.metrics_token,
        "DELIVERY_CONCURRENCY": settings.delivery_concurrency,
        "DELIVERY_CWC_MAX_IN_FLIGHT": settings.delivery_cwc_max_in_flight,
        "DELIVERY_CWC_PER_SECOND": settings.delivery_cwc_per_second,
        "DELIVERY_SMTP_MAX_IN_FLIGHT": settings.delivery_smtp_max_in_flight,
        "DELIVERY_SMTP_PER_SECOND": settings.delivery_smtp_per_second,
        "LOOKUP_RATE_LIMIT": settings.lookup_rate_limit,
        "CASE_FILES_DIR": settings.case_files_dir or str(PROJECT_ROOT / "instance" / "casefiles"),
        "CASE_FILE_MAX_BYTES": 5 * 1024 * 1024,
        "EXPORT_INLINE_ROWS": settings.export_inline_rows,
        "EXPORT_KEY": settings.export_key,
        "JOB_FILE_HOURS": settings.export_link_hours,
        "JOB_MAX_PER_USER": settings.export_jobs_per_user,
        "JOB_MAX_RUNNING": settings.export_jobs_running,
    }
