"""The public scoreboard page and the Atom feed of statements."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_login import current_user

from advocacy.auth.access import public
from advocacy.statements.atom import statements_atom
from advocacy.statements.models import Stance
from advocacy.statements.scoreboard import GROUP_LABELS, TableQuery, build_scoreboard, filter_rows
from advocacy.statements.stategrid import STATE_NAMES, legend, render_state_grid

bp = Blueprint("scoreboard", __name__)
PUBLIC_CACHE = "public, max-age=60"


def public_campaign_or_404(slug: str):
    from advocacy.campaigns.services import get_public_campaign

    campaign = get_public_campaign(slug)
    if campaign is None:
        abort(404)
    return campaign


def _your_members(zip_code: str):
    """(lookup result, error message) for the ZIP typed on the page; both None when none was typed."""
    from advocacy.congress.lookup import LookupFailed, lookup_representatives

    if not zip_code:
        return None, None
    try:
        return lookup_representatives(zip_code), None
    except LookupFailed as exc:
        return None, str(exc)


@bp.get("/c/<slug>/scoreboard")
@public
def show(slug: str):
    campaign = public_campaign_or_404(slug)
    board = build_scoreboard(campaign.id)
    query = TableQuery.from_args(request.args)
    zip_code = query.zip
    result, zip_error = _your_members(zip_code)
    mine: list[str] = []
    if result is not None:
        mine = [o.bioguide_id for o in (*result.offices, *result.house_candidates)]
    rows_by_id = {row.office.bioguide_id: row for row in board.rows}
    highlight_states = frozenset(result.states) if result is not None else frozenset()
    if query.state:
        highlight_states |= {query.state}

    def tile_link(state: str) -> str:
        return url_for(".show", slug=slug, **query.args(state=state)) + "#offices"

    response = Response(
        render_template(
            "scoreboard/show.html",
            campaign=campaign,
            board=board,
            rows=filter_rows(board.rows, query),
            query=query,
            zip_code=zip_code,
            zip_error=zip_error,
            lookup=result,
            mine=set(mine),
            my_rows=[rows_by_id[b] for b in mine if b in rows_by_id],
            state_map=render_state_grid(board.state_counts(), link_for=tile_link, highlight=highlight_states),
            legend=legend(),
            groups=GROUP_LABELS,
            states=STATE_NAMES,
            stances=list(Stance),
        )
    )
    # The same for every visitor unless a ZIP was typed or someone is signed in (the page then holds a
    # CSRF token for the logout button), so shared caches may keep it briefly.
    if not zip_code and not current_user.is_authenticated:
        response.headers["Cache-Control"] = PUBLIC_CACHE
    return response


@bp.get("/c/<slug>/statements.atom")
@public
def atom(slug: str):
    campaign = public_campaign_or_404(slug)
    body = statements_atom(campaign)
    return Response(body, mimetype="application/atom+xml", headers={"Cache-Control": PUBLIC_CACHE})
