"""A template over the render budget, stored before the budget existed, never burns a submission or shows a 500.

Saving, loading and previewing are covered beside their features (test_campaign_organizer.py,
test_campaign_files.py); the sandbox's own limits in test_templates_sandbox.py.
"""

from __future__ import annotations

from sqlalchemy import func, select

from advocacy.delivery.models import Delivery
from advocacy.letters.models import Action, Letter
from tests.letters_support import GOOD

HEAVY_BODY = "{{ office.salutation }},\n{% for i in range(1000) %}{{ ((range(1000)|list)*20)|sort|length }}{% endfor %}"


def counts(db):
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (Action, Letter, Delivery))


def test_a_stored_template_over_the_budget_is_refused_at_send_and_stores_nothing(client, db, live_campaign):
    for variant in live_campaign.letters:
        variant.body = HEAVY_BODY
    db.session.commit()
    response = client.post("/api/v1/campaigns/sample-campaign/actions", json=GOOD)
    assert response.status_code == 503
    assert response.json["error"]["code"] == "campaign_unavailable"
    assert counts(db) == (0, 0, 0)
