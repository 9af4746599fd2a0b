"""Letter templates: the sandbox refuses escapes and runaway work, errors carry their line, rendering is fast.

These tests need no database: rendering works on plain values.
"""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest

from advocacy.campaigns import sandbox
from advocacy.campaigns.placeholders import constituent_fields
from advocacy.campaigns.rendering import (
    MAX_OUTPUT_CHARS,
    MAX_TEMPLATE_CHARS,
    TemplateProblem,
    choose_variant,
    compile_template,
    letter_context,
    render_letter,
    render_parts,
    validate_template,
)
from advocacy.campaigns.samples import SAMPLE_CAMPAIGN, SAMPLE_OFFICES

SENATOR, REPRESENTATIVE, DELEGATE = SAMPLE_OFFICES[:3]
GOOD_SUBJECT = "Free {{ campaign.detainee_name }}"


def variant(chamber="any", stance="any", body="{{ office.salutation }},\n\nHello.", subject=GOOD_SUBJECT, **kw):
    fields = {"id": None, "name": f"{chamber}/{stance}", "priority": 0, **kw}
    return SimpleNamespace(chamber=chamber, stance=stance, subject=subject, body=body, **fields)


def writer(**overrides):
    values = {"first_name": "Ana", "last_name": "Lee", "city": "Albany", "state": "NY", "zip": "12207", "message": ""}
    values.update(overrides)
    return values


def refused(body: str, subject: str = GOOD_SUBJECT) -> TemplateProblem:
    with pytest.raises(TemplateProblem) as info:
        validate_template(subject, body)
    return info.value


ESCAPES = [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ ''|attr('__class__') }}",
    "{{ constituent|attr('__class__') }}",
    "{{ '{0.__class__}'.format_map(office) }}",
    "{{ '{0.__class__.__init__.__globals__}'.format(office) }}",
    "{{ constituent.first_name.format_map }}",
    "{{ range(10**9) }}",
    "{{ range(100000)|list|length }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ joiner.__init__.__globals__ }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ lipsum.__globals__['os'] }}",
    "{{ os.system('id') }}",
    "{{ config }}",
    "{{ request }}",
    "{{ self }}",
    "{{ office['__class__'] }}",
    "{{ campaign.__class__.__base__.__subclasses__() }}",
    "{{ campaign.query }}",
    "{{ (1).to_bytes(10, 'big') }}",
    "{{ constituent.first_name.center(100000000) }}",
    "{{ constituent.first_name.ljust(100000000) }}",
    "{{ '%100000000s' % 'a' }}",
    "{{ 'a' * 100000000 }}",
    "{{ [1] * 100000000 }}",
    "{{ 10 ** 10 ** 10 }}",
    "{{ 99999999999 * 99999999999 * 99999999999 }}",
    "{% set a = 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' %}{% set b = a ~ a ~ a ~ a ~ a ~ a ~ a ~ a ~ a ~ a %}"
    "{% set c = b ~ b ~ b ~ b ~ b ~ b ~ b ~ b ~ b ~ b %}{% set d = c ~ c ~ c ~ c ~ c ~ c ~ c ~ c ~ c ~ c %}{{ d }}",
    "{% set a = 'xxxxxxxxxx' %}{% set b = a + a + a + a + a + a + a + a + a + a %}{% set c = b + b + b + b + b + b"
    " + b + b + b + b %}{% set d = c + c + c + c + c + c + c + c + c + c %}{{ d + d + d }}",
    "{{ constituent.message|replace('', 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx') }}",
    "{{ constituent.message|indent(1000000) }}",
    "{{ constituent.message|center(100000000) }}",
    "{{ constituent.message|format(1) }}",
    "{{ range(1000)|map('string')|join }}",
    "{% for i in range(1000) %}{% for j in range(1000) %}{% for k in range(1000) %}{% endfor %}{% endfor %}{% endfor %}",
    "{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}",
    "{% for x in [1] recursive %}{{ loop([1]) }}{% endfor %}",
    "{% macro m(n) %}{{ m(n) }}{{ m(n) }}{% endmacro %}{{ m(1) }}",
    "{% call range(3) %}x{% endcall %}",
    "{% include 'base.html' %}",
    "{% extends 'base.html' %}",
    "{% import 'base.html' as b %}",
    "{% from 'base.html' import x %}",
    "{% block a %}{{ self.a() }}{% endblock %}",
]


