"""GET /api/v1/campaigns and /api/v1/campaigns/<slug>: the public description of live and closed campaigns."""

from __future__ import annotations

from flask import jsonify

from advocacy.api import APIError, bp
from advocacy.api.openapi import PATHS, SCHEMAS, error_responses
from advocacy.auth.access import public
from advocacy.campaigns.services import get_public_campaign, public_campaign_json, public_campaigns

CACHE_CONTROL = "public, max-age=60"


def api_campaign_or_404(slug: str):
    """The live or closed campaign with this slug for an API route, or the API's 404 (a draft is not found)."""
    campaign = get_public_campaign(slug)
    if campaign is None:
        raise APIError(404, "not_found", "There is no published campaign with that name.")
    return campaign


@bp.get("/campaigns")
@public
def list_campaigns():
    response = jsonify({"campaigns": [public_campaign_json(c) for c in public_campaigns()]})
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


@bp.get("/campaigns/<slug>")
@public
def get_campaign(slug: str):
    campaign = api_campaign_or_404(slug)
    response = jsonify(public_campaign_json(campaign))
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


SCHEMAS["Campaign"] = {
    "type": "object",
    "required": ["slug", "title", "status", "accepting_letters", "detainee", "story_html", "ask", "counts", "url"],
    "properties": {
        "slug": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{1,62}$"},
        "title": {"type": "string"},
        "status": {"type": "string", "enum": ["live", "closed"]},
        "accepting_letters": {"type": "boolean", "description": "True while the campaign is live."},
        "detainee": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "photo_url": {"type": ["string", "null"], "format": "uri"}},
        },
        "story_html": {"type": "string", "description": "Sanitized HTML rendered from the organizer's Markdown."},
        "ask": {"type": "string"},
        "share_text": {"type": "string"},
        "keywords": {"type": "array", "items": {"type": "string"}},
        "aliases": {"type": "array", "items": {"type": "string"}},
        "targets": {
            "type": "object",
            "properties": {
                "delegation": {"type": "boolean", "description": "Letters go to each writer's own members."},
                "members": {"type": "array", "items": {"type": "string"}, "description": "Bioguide ids."},
                "committees": {"type": "array", "items": {"type": "string"}, "description": "Thomas ids."},
                "custom": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"name": {"type": "string"}, "title": {"type": "string"}},
                    },
                },
            },
        },
        "counts": {
            "type": "object",
            "properties": {
                "letters_sent": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "The campaign's own letters (thank-you letters are in thanks_sent).",
                },
                "offices_spoken": {"type": "integer", "minimum": 0},
                "thanks_sent": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "Thank-you letters to offices that acted, sent after the campaign was won.",
                },
            },
        },
        "sample": {"type": "boolean", "description": "A sample for trying the site: not a real person."},
        "outcome": {
            "oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/CampaignOutcome"}],
            "description": "How the campaign ended; null while it is live or closed without an outcome.",
        },
        "accepting_thanks": {
            "type": "boolean",
            "description": "True when the campaign was won and takes thank-you letters to the offices that acted.",
        },
        "timeline": {
            "type": "array",
            "description": "Public events, oldest first, each with its source.",
            "items": {"$ref": "#/components/schemas/TimelineEvent"},
        },
        "url": {"type": "string", "description": "Path of the public campaign page."},
        "created_at": {"type": ["string", "null"], "format": "date-time"},
        "updated_at": {"type": ["string", "null"], "format": "date-time"},
    },
}

SCHEMAS["CampaignOutcome"] = {
    "type": "object",
    "required": ["kind", "result", "label", "date", "message"],
    "properties": {
        "kind": {"type": "string", "enum": ["released", "relief_granted", "deported", "denied", "ended"]},
        "result": {"type": "string", "enum": ["won", "lost", "ended"]},
        "label": {"type": "string"},
        "date": {"type": ["string", "null"], "format": "date"},
        "message": {"type": "string", "description": "A short public message from the organizers."},
    },
}
SCHEMAS["TimelineEvent"] = {
    "type": "object",
    "required": ["date", "event", "source", "source_url"],
    "properties": {
        "date": {
            "type": "string",
            "pattern": "^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$",
            "description": "As precise as the public record: a year, a month or a day.",
        },
        "event": {"type": "string"},
        "source": {"type": "string", "description": "Where it was reported."},
        "source_url": {"type": ["string", "null"], "format": "uri"},
        "kind": {
            "type": ["string", "null"],
            "enum": ["custody", "transfer", "hearing", "decision", "release", "other", None],
        },
        "custody": {"type": ["string", "null"], "enum": ["detained", "released", "removed", None]},
        "facility": {"type": ["string", "null"], "description": "Where the person was held after the event."},
        "city": {"type": ["string", "null"]},
        "state": {"type": ["string", "null"]},
    },
}

PATHS["/campaigns"] = {
    "get": {
        "summary": "Live campaigns, then closed ones",
        "operationId": "listCampaigns",
        "responses": {
            "200": {
                "description": "Published campaigns (drafts are never listed)",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["campaigns"],
                            "properties": {
                                "campaigns": {"type": "array", "items": {"$ref": "#/components/schemas/Campaign"}}
                            },
                        }
                    }
                },
            }
        },
    }
}
PATHS["/campaigns/{slug}"] = {
    "get": {
        "summary": "One published campaign",
        "operationId": "getCampaign",
        "parameters": [{"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {
            "200": {
                "description": "The campaign",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Campaign"}}},
            },
            **error_responses(404),
        },
    }
}
