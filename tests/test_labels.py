"""Human labels: every stored code has words, and templates reach them through one filter."""

from __future__ import annotations

from flask import render_template_string

from advocacy.campaigns.models import Chamber, Outcome
from advocacy.campaigns.models import Status as CampaignStatus
from advocacy.delivery.jobs import JobStatus
from advocacy.delivery.models import Channel
from advocacy.delivery.models import Status as DeliveryStatus
from advocacy.labels import LABELS, label
from advocacy.stances import Kind
from advocacy.statements.models import CandidateStatus, SourceKind


def test_every_stored_code_has_its_own_words():
    domains = {
        "delivery_status": DeliveryStatus,
        "channel": Channel,
        "statement_kind": Kind,
        "chamber": Chamber,
        "campaign_status": CampaignStatus,
        "outcome": Outcome,
        "candidate_status": CandidateStatus,
        "source_kind": SourceKind,
        "job_status": JobStatus,
    }
    missing = [
        (domain, code.value) for domain, enum in domains.items() for code in enum if code.value not in LABELS[domain]
    ]
    assert missing == []


def test_a_code_reads_as_words_and_an_unknown_one_is_never_shown_raw():
    assert label("handoff_sent", "delivery_status") == "Sent by the constituent (contact form)"
    assert label("press_release", "statement_kind") == "Press release"
    assert label("senate", "chamber") == "Senate"
    assert label("some_new_code", "delivery_status") == "Some new code"
    assert label(None, "chamber") == ""


def test_templates_use_the_label_filter(app):
    with app.test_request_context():
        html = render_template_string("{{ 'handoff_sent'|label('delivery_status') }} {{ 'senate'|label }}")
    assert html == "Sent by the constituent (contact form) Senate"
