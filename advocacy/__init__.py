"""advocacy: a congressional advocacy campaign toolkit."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from advocacy import api, errors, i18n, inputs, labels, logs, security, sessions
from advocacy.admin import views as admin_views
from advocacy.auth import models as auth_models
from advocacy.auth import views as auth_views
from advocacy.auth.access import require_login
from advocacy.auth.cli import users_cli
from advocacy.auth.forms import LogoutForm
from advocacy.campaigns import api as campaigns_api
from advocacy.campaigns import models as campaigns_models
from advocacy.campaigns import stale
from advocacy.campaigns import views as campaigns_views
from advocacy.campaigns.cli import campaigns_cli
from advocacy.casework import models as casework_models
from advocacy.casework import views as casework_views
from advocacy.casework.cli import casework_cli
from advocacy.config import PROJECT_ROOT, flask_config, load_settings, refuse_development_only
from advocacy.congress import api as congress_api
from advocacy.congress import models as congress_models
from advocacy.congress import views as congress_views
from advocacy.congress.cli import districts_cli, legislators_cli
from advocacy.congress.fastpath import LookupFastPath
from advocacy.dbsetup import configure_postgres, configure_sqlite
from advocacy.delivery import jobs as delivery_jobs
from advocacy.delivery import models as delivery_models
from advocacy.delivery import suppression
from advocacy.delivery.cli import deliveries_cli
from advocacy.extensions import csrf, limiter, login_manager, migrate
from advocacy.extensions import db as database
from advocacy.letters import api as letters_api
from advocacy.letters import counts, followups, outcome_emails, receipts
from advocacy.letters import models as letters_models
from advocacy.letters import views as letters_views
from advocacy.letters.cli import districts_verify, legislators_switch
from advocacy.main import campaign_photos, campaign_translations
from advocacy.main import organization as organization_views
from advocacy.main import views as main_views
from advocacy.organization import models as organization_models
from advocacy.privacy import views as privacy_views
from advocacy.privacy.cli import privacy_cli
from advocacy.reports import deliveries, export_jobs, weekly
from advocacy.reports import models as reports_models
from advocacy.reports import views as reports_views
from advocacy.reports.cli import reports_cli
from advocacy.statements import alerts, file_statements, scan_job
from advocacy.statements import api as statements_api
from advocacy.statements import models as statements_models
from advocacy.statements import public as statements_public
from advocacy.statements import views as statements_views
from advocacy.statements.cli import statements_cli
from advocacy.updates import emails as update_emails
from advocacy.updates import models as updates_models
from advocacy.updates import views as updates_views
from advocacy.wsgibody import WholeBody

# The tables, each module's models on the one metadata (migrations and `db.create_all` see these).
MODEL_MODULES = (
    auth_models,
    congress_models,  # members, offices, committees, ZIP districts
    reports_models,  # the audit log
    campaigns_models,  # campaigns, letter templates, custom targets
    statements_models,  # statements, revisions, monitor, follow-ups
    letters_models,
    delivery_models,  # letters' delivery outbox
    delivery_jobs,  # background jobs, run by the same workers
    casework_models,  # private case facts and files, actions, timeline history
    organization_models,  # the settings an admin saved over the environment's
    suppression,  # unsubscribes
    updates_models,  # updates to supporters
)
# Modules that add routes to the API blueprint (advocacy.api.bp); imported before it is registered.
API_MODULES = (
    statements_api,  # GET /api/v1/campaigns/<slug>/scoreboard
    campaigns_api,  # GET /api/v1/campaigns[/<slug>]
    congress_api,  # GET /api/v1/representatives
    letters_api,  # POST /api/v1/campaigns/<slug>/actions
)
# Modules that register outbox kinds (advocacy.delivery.kinds): what the delivery workers can render and send.
OUTBOX_MODULES = (
    receipts,  # letters: the constituent's receipt
    followups,  # letters: "an office you wrote to has spoken up"
    outcome_emails,  # letters: "how the campaign ended", to its letter writers
    update_emails,  # updates: an organizer's news about the case
    alerts,  # statements: "new candidates to review", to opted-in organizers
    weekly,  # reports: the weekly summary to staff who asked for it
    stale,  # campaigns: "is this still true?", to the organizers of a stale live campaign
)
# Modules that register background job kinds (advocacy.delivery.jobs): what `deliveries work` can run.
JOB_MODULES = (
    export_jobs,  # reports: large exports and packet bundles, "export ready" mail
    scan_job,  # statements: "scan now" from the monitored-feeds page
)
# Modules that register a part of a lower feature's work (campaigns.services.counts_part, loading.section_loader).
HOOK_MODULES = (
    counts,  # letters: letters written, in a campaign's public counts
    file_statements,  # statements: the statements a campaign file carries
)
# Blueprints in the order they are registered (the letters' public campaign pages come after fixed paths).
BLUEPRINTS = (
    main_views.bp,
    auth_views.bp,
    admin_views.bp,
    api.bp,
    congress_views.bp,  # the public /lookup page
    reports_views.bp,  # reports, exports, audit log
    privacy_views.bp,
    campaigns_views.bp,  # organizer pages under /organizer/campaigns
    campaign_photos.bp,  # the campaign's uploaded photo, and /photos/<id>.jpg
    campaign_translations.bp,  # a campaign's translations, edited by organizers
    statements_views.bp,  # organizer pages
    statements_public.bp,  # the public scoreboard
    letters_views.bp,  # the public campaign pages and the letter flow
    deliveries.bp,  # the delivery dashboard: /organizer/deliveries, /metrics/deliveries
    casework_views.bp,  # /organizer/campaigns/<slug>/casework, priority report
    organization_views.bp,  # who runs the site, /privacy, /admin/organization
    updates_views.bp,  # organizer pages, Atom feed, /unsubscribe/<token>
)


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
    app.wsgi_app = LookupFastPath(app, WholeBody(app.wsgi_app))
    proxies = app.config["ADVOCACY_SETTINGS"].proxy_count
    if proxies:
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
    # A database error's text (in tracebacks, in the log) names the statement but never its parameters: they
    # hold constituents' names, addresses and words.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
        "hide_parameters": True,
    }
    # `database`, not `db`: the package's attribute `advocacy.db` must stay the module (the migration names
    # advocacy.db.UTCDateTime).
    database.init_app(app)
    with app.app_context():  # makes the engine object; no connection is opened here
        if database.engine.dialect.name == "sqlite":
            configure_sqlite(database.engine)
        elif database.engine.dialect.name == "postgresql":
            configure_postgres(database.engine)
    migrate.init_app(app, database, directory=str(PROJECT_ROOT / "migrations"))
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
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)


def register_errorhandlers(app: Flask) -> None:
    errors.init_app(app)


def register_commands(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(campaigns_cli)  # campaigns load PATH
    app.cli.add_command(legislators_cli)  # congress data sync
    app.cli.add_command(districts_cli)
    districts_cli.add_command(districts_verify)  # these re-address letters
    legislators_cli.add_command(legislators_switch)
    app.cli.add_command(reports_cli)  # reports export, reports packets
    app.cli.add_command(privacy_cli)  # privacy purge
    app.cli.add_command(statements_cli)  # statements scan, statements followups
    app.cli.add_command(deliveries_cli)  # deliveries work, deliveries retry
    app.cli.add_command(casework_cli)  # casework rotate-keys


def register_template_helpers(app: Flask) -> None:
    labels.init_app(app)  # {{ code|label("delivery_status") }}: human words for stored codes

    @app.context_processor
    def inject_layout():
        # formdata=None: the header's form never reads the request (on a 413 page, reading it fails again).
        return {"logout_form": lambda: LogoutForm(formdata=None)}
