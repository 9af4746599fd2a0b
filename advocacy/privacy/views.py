"""Admin pages: the audit log, and finding and erasing one constituent's data on request.

The email looked up travels only in a POST body and is never logged, stored or put in a URL.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from advocacy.auth.access import role_required
from advocacy.auth.models import Role, User
from advocacy.extensions import db
from advocacy.privacy.forms import EraseForm, LookupForm
from advocacy.privacy.services import erase_actions, find_constituent
from advocacy.reports import audit

bp = Blueprint("privacy", __name__, url_prefix="/admin")


def _date_arg(name: str) -> tuple[date | None, str | None]:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None, None
    try:
        return date.fromisoformat(raw), None
    except ValueError:
        return None, f"“{raw[:20]}” is not a date written as YYYY-MM-DD."


@bp.get("/audit")
@role_required(Role.ADMIN)
def audit_log():
    errors = {}
    date_from, errors["from"] = _date_arg("from")
    date_to, errors["to"] = _date_arg("to")
    errors = {k: v for k, v in errors.items() if v}
    action = request.args.get("action") or None
    if action and action not in audit.ACTIONS:
        errors["action"] = "Choose an action from the list."
        action = None
    source = request.args.get("source") or None
    if source and source not in ("web", "cli"):
        errors["source"] = "Source is web or cli."
        source = None
    query = audit.AuditQuery(
        action=action,
        user_id=request.args.get("user", type=int),
        source=source,
        campaign=(request.args.get("campaign") or "").strip()[:100] or None,
        date_from=date_from,
        date_to=date_to,
        page=request.args.get("page", 1, type=int) or 1,
    )
    page = audit.list_events(query)
    users = db.session.execute(select(User.id, User.email).order_by(User.email)).all()
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "reports/audit.html",
        page=page,
        query=query,
        args=args,
        errors=errors,
        actions=audit.ACTIONS,
        users=users,
    ), (400 if errors else 200)


@bp.get("/privacy")
@role_required(Role.ADMIN)
def privacy():
    return render_template("reports/privacy.html", form=LookupForm(), records=None, erase_form=None)


@bp.post("/privacy/lookup")
@role_required(Role.ADMIN)
def lookup():
    form = LookupForm()
    if not form.validate_on_submit():
        return render_template("reports/privacy.html", form=form, records=None, erase_form=None), 400
    records = find_constituent(form.email.data)
    audit.record("privacy.lookup", row_count=len(records))
    # The email is not sent back into the page: the erase form carries only submission ids.
    return render_template(
        "reports/privacy.html", form=LookupForm(formdata=None), records=records, erase_form=EraseForm(formdata=None)
    )


@bp.post("/privacy/erase")
@role_required(Role.ADMIN)
def erase():
    form = EraseForm()
    ids = request.form.getlist("action_id")
    if not form.validate_on_submit() or not ids:
        flash("Nothing was deleted: tick the confirmation and choose at least one submission.", "error")
        return redirect(url_for(".privacy"))
    try:
        result, campaigns = erase_actions(ids)
    except ValueError:
        abort(400)
    audit.record("privacy.delete", filters={"campaigns": campaigns}, row_count=result.actions)
    flash(
        f"Deleted the personal data of {result.actions} submission(s) and {result.letters} letter(s); the counts stay.",
        "info",
    )
    return redirect(url_for(".privacy"))