@pytest.mark.parametrize("body", ESCAPES)
def test_known_escapes_and_runaway_work_are_refused_quickly(body):
    started = time.perf_counter()
    problem = refused("{{ office.salutation }},\n" + body)
    assert time.perf_counter() - started < 10.0  # a bound against runaway work, not a measurement
    assert problem.part == "body" and problem.line == 2
    assert "<class" not in problem.message and "built-in" not in problem.message


def test_escape_attempts_do_not_leak_in_output_either():
    # Even rendered straight (not through validate_template), nothing is produced.
    context = letter_context(SAMPLE_CAMPAIGN, writer(), SENATOR, None)
    for body in ("{{ ''.__class__ }}", "{{ office.__class__ }}", "{{ ''|attr('__class__') }}"):
        with pytest.raises(TemplateProblem):
            render_parts(GOOD_SUBJECT, body, context)


def test_undefined_placeholder_is_refused_with_its_line_and_a_suggestion():
    problem = refused("{{ office.salutation }},\n\nI am {{ constituent.frist_name }}.\n")
    assert (problem.part, problem.line) == ("body", 3)
    assert "constituent.frist_name is not a placeholder" in problem.message
    assert "constituent.first_name" in problem.message
    assert str(problem).startswith("body, line 3: ")

    problem = refused("Hello\n{{ constituant.first_name }}")
    assert problem.line == 2 and "did you mean constituent?" in problem.message


def test_undefined_inside_a_branch_only_some_samples_reach_is_still_found():
    # Only senators take this branch; validation renders every sample office.
    body = "Hi\n{% if office.chamber == 'senate' %}\n{{ office.senority }}\n{% endif %}\n"
    problem = refused(body)
    assert problem.line == 3 and "office.senority" in problem.message


def test_syntax_errors_carry_their_line():
    problem = refused("line one\nline two\n{% if constituent.message %}\nno end")
    assert problem.part == "body" and problem.line == 4
    problem = refused("ok", subject="Free {{ campaign.detainee_name")
    assert problem.part == "subject" and problem.line == 1


def test_unknown_filter_is_refused_and_lists_the_available_ones():
    problem = refused("\n{{ constituent.first_name|attr('x') }}")
    assert problem.line == 2 and "No filter named 'attr'" in problem.message and "upper" in problem.message


def test_huge_templates_are_refused_before_compiling():
    problem = refused("x" * (MAX_TEMPLATE_CHARS + 1))
    assert "20,000" in problem.message and problem.line is None
    validate_template(GOOD_SUBJECT, "{{ office.salutation }}\n" + "x" * (MAX_TEMPLATE_CHARS - 60))
    problem = refused("ok", subject="x" * 501)
    assert problem.part == "subject"


def test_output_limit_counts_the_longest_constituent_message():
    # Five copies of a 5,000-character message pass 20,000 characters for the longest sample writer.
    problem = refused("Hi\n{% for i in range(5) %}{{ constituent.message }}\n{% endfor %}")
    assert str(MAX_OUTPUT_CHARS) in problem.message.replace(",", "")


def test_empty_subject_or_body_is_refused():
    assert refused("   ").part == "body"
    assert refused("ok", subject="  ").part == "subject"
    assert refused("{% if false %}x{% endif %}").message == "renders empty"


