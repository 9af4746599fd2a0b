"""The organizer's delivery dashboard, its retry/cancel buttons, and a metric for monitoring (the outbox is
advocacy/delivery; this page reads it per campaign, so it sits with the reports above the campaigns)."""

from __future__ import annotations

import hmac

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from advocacy.auth.access import public, role_required
from advocacy.auth.models import Role
from advocacy.campaigns.models import Campaign
from advocacy.delivery import dispatch, services, wakeup
from advocacy.delivery.models import Channel, Status
from advocacy.delivery.options import option
from advocacy.extensions import db

bp = Blueprint("delivery", __name__)


class ActionForm(FlaskForm):
    """No fields: the CSRF token for the dashboard's POST buttons."""


def _campaigns():
    return db.session.scalars(select(Campaign).order_by(Campaign.title)).all()


def _campaign_id() -> int | None:
    raw = request.args.get("campaign", "")
    return int(raw) if raw.isdigit() else None


@bp.get("/organizer/deliveries")
@role_required(Role.ORGANIZER)
def dashboard():
    campaign_id = _campaign_id()
    stats = services.delivery_stats(campaign_id)
    problems = services.problem_deliveries(campaign_id)
    return render_template(
        "delivery/dashboard.html",
        stats=stats,
        problems=problems,
        campaigns=_campaigns(),
        campaign_id=campaign_id,
        statuses=[s.value for s in Status],
        channels=[c.value for c in Channel],
        form=ActionForm(),
        max_attempts=option("DELIVERY_MAX_ATTEMPTS"),
    )


def _back():
    campaign_id = request.form.get("campaign", "")
    return redirect(url_for(".dashboard", campaign=campaign_id) if campaign_id.isdigit() else url_for(".dashboard"))


@bp.post("/organizer/deliveries/<delivery_id>/retry")
@role_required(Role.ORGANIZER)
def retry(delivery_id: str):
    if not ActionForm().validate_on_submit():
        abort(400)
    if services.retry_delivery(delivery_id):
        dispatch.dispatch_after_commit([delivery_id])
        wakeup.notify_workers()
        flash("The delivery will be tried again now.", "info")
    else:
        flash("That delivery cannot be retried (it was sent, is being sent, or was cancelled).", "error")
    return _back()


@bp.post("/organizer/deliveries/<delivery_id>/cancel")
@role_required(Role.ORGANIZER)
def cancel(delivery_id: str):
    if not ActionForm().validate_on_submit():
        abort(400)
    if services.cancel_delivery(delivery_id):
        flash("The delivery was cancelled.", "info")
    else:
        flash("That delivery cannot be cancelled (it was sent or is being sent).", "error")
    return _back()


@bp.post("/organizer/deliveries/retry-failed")
@role_required(Role.ORGANIZER)
def retry_failed():
    if not ActionForm().validate_on_submit():
        abort(400)
    ids = services.retry_all_failed()
    dispatch.dispatch_after_commit(ids)
    if ids:
        wakeup.notify_workers()
    flash(f"{len(ids)} failed deliveries will be tried again now.", "info")
    return _back()


# --- Monitoring -------------------------------------------------------------------------------------


def _metrics_allowed() -> bool:
    token = option("DELIVERY_METRICS_TOKEN")
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].encode(), token.encode()):
        return True
    return bool(current_user.is_authenticated and current_user.has_role(Role.STAFF))


@bp.get("/metrics/deliveries")
@public  # checked below: a bearer token (DELIVERY_METRICS_TOKEN) or a signed-in staff session
def metrics():
    if not _metrics_allowed():
        response = jsonify(error={"code": "unauthorized", "message": "A metrics token or a staff login is required."})
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    stats = services.delivery_stats()
    if request.args.get("format") == "json" or request.accept_mimetypes.best == "application/json":
        return jsonify(
            oldest_undelivered_age_seconds=round(stats.oldest_undelivered_age, 3),
            undelivered=stats.undelivered,
            by_status=stats.by_status,
            by_channel=stats.by_channel,
            by_kind={f"{kind}:{status}": n for (kind, status), n in sorted(stats.by_kind_status.items())},
        )
    return Response(prometheus_text(stats), mimetype="text/plain; version=0.0.4")


def prometheus_text(stats: services.Stats) -> str:
    lines = [
        "# HELP advocacy_delivery_oldest_undelivered_age_seconds Age of the oldest accepted letter not yet delivered.",
        "# TYPE advocacy_delivery_oldest_undelivered_age_seconds gauge",
        f"advocacy_delivery_oldest_undelivered_age_seconds {stats.oldest_undelivered_age:.3f}",
        "# HELP advocacy_deliveries Deliveries by channel and status.",
        "# TYPE advocacy_deliveries gauge",
    ]
    for (channel, status), count in sorted(stats.by_channel_status.items()):
        lines.append(f'advocacy_deliveries{{channel="{channel}",status="{status}"}} {count}')
    lines += [
        "# HELP advocacy_outbox Everything that leaves (letters, receipts, follow-ups...) by kind and status.",
        "# TYPE advocacy_outbox gauge",
    ]
    for (kind, status), count in sorted(stats.by_kind_status.items()):
        lines.append(f'advocacy_outbox{{kind="{kind}",status="{status}"}} {count}')
    return "\n".join(lines) + "\n"
