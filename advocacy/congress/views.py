"""The public `/lookup` page: find your members of Congress by ZIP code and, when needed, street address.

Works without JavaScript. The street address is sent by POST so it never appears in a URL; a ZIP alone may
come as `?zip=` so a result can be linked to.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, send_file
from flask_babel import gettext

from advocacy.auth.access import public, role_required
from advocacy.auth.models import Role
from advocacy.congress.forms import LookupForm
from advocacy.congress.lookup import LookupFailed, lookup_representatives
from advocacy.congress.photos import photo_path
from advocacy.extensions import limiter
from advocacy.places import district_label

bp = Blueprint("lookup", __name__)

DEFAULT_PAGE_RATE_LIMIT = "60 per minute"  # per IP; app.config["LOOKUP_PAGE_RATE_LIMIT"] overrides it


def page_rate_limit() -> str:
    return current_app.config.get("LOOKUP_PAGE_RATE_LIMIT", DEFAULT_PAGE_RATE_LIMIT)


@bp.route("/lookup", methods=["GET", "POST"])
@public
@limiter.limit(page_rate_limit)
def lookup():
    if request.method == "POST":
        form = LookupForm()
        submitted = form.validate_on_submit()
    else:
        form = LookupForm(formdata=None, data={"zip": request.args.get("zip", "")[:10]})
        submitted = bool(form.zip.data)
    result, errors, status = None, {}, 200
    if submitted:
        try:
            result = lookup_representatives(form.zip.data or "", form.address.data or None)
        except LookupFailed as exc:
            errors[exc.field] = str(exc)
            status = exc.status
    elif request.method == "POST":
        status = 400
        errors = {name: messages[0] for name, messages in form.errors.items() if name in ("zip", "address")}
        if not errors:
            errors["form"] = gettext("This form has expired. Please reload the page and try again.")
    return render_template("lookup/index.html", form=form, result=result, errors=errors, label=district_label), status


@bp.get("/members/<bioguide_id>/photo.jpg")
@role_required(Role.STAFF)
def member_photo(bioguide_id: str):
    """A member's photo as `flask legislators photos` stored it (the pickers show it); 404 when there is none."""
    path = photo_path(bioguide_id)
    if path is None:
        abort(404)
    return send_file(path, mimetype="image/jpeg", max_age=24 * 3600, conditional=True)
