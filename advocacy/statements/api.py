"""`GET /api/v1/campaigns/<slug>/scoreboard`: every sitting office with its stance and statements."""

from __future__ import annotations

from flask import Response, current_app

from advocacy.api import bp
from advocacy.api.openapi import PATHS, SCHEMAS, error_responses
from advocacy.auth.access import public
from advocacy.campaigns.api import api_campaign_or_404
from advocacy.statements.scoreboard import current_scoreboard


@bp.get("/campaigns/<slug>/scoreboard")
@public
def campaign_scoreboard(slug: str):
    campaign = api_campaign_or_404(slug)
    board = current_scoreboard(campaign.id)
    body = board.rendered.get("json")
    if body is None:  # serialized once per version of the board
        body = board.rendered["json"] = current_app.json.dumps(board.to_json(), separators=(",", ":"))
    return Response(body, mimetype="application/json", headers={"Cache-Control": "public, max-age=60"})


_TALLY = {
    "type": "object",
    "required": ["offices", "spoken", "supports", "neutral", "opposes", "not_spoken"],
    "properties": {
        "offices": {"type": "integer", "description": "Sitting offices counted here."},
        "spoken": {"type": "integer", "description": "Offices whose latest statement supports the campaign."},
        "supports": {"type": "integer"},
        "neutral": {"type": "integer"},
        "opposes": {"type": "integer"},
        "not_spoken": {"type": "integer", "description": "Offices with no statement."},
    },
}

SCHEMAS["ScoreboardTally"] = _TALLY
SCHEMAS["ScoreboardStatement"] = {
    "type": "object",
    "required": ["id", "date", "kind", "stance", "source_url", "quote_or_summary"],
    "properties": {
        "id": {"type": "integer"},
        "date": {"type": "string", "format": "date"},
        "kind": {
            "type": "string",
            "enum": [
                "press_release",
                "social_post",
                "letter_to_dhs_ice",
                "floor_remarks",
                "cosigned_letter",
                "resolution_cosponsor",
                "other",
            ],
        },
        "stance": {"type": "string", "enum": ["supports", "neutral", "opposes"]},
        "source_url": {"type": "string", "format": "uri"},
        "quote_or_summary": {"type": "string"},
    },
}
SCHEMAS["ScoreboardOffice"] = {
    "type": "object",
    "required": ["bioguide_id", "name", "chamber", "state", "district", "party", "stance", "statements"],
    "properties": {
        "bioguide_id": {"type": "string"},
        "name": {"type": "string"},
        "title": {"type": "string"},
        "chamber": {"type": "string", "enum": ["senate", "house"]},
        "state": {"type": "string"},
        "district": {"type": ["integer", "null"], "description": "null for senators; 0 for at-large seats"},
        "party": {"type": "string"},
        "delegate": {"type": "boolean", "description": "A non-voting delegate or the Resident Commissioner."},
        "stance": {
            "type": ["string", "null"],
            "enum": ["supports", "neutral", "opposes", None],
            "description": "The latest statement's stance; null when the office has not spoken.",
        },
        "statements": {
            "type": "array",
            "description": "Newest first.",
            "items": {"$ref": "#/components/schemas/ScoreboardStatement"},
        },
        "actions": {
            "type": "array",
            "description": "The office's actions beyond statements (inquiry, letter to DHS/ICE, ...), newest first.",
            "items": {"$ref": "#/components/schemas/ScoreboardAction"},
        },
        "action_stance": {
            "type": ["string", "null"],
            "enum": ["supports", "neutral", "opposes", None],
            "description": "The stance the latest action implies; `stance` (has spoken) stays the statements' own.",
        },
    },
}
SCHEMAS["ScoreboardAction"] = {
    "type": "object",
    "required": ["id", "date", "kind", "label", "implied_stance", "evidence_url"],
    "properties": {
        "id": {"type": "integer"},
        "date": {"type": "string", "format": "date"},
        "kind": {
            "type": "string",
            "enum": ["letter_to_dhs_ice", "inquiry_opened", "remarks", "joint_letter", "meeting_held", "declined"],
        },
        "label": {"type": "string"},
        "implied_stance": {"type": "string", "enum": ["supports", "neutral", "opposes"]},
        "evidence_url": {"type": ["string", "null"], "format": "uri", "description": "Public evidence only."},
    },
}
SCHEMAS["Scoreboard"] = {
    "type": "object",
    "required": ["totals", "offices"],
    "properties": {
        "totals": {
            "type": "object",
            "description": "Voting offices (the 535 seats, less vacancies); delegates are counted apart.",
            "required": ["seats", "vacant", "offices", "spoken", "delegates", "statements"],
            "properties": {
                "seats": {"type": "integer", "const": 535},
                "vacant": {"type": "integer"},
                **_TALLY["properties"],
                "delegates": {"$ref": "#/components/schemas/ScoreboardTally"},
                "statements": {"type": "integer"},
                "last_statement_date": {"type": ["string", "null"], "format": "date"},
                "by_chamber": {
                    "type": "object",
                    "description": "Keys: senate, house, delegates.",
                    "additionalProperties": {"$ref": "#/components/schemas/ScoreboardTally"},
                },
                "by_party": {
                    "type": "object",
                    "additionalProperties": {"$ref": "#/components/schemas/ScoreboardTally"},
                },
                "by_state": {
                    "type": "object",
                    "additionalProperties": {"$ref": "#/components/schemas/ScoreboardTally"},
                },
            },
        },
        "offices": {"type": "array", "items": {"$ref": "#/components/schemas/ScoreboardOffice"}},
    },
}
PATHS["/campaigns/{slug}/scoreboard"] = {
    "get": {
        "summary": "Which offices have spoken for a campaign",
        "description": "Every sitting member of Congress with the stance of their latest statement "
        "(null when they have not spoken) and their statements, plus totals and breakdowns.",
        "operationId": "getCampaignScoreboard",
        "tags": ["statements"],
        "parameters": [{"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {
            "200": {
                "description": "The scoreboard",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Scoreboard"}}},
            },
            **error_responses(404),
        },
    }
}
