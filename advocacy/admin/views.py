"""User administration, for admins only."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from advocacy.auth.access import role_required
from advocacy.auth.forms import InviteForm, NewUserForm, UserActiveForm, UserRoleForm
from advocacy.auth.mail import link_base, send_invite
from advocacy.auth.models import PasswordReset, Role, User
from advocacy.auth.services import AccountError, create_user, invite_user, reinvite_user, set_active, set_role
from advocacy.db import utcnow
from advocacy.extensions import db
from advocacy.reports import audit

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _users_page(new_form: NewUserForm | None = None, invite_form: InviteForm | None = None, status: int = 200):
    rows = db.session.scalars(select(User).order_by(User.email)).all()
    # Accounts whose invitation is still open (not used, not expired): the page offers to send it again.
    invited = set(
        db.session.scalars(
            select(PasswordReset.user_id).where(
                PasswordReset.purpose == "invite", PasswordReset.used_at.is_(None), PasswordReset.expires_at > utcnow()
            )
        )
    )
    return render_template(
        "admin/users.html",
        users=rows,
        invited=invited,
        role_form=UserRoleForm(),
        active_form=UserActiveForm(),
        new_form=new_form or NewUserForm(),
        invite_form=invite_form or InviteForm(),
    ), status


@bp.get("/users")
@role_required(Role.ADMIN)
def users():
    return _users_page()


@bp.post("/users")
@role_required(Role.ADMIN)
def create():
    form = NewUserForm()
    if not form.validate_on_submit():
        return _users_page(new_form=form, status=400)
    try:
        create_user(form.email.data, form.password.data, form.role.data)
    except AccountError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".users"))
    flash("Account created.", "info")
    return redirect(url_for(".users"))


def _send(user: User, token: str) -> None:
    audit.record("user.invite", filters={"user_id": user.id, "role": user.role})
    # The site's public address when set; else the host this admin's own request named (not a stranger's).
    base = link_base() or request.host_url.rstrip("/")
    problem = send_invite(user.id, user.email, base + url_for("auth.reset", token=token))
    if problem:
        flash(f"The invitation to {user.email} was not sent ({problem}). Try “Send the invitation again”.", "error")
    else:
        flash(f"Invitation sent to {user.email}: the link works once, for a week.", "info")


@bp.post("/users/invite")
@role_required(Role.ADMIN)
def invite():
    """A new account and an emailed one-time link for its owner to choose a password (no password typed here)."""
    form = InviteForm()
    if not form.validate_on_submit():
        return _users_page(invite_form=form, status=400)
    try:
        user, token = invite_user(form.email.data, form.role.data)
    except AccountError as exc:
        flash(str(exc), "error")
        return _users_page(invite_form=form, status=400)
    _send(user, token)
    return redirect(url_for(".users"))


@bp.post("/users/<int:user_id>/invite")
@role_required(Role.ADMIN)
def reinvite(user_id: int):
    user = _user_or_404(user_id)  # the CSRF token is checked for every POST (extensions.csrf)
    try:
        token = reinvite_user(user)
    except AccountError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".users"))
    _send(user, token)
    return redirect(url_for(".users"))


@bp.post("/users/<int:user_id>/role")
@role_required(Role.ADMIN)
def change_role(user_id: int):
    user = _user_or_404(user_id)
    form = UserRoleForm()
    if not form.validate_on_submit():
        abort(400)
    if user.id == current_user.id and form.role.data != Role.ADMIN.value:
        flash("You cannot remove your own admin role.", "error")
        return redirect(url_for(".users"))
    set_role(user, form.role.data)
    flash(f"{user.email} is now {form.role.data}.", "info")
    return redirect(url_for(".users"))


@bp.post("/users/<int:user_id>/active")
@role_required(Role.ADMIN)
def change_active(user_id: int):
    user = _user_or_404(user_id)
    form = UserActiveForm()
    if not form.validate_on_submit():
        abort(400)
    if user.id == current_user.id and not form.active.data:
        flash("You cannot deactivate your own account.", "error")
        return redirect(url_for(".users"))
    set_active(user, bool(form.active.data))
    flash(f"{user.email} is {'active' if form.active.data else 'deactivated'}.", "info")
    return redirect(url_for(".users"))
