"""advocacy: a congressional advocacy campaign toolkit."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask

from advocacy.config import PROJECT_ROOT, flask_config, load_settings, refuse_development_only

# Feature packages; each may provide `bp` (a blueprint), `cli` (click groups) and `models`.
BLUEPRINTS = (
    "advocacy.main.views",
    "advocacy.auth.views",
    "advocacy.admin.views",
    "advocacy.api",
)
MODEL_MODULES = ("advocacy.auth.models",)
MODEL_MODULES += ("advocacy.congress.models",)  # congress: members, offices, committees, ZIP districts
BLUEPRINTS += ("advocacy.congress.views",)  # congress: the public /lookup page
MODEL_MODULES += ("advocacy.reports.models",)  # reports: the audit log
BLUEPRINTS += ("advocacy.reports.views", "advocacy.privacy.views")  # reports, exports, audit log, privacy
MODEL_MODULES += ("advocacy.campaigns.models",)  # campaigns: campaigns, letter templates, custom targets
BLUEPRINTS += ("advocacy.campaigns.views",)  # campaigns: organizer pages under /organizer/campaigns
BLUEPRINTS += ("advocacy.campaigns.photo_views",)  # campaigns: the uploaded photo, and /photos/<id>.jpg
MODEL_MODULES += ("advocacy.statements.models",)  # statements: statements, revisions, monitor, follow-ups
BLUEPRINTS += ("advocacy.statements.views", "advocacy.statements.public")  # statements: organizer pages, scoreboard
MODEL_MODULES += ("advocacy.letters.models", "advocacy.delivery.models")  # letters, and their delivery outbox
MODEL_MODULES += ("advocacy.delivery.jobs",)  # delivery: background jobs, run by the same workers
BLUEPRINTS += ("advocacy.letters.views",)  # letters: the public campaign pages and the letter flow
BLUEPRINTS += ("advocacy.delivery.views",)  # delivery: /organizer/deliveries, /metrics/deliveries
MODEL_MODULES += ("advocacy.casework.models",)  # casework: private case facts and files, actions, timeline history
BLUEPRINTS += ("advocacy.casework.views",)  # casework: /organizer/campaigns/<slug>/casework, priority report
MODEL_MODULES += ("advocacy.organization.models",)  # organization: the settings an admin saved over the environment's
BLUEPRINTS += ("advocacy.organization.views",)  # organization: who runs the site, /privacy, /admin/organization
MODEL_MODULES += ("advocacy.delivery.suppression", "advocacy.updates.models")  # unsubscribes; updates to supporters
BLUEPRINTS += ("advocacy.updates.views",)  # updates: organizer pages, Atom feed, /unsubscribe/<token>
# Modules that add routes to the API blueprint; imported before it is registered.
# Modules that register outbox kinds (advocacy.delivery.kinds): what the delivery workers can render and send.
OUTBOX_MODULES: tuple[str, ...] = ()
OUTBOX_MODULES += ("advocacy.letters.receipts",)  # letters: the constituent's receipt
OUTBOX_MODULES += ("advocacy.statements.followups",)  # statements: "an office you wrote to has spoken up"
OUTBOX_MODULES += ("advocacy.campaigns.outcome_emails",)  # campaigns: "how the campaign ended"
OUTBOX_MODULES += ("advocacy.updates.emails",)  # updates: an organizer's news about the case
OUTBOX_MODULES += ("advocacy.statements.alerts",)  # statements: "new candidates to review", to opted-in organizers
OUTBOX_MODULES += ("advocacy.reports.weekly",)  # reports: the weekly summary to staff who asked for it
# Modules that register background job kinds (advocacy.delivery.jobs): what `deliveries work` can run.
JOB_MODULES: tuple[str, ...] = ()
JOB_MODULES += ("advocacy.reports.export_jobs",)  # reports: large exports and packet bundles, "export ready" mail
JOB_MODULES += ("advocacy.statements.scan_job",)  # statements: "scan now" from the monitored-feeds page

API_MODULES: tuple[str, ...] = ()
API_MODULES += ("advocacy.statements.api",)  # statements: GET /api/v1/campaigns/<slug>/scoreboard
API_MODULES += ("advocacy.campaigns.api",)  # campaigns: GET /api/v1/campaigns[/<slug>]
API_MODULES += ("advocacy.congress.api",)  # congress: GET /api/v1/representatives
API_MODULES += ("advocacy.letters.api",)  # letters: POST /api/v1/campaigns/<slug>/actions


def create_app(config: Mapping[str, object] | None = None) -> Flask:
    """Build the app from settings (environment, then `config` overrides). No I/O happens here."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    register_config(app, config)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_template_helpers(app)
    from advocacy.congress.fastpath import LookupFastPath
    from advocacy.wsgibody import WholeBody

    app.wsgi_app = LookupFastPath(app, WholeBody(app.wsgi_app))
    proxies = app.config["ADVOCACY_SETTINGS"].proxy_count
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    return app