def test_loops_within_the_budget_work():
    body = "{% for i in range(3) %}{{ loop.index }}. {{ constituent.first_name }}\n{% endfor %}"
    subject, text = render_letter(SAMPLE_CAMPAIGN, variant(body=body), writer(), SENATOR, None)
    assert text == "1. Ana\n2. Ana\n3. Ana"
    validate_template(GOOD_SUBJECT, "{% for i in range(1000) %}{% endfor %}x" * 5)
    assert "5,000" in refused("{% for i in range(1000) %}{% endfor %}x" * 6).message


UNICODE_WRITERS = [
    ("锋锁", "周", "锋锁 周"),
    ("Minh", "Nguyễn", "Minh Nguyễn"),
    ("Siobhán", "O'Brien", "Siobhán O'Brien"),
    ("Aziz", "Asat", "Aziz Asat"),
]


@pytest.mark.parametrize("first,last,full", UNICODE_WRITERS)
def test_unicode_names_render_as_typed(first, last, full):
    body = "{{ office.salutation }},\n\n{{ constituent.message }}\n\n{{ constituent.full_name }}\n{{ constituent.last_name }}"
    message = "I stand with Guan Heng <script>alert(1)</script> & {{ 7 * 7 }} {% raw %}"
    subject, text = render_letter(
        SAMPLE_CAMPAIGN, variant(body=body), writer(first_name=first, last_name=last, message=message), SENATOR, None
    )
    # Plain text: nothing escaped, and the writer's braces are never evaluated.
    assert text == f"Dear Senator Ortega,\n\n{message}\n\n{full}\n{last}"
    assert subject == "Free Sample Person"


def test_decomposed_unicode_is_normalized():
    decomposed = "Nguye\u0302\u0303n"
    fields = constituent_fields(writer(last_name=decomposed))
    assert fields.last_name == "Nguyễn"


def test_control_characters_and_bidi_overrides_are_stripped_from_writer_values():
    w = writer(
        first_name="A\u202enna\x00",
        last_name="Lee\u202d\ufeff",
        city="Al\x07bany",
        message="Line one\r\nLine two\x1b[31m\u2066\n\n\n\n\nLine three\t!",
    )
    _, text = render_letter(
        SAMPLE_CAMPAIGN, variant(body="{{ constituent.full_name }}|{{ constituent.city }}|{{ constituent.message }}"),
        w, SENATOR, None,
    )  # fmt: skip
    assert text == "Anna Lee|Albany|Line one\nLine two[31m\n\nLine three !"


def test_subject_is_always_one_line_and_bounded():
    w = writer(first_name="Ana\r\nBcc: victim@example.org", last_name="L" * 100)
    subject, _ = render_letter(
        SAMPLE_CAMPAIGN,
        variant(
            subject="From {{ constituent.first_name }} {{ constituent.last_name }} {{ constituent.last_name * 2 }}"
        ),
        w,
        SENATOR,
        None,
    )
    assert "\n" not in subject and "\r" not in subject
    assert subject.startswith("From Ana Bcc: victim@example.org LLL")
    assert len(subject) == 250 and subject.endswith("…")


def test_office_placeholders():
    body = (
        "{{ office.title }}|{{ office.name }}|{{ office.last_name }}|{{ office.salutation }}|{{ office.chamber }}|"
        "{{ office.state }}|{{ office.state_name }}|{{ office.district }}|{{ office.party }}|{{ office.stance }}"
    )
    _, senator = render_letter(SAMPLE_CAMPAIGN, variant(body=body), writer(), SENATOR, "spoken")
    _, rep = render_letter(SAMPLE_CAMPAIGN, variant(body=body), writer(), REPRESENTATIVE, "supports")
    _, delegate = render_letter(SAMPLE_CAMPAIGN, variant(body=body), writer(), DELEGATE, "neutral")
    assert senator == "Senator|Maria L. Ortega|Ortega|Dear Senator Ortega|senate|NY|New York||Democrat|spoken"
    assert rep == (
        "Representative|James Whitfield|Whitfield|Dear Representative Whitfield|house|NY|New York|12|Republican|spoken"
    )
    assert delegate == (
        "Delegate|Eleanor Pineda|Pineda|Dear Delegate Pineda|house|DC|the District of Columbia|at-large|Democrat|"
        "not_spoken"
    )


