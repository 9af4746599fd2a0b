"""User administration, for admins only."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from advocacy.auth.access import role_required
from advocacy.auth.forms import NewUserForm, UserActiveForm, UserRoleForm
from advocacy.auth.models import Role, User
from advocacy.auth.services import AccountError, create_user, set_active, set_role
from advocacy.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.get("/users")
@role_required(Role.ADMIN)
def users():
    rows = db.session.scalars(select(User).order_by(User.email)).all()
    return render_template(
        "admin/users.html",
        users=rows,
        role_form=UserRoleForm(),
        active_form=UserActiveForm(),
        new_form=NewUserForm(),
    )


@bp.post("/users")
@role_required(Role.ADMIN)
def create():
    form = NewUserForm()
    if not form.validate_on_submit():
        rows = db.session.scalars(select(User).order_by(User.email)).all()
        return render_template(
            "admin/users.html",
            users=rows,
            role_form=UserRoleForm(),
            active_form=UserActiveForm(),
            new_form=form,
        ), 400
    try:
        create_user(form.email.data, form.password.data, form.role.data)
    except AccountError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".users"))
    flash("Account created.", "info")
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