def register_config(app: Flask, overrides: Mapping[str, object] | None) -> None:
    overrides = dict(overrides or {})
    environ = overrides.pop("ENVIRON", None)
    settings = overrides.pop("ADVOCACY_SETTINGS", None) or load_settings(environ)
    app.config.update(flask_config(settings))
    app.config.update(overrides)
    refuse_development_only(settings, app.config)


def register_extensions(app: Flask) -> None:
    import importlib

    from advocacy import i18n, inputs, logs, security, sessions
    from advocacy.auth.access import require_login
    from advocacy.extensions import csrf, db, limiter, login_manager, migrate

    for module in MODEL_MODULES:
        importlib.import_module(module)
    # A database error's text (in tracebacks, in the log) names the statement but never its parameters: they
    # hold constituents' names, addresses and words.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
        "hide_parameters": True,
    }
    for module in OUTBOX_MODULES + JOB_MODULES:
        importlib.import_module(module)
    db.init_app(app)
    from advocacy.dbsetup import configure_postgres, configure_sqlite

    with app.app_context():  # makes the engine object; no connection is opened here
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
        elif db.engine.dialect.name == "postgresql":
            configure_postgres(db.engine)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    inputs.init_app(app)  # the first before_request: malformed paths, forms and JSON reach no check or view
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.session_protection = "basic"
    app.before_request(require_login)
    security.init_app(app)
    sessions.init_app(app)
    i18n.init_app(app)  # languages: Flask-Babel, the switcher, the `lang` cookie
    logs.init_app(app, app.config["ADVOCACY_SETTINGS"].log_level)


def register_blueprints(app: Flask) -> None:
    import importlib

    for name in API_MODULES:
        importlib.import_module(name)
    for name in BLUEPRINTS:
        module = importlib.import_module(name)
        app.register_blueprint(module.bp)


def register_errorhandlers(app: Flask) -> None:
    from advocacy import errors

    errors.init_app(app)


def register_commands(app: Flask) -> None:
    from advocacy.auth.cli import users_cli

    app.cli.add_command(users_cli)

    from advocacy.campaigns.cli import campaigns_cli  # campaigns load PATH

    app.cli.add_command(campaigns_cli)

    from advocacy.congress.cli import districts_cli, legislators_cli  # congress data sync

    app.cli.add_command(legislators_cli)
    app.cli.add_command(districts_cli)

    from advocacy.letters.cli import districts_verify, legislators_switch  # these re-address letters

    districts_cli.add_command(districts_verify)
    legislators_cli.add_command(legislators_switch)

    from advocacy.privacy.cli import privacy_cli  # privacy purge
    from advocacy.reports.cli import reports_cli  # reports export, reports packets

    app.cli.add_command(reports_cli)
    app.cli.add_command(privacy_cli)

    from advocacy.statements.cli import statements_cli  # statements scan, statements followups

    app.cli.add_command(statements_cli)

    from advocacy.delivery.cli import deliveries_cli  # deliveries work, deliveries retry

    app.cli.add_command(deliveries_cli)

    from advocacy.casework.cli import casework_cli  # casework rotate-keys

    app.cli.add_command(casework_cli)


def register_template_helpers(app: Flask) -> None:
    from advocacy import labels
    from advocacy.auth.forms import LogoutForm

    labels.init_app(app)  # {{ code|label("delivery_status") }}: human words for stored codes

    @app.context_processor
    def inject_layout():
        # formdata=None: the header's form never reads the request (on a 413 page, reading it fails again).
        return {"logout_form": lambda: LogoutForm(formdata=None)}