def test_campaign_placeholders_and_conditions():
    body = "{{ campaign.title }}|{{ campaign.detainee_name }}|{{ campaign.ask }}|{% if office.has_spoken %}thanks{% else %}please{% endif %}"
    campaign = {"title": "Free Guan Heng", "detainee_name": "Guan Heng", "ask": "Support release on bond."}
    _, text = render_letter(campaign, variant(body=body), writer(), SENATOR, None)
    assert text == "Free Guan Heng|Guan Heng|Support release on bond.|please"


def test_choose_variant_prefers_the_most_specific_match():
    general = variant("any", "any", id=1)
    senate = variant("senate", "any", id=2)
    thanks = variant("any", "spoken", id=3)
    senate_urge = variant("senate", "not_spoken", id=4)
    variants = [general, senate, thanks, senate_urge]
    assert choose_variant(variants, "senate", "not_spoken") is senate_urge
    # equally specific (one field each): the stance-specific thank-you wins over chamber wording
    assert choose_variant(variants, "senate", "spoken") is thanks
    assert choose_variant(variants, "house", "not_spoken") is general
    assert choose_variant(variants, "house", "supports") is thanks
    assert choose_variant(variants, "house", "neutral") is general  # only "supports" counts as spoken
    # a custom target has no chamber: only chamber "any" reaches it
    assert choose_variant([senate, senate_urge], None, None) is None
    assert choose_variant(variants, None, None) is general
    # priority breaks ties between equally specific variants
    senate.priority = 5
    assert choose_variant(variants, "senate", "spoken") is senate
    assert choose_variant([], "senate", None) is None


def test_render_letter_without_a_matching_variant_raises():
    with pytest.raises(TemplateProblem) as info:
        render_letter(SAMPLE_CAMPAIGN, [variant("house", "any")], writer(), SENATOR, None)
    assert info.value.part == "variant"


def test_validation_renders_against_every_sample():
    # A template that breaks only for the delegate sample (district "at-large" is not a number).
    problem = refused(
        "{{ office.salutation }}\n{% if office.chamber == 'house' %}{{ office.district|int + 1 }}{{ 1 / (office.district|int) }}{% endif %}"
    )
    assert problem.line == 2 and "ZeroDivisionError" in problem.message
    # Restricted to the senate, the same template is fine.
    validate_template(
        GOOD_SUBJECT,
        "{{ office.salutation }}\n{% if office.chamber == 'house' %}{{ 1 / (office.district|int) }}{% endif %}",
        chamber="senate",
    )


def test_compiled_templates_are_cached_by_source():
    body = "{{ office.salutation }}, cached " + str(time.time())
    assert compile_template(body) is compile_template(body)
    assert compile_template(body) is not compile_template(body + " ")


# The render budget (issue 14, item 3): work per turn counts, not only loop turns.

HEAVY_TURN = "{{ ((range(1000)|list)*20)|sort|length }}"


class FrozenClock:
    """A CPU clock that moves only when told to: the work budget alone decides."""

    def __init__(self, step: float = 0.0):
        self.now, self.step = 0.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


@pytest.fixture
def frozen_clock(monkeypatch):
    clock = FrozenClock()
    monkeypatch.setattr(sandbox, "CLOCK", clock)
    return clock


@pytest.mark.parametrize("turns", [20, 1000])
def test_a_few_loop_turns_doing_heavy_work_each_are_refused_for_their_work(frozen_clock, turns):
    problem = refused(f"{{{{ office.salutation }}}},\n{{% for i in range({turns}) %}}{HEAVY_TURN}{{% endfor %}}")
    assert problem.line == 2 and "too much work" in problem.message and "200,000 steps" in problem.message


