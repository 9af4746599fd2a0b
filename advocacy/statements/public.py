"""The public scoreboard page and the Atom feed of statements.

The page lists all ~540 offices and every statement, so the parts that are the same for every visitor
(the table rows, the timeline) are rendered once per version of the board and reused; only the order,
the filters and the visitor's own members are worked out per request.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_login import current_user
from markupsafe import Markup

from advocacy.auth.access import public
from advocacy.campaigns.services import get_public_campaign
from advocacy.campaigns.snapshots import campaign_snapshot
from advocacy.congress.lookup import LookupFailed, lookup_representatives
from advocacy.i18n import current_language
from advocacy.places import STATE_NAMES
from advocacy.stances import KIND_WORDS, Stance
from advocacy.statements.atom import statements_atom
from advocacy.statements.scoreboard import (
    GROUP_LABELS,
    OfficeRow,
    Scoreboard,
    TableQuery,
    current_scoreboard,
    filter_rows,
)
from advocacy.statements.stategrid import HIGHLIGHT_LABEL, legend, render_state_grid

bp = Blueprint("scoreboard", __name__)
PUBLIC_CACHE = "public, max-age=60"
TIMELINE_LIMIT = 100
OFFICES_PER_PAGE = 60  # 537 rows on one page made a 24,000-pixel page


def public_campaign_or_404(slug: str):
    campaign = get_public_campaign(slug)
    if campaign is None:
        abort(404)
    return campaign


def _your_members(zip_code: str):
    """(lookup result, error message) for the ZIP typed on the page; both None when none was typed."""
    if not zip_code:
        return None, None
    try:
        return lookup_representatives(zip_code), None
    except LookupFailed as exc:
        return None, str(exc)


# Statement kinds in the reader's words (the English labels stay for staff pages and exports).
bp.add_app_template_global(KIND_WORDS, "kind_words")


def _parts():
    return current_app.jinja_env.get_template("scoreboard/_parts.html").module


def _table_body(board: Scoreboard, rows: list[OfficeRow], mine: set[str]) -> Markup:
    parts = _parts()
    key = ("rows", current_language().code)  # rendered pieces hold words: one copy per language
    cached = board.rendered.get(key)
    if cached is None:
        cached = board.rendered[key] = {r.office.bioguide_id: parts.office_row(r) for r in board.rows}
    return Markup("").join(
        parts.office_row(r, True) if r.office.bioguide_id in mine else cached[r.office.bioguide_id] for r in rows
    )


def _timeline(board: Scoreboard, everything: bool) -> Markup:
    key = ("timeline", everything, current_language().code)
    html = board.rendered.get(key)
    if html is None:
        months = board.timeline(None if everything else TIMELINE_LIMIT)
        html = board.rendered[key] = _parts().timeline(months, board.names)
    return html


@bp.get("/c/<slug>/scoreboard")
@public
def show(slug: str):
    campaign = campaign_snapshot(slug)  # cached per process for a few seconds: no query for the campaign
    if campaign is None or campaign.status not in ("live", "closed"):
        abort(404)
    board = current_scoreboard(campaign.id)
    # The plain page (no filters, no ZIP, nobody signed in) is the same for every visitor until the
    # statements change: render it once per scoreboard version and process.
    plain = not request.args and not current_user.is_authenticated
    # Keyed by the campaign's version too: the page shows its title, case timeline and priority offices, which
    # an organizer changes without touching the board's statements and actions.
    page_key = ("page", campaign.version, current_language().code)
    if plain and (page := board.rendered.get(page_key)) is not None:
        return Response(page, headers={"Cache-Control": PUBLIC_CACHE})
    query = TableQuery.from_args(request.args)
    result, zip_error = _your_members(query.zip)
    mine_ids = [o.bioguide_id for o in (*result.offices, *result.house_candidates)] if result else []
    rows_by_id = {row.office.bioguide_id: row for row in board.rows}
    highlight = frozenset(result.states) if result is not None else frozenset()
    if query.state:
        highlight |= {query.state}
    everything = request.args.get("timeline") == "all"

    def link(fragment: str = "offices", **changes) -> str:
        """This page with the current filters, sort and ZIP, and `changes` applied (no url_for per link:
        the page has a few hundred of them)."""
        args = query.args(**changes)
        return request.path + ("?" + urlencode(args) if args else "") + (f"#{fragment}" if fragment else "")

    rows = filter_rows(board.rows, query)
    pages = max(1, -(-len(rows) // OFFICES_PER_PAGE))
    page = min(query.page, pages)
    if mine_ids and "page" not in request.args:  # after a ZIP lookup, open the table where your members are
        where = next((i for i, row in enumerate(rows) if row.office.bioguide_id in set(mine_ids)), None)
        page = 1 if where is None else where // OFFICES_PER_PAGE + 1
    shown = rows[(page - 1) * OFFICES_PER_PAGE : page * OFFICES_PER_PAGE]
    response = Response(
        render_template(
            "scoreboard/show.html",
            campaign=campaign,
            board=board,
            rows=rows,
            table_body=_table_body(board, shown, set(mine_ids)),
            page=page,
            pages=pages,
            first_shown=(page - 1) * OFFICES_PER_PAGE + 1 if shown else 0,
            last_shown=(page - 1) * OFFICES_PER_PAGE + len(shown),
            timeline=_timeline(board, everything),
            timeline_cut=not everything and len(board.statements) > TIMELINE_LIMIT,
            timeline_limit=TIMELINE_LIMIT,
            query=query,
            link=link,
            zip_error=zip_error,
            lookup=result,
            my_rows=[rows_by_id[b] for b in mine_ids if b in rows_by_id],
            state_map=render_state_grid(
                board.state_counts(), link_for=lambda state: link(state=state), highlight=highlight
            ),
            legend=legend(),
            highlight_label=HIGHLIGHT_LABEL,
            groups=GROUP_LABELS,
            states=STATE_NAMES,
            stances=list(Stance),
        )
    )
    # The same for every visitor unless a ZIP was typed or someone is signed in (the page then holds a
    # CSRF token for the logout button), so shared caches may keep it briefly.
    if not query.zip and not current_user.is_authenticated:
        response.headers["Cache-Control"] = PUBLIC_CACHE
    if plain:
        board.rendered[page_key] = response.get_data()
    return response


@bp.get("/c/<slug>/statements.atom")
@public
def atom(slug: str):
    campaign = public_campaign_or_404(slug)
    body = statements_atom(campaign)
    return Response(body, mimetype="application/atom+xml", headers={"Cache-Control": PUBLIC_CACHE})