def test_membership_tests_pay_for_the_container_they_search(frozen_clock):
    body = "{% set big = (range(1000)|list) * 20 %}{% for i in range(1000) %}{% if i in big %}x{% endif %}{% endfor %}"
    assert "too much work" in refused("Hi\n" + body).message


def test_string_methods_and_tests_pay_for_what_they_read_and_build(frozen_clock):
    body = "{% for i in range(1000) %}{{ (constituent.message ~ 'x' * 19000).split('x')|length }}{% endfor %}"
    assert "too much work" in refused("Hi\n" + body).message


def test_a_render_over_its_cpu_time_is_refused_with_a_clear_message(monkeypatch):
    # The clock is read every 2,000 steps of work; each reading of the injected clock advances it by 30 ms, so
    # a render reading it three times (about 6,000 steps: 1,000 turns writing two numbers each) exceeds 50 ms.
    monkeypatch.setattr(sandbox, "CLOCK", FrozenClock(step=0.03))
    body = "{% for i in range(1000) %}{{ i }} {{ i }}{% endfor %}"
    problem = refused("Hi\n" + body)
    assert "takes too long to render (more than 50 ms" in problem.message
    context = letter_context(SAMPLE_CAMPAIGN, writer(), SENATOR, None)
    with pytest.raises(TemplateProblem, match="too long"):
        render_parts(GOOD_SUBJECT, body, context)


def test_a_short_letter_never_reads_the_clock(monkeypatch):
    clock = FrozenClock(step=1.0)
    monkeypatch.setattr(sandbox, "CLOCK", clock)
    render_letter(SAMPLE_CAMPAIGN, variant(), writer(), SENATOR, None)
    assert clock.now == 0.0


def test_validation_shares_one_time_limit_across_all_its_sample_renders(monkeypatch):
    # Each render alone is short, but each one starts by reading the clock (advancing 30 ms here), and the whole
    # validation may not exceed 250 ms: it stops after a few renders instead of rendering every sample.
    clock = FrozenClock(step=0.03)
    monkeypatch.setattr(sandbox, "CLOCK", clock)
    problem = refused("Hi\n{% for i in range(10) %}{{ i }}{% endfor %}")
    assert "takes too long to render for every sample writer and office" in problem.message
    assert "250 ms" in problem.message
    assert clock.now < 0.5


def test_ordinary_letters_stay_far_inside_the_budget(frozen_clock):
    body = (
        "{{ office.salutation }},\n{% for w in constituent.message.split() %}{{ w|upper }} {% endfor %}\n"
        "{{ constituent.message|wordcount }} {{ constituent.message|truncate(100) }}\n"
        "{% for i in range(1000) %}{% if i is divisibleby 100 %}{{ i }}{% endif %}{% endfor %}"
    )
    validate_template(GOOD_SUBJECT, body)


DEEP = [
    "{% if true %}" * 300 + "x" + "{% endif %}" * 300,
    "{% for i in range(1) %}" * 30 + "x" + "{% endfor %}" * 30,
    "{{ " + "(" * 1000 + "1" + ")" * 1000 + " }}",
    "{{ " + "[" * 300 + "1" + "]" * 300 + " }}",
    "{{ " + "-" * 5000 + "1 }}",
    "{{ 1" + " + 1" * 3000 + " }}",
]


@pytest.mark.parametrize("body", DEEP, ids=["ifs", "fors", "parentheses", "lists", "negations", "sums"])
def test_deeply_nested_templates_are_refused_with_a_clear_message(body):
    problem = refused(body)
    assert problem.part == "body" and "nests too deeply" in problem.message


def test_comparisons_and_slices_pay_for_what_they_read(frozen_clock):
    big = "{% set big = (range(1000)|list) * 20 %}"
    assert "too much work" in refused("Hi\n" + big + "{% for i in range(1000) %}{{ big == big }}{% endfor %}").message
    assert (
        "too much work" in refused("Hi\n" + big + "{% for i in range(1000) %}{{ big[1:]|length }}{% endfor %}").message
    )
