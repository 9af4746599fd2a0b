"""Campaign files (`campaigns/<slug>/campaign.yaml` and the letter templates beside it) read into a spec.

Nothing here touches the database except the optional check that named members and committees exist.
Every error names the file, the line and the field, e.g.
`campaigns/guan-heng/campaign.yaml:14: letters[1].chamber: must be one of senate, house, any`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from advocacy.campaigns import models as m
from advocacy.campaigns.rendering import TemplateProblem, clean_template_source, validate_template
from advocacy.campaigns.validation import (
    BIOGUIDE_RE,
    THOMAS_RE,
    check_cwc_topic,
    check_email,
    check_outcome,
    check_photo_url,
    check_slug,
    check_source_url,
    check_timeline_date,
    clean_ids,
    clean_terms,
    coverage_problems,
    unknown_committees,
    unknown_members,
)
from advocacy.campaigns.yamllines import CONTENT, CampaignFileError, YamlReader, display_path, field_name, parse_yaml
from advocacy.i18n import CODES, DEFAULT
from advocacy.places import STATE_FIPS
from advocacy.stances import MAX_QUOTE, Kind, StatementInput
from advocacy.stances import Stance as StatementStance

CAMPAIGN_FILE = "campaign.yaml"
MAX_FILE_BYTES = 200_000
TOP_KEYS = {
    "slug", "title", "detainee", "story", "story_file", "ask", "status", "keywords", "aliases", "cwc_topic",
    "share_text", "targets", "letters", "sample", "outcome", "timeline", "statements", "priority", "translations",
}  # fmt: skip
# A campaign in another language (issue 21): what a writer reads. Letters to offices are always English; each
# variant gets a short gloss in the writer's language, shown beside the English letter on the review page.
# The outcome message and the public timeline may be translated too (`outcome_message`, and `timeline`: one entry
# per timeline event, in the timeline's order, empty for one not translated yet); a page shows the English, marked
# as English, where a translation is missing.
TRANSLATION_KEYS = {"title", "story", "ask", "share_text", "letters", "outcome_message", "timeline"}
MAX_GLOSS = 1000
OUTCOME_KEYS = {"kind", "date", "message", "thanks"}
TIMELINE_KEYS = {"date", "event", "source", "source_url", "kind", "custody", "facility", "city", "state"}
PRIORITY_KEYS = {"committee", "office", "caucus", "state", "members", "reason"}
CUSTODY = ("detained", "released", "removed")
# Private case facts live encrypted in the database (advocacy.casework), never in a file that goes into git:
# a key that looks like one is refused wherever it appears.
PRIVATE_KEY_RE = re.compile(
    r"(^|_)(a_?number|alien|anumber|birth|dob|born|lawyer|attorney|counsel|privacy_release|release_form|waiver|"
    r"ssn|passport|phone|home_address)($|_)",
    re.IGNORECASE,
)
STATEMENT_KEYS = {"bioguide_id", "date", "kind", "stance", "source_url", "quote_or_summary"}
DETAINEE_KEYS = {"name", "photo_url"}
TARGET_KEYS = {"delegation", "members", "committees", "custom"}
CUSTOM_KEYS = {"name", "title", "email", "salutation"}
LETTER_KEYS = {"name", "chamber", "stance", "priority", "subject", "body", "body_file"}


@dataclass
class LetterSpec:
    name: str
    chamber: str
    stance: str
    subject: str
    body: str
    priority: int = 0
    # Where problems in the body are reported: the file and the line its first line is on.
    body_path: str = ""
    body_first_line: int = 1

    @property
    def key(self) -> tuple[str, str]:
        return (self.chamber, self.stance)

    # `choose_variant` reads these
    id: int | None = None


@dataclass
class CustomTargetSpec:
    name: str
    email: str
    title: str = ""
    salutation: str = ""


@dataclass
class CampaignSpec:
    slug: str
    title: str
    detainee_name: str
    ask: str
    status: str
    photo_url: str = ""
    story_markdown: str = ""
    keywords: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    cwc_topic: str = "Immigration"
    share_text: str = ""
    include_delegation: bool = True
    target_members: list[str] = field(default_factory=list)
    target_committees: list[str] = field(default_factory=list)
    custom_targets: list[CustomTargetSpec] = field(default_factory=list)
    letters: list[LetterSpec] = field(default_factory=list)
    sample: bool = False
    outcome: str | None = None
    outcome_date: dt.date | None = None
    outcome_message: str = ""
    thanks_open: bool = False
    timeline: list[dict] = field(default_factory=list)
    priority_targets: list[dict] = field(default_factory=list)
    translations: dict = field(default_factory=dict)
    # Recorded with the campaign by statements/file_statements.py.
    statements: list[StatementInput] = field(default_factory=list)
    source: str = ""


def find_campaign_files(path: Path) -> list[Path]:
    """PATH may be a campaign.yaml, a campaign folder, or a folder of campaign folders."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise CampaignFileError(display_path(path), None, "", "no such file or folder")
    if (path / CAMPAIGN_FILE).is_file():
        return [path / CAMPAIGN_FILE]
    found = sorted(p / CAMPAIGN_FILE for p in path.iterdir() if (p / CAMPAIGN_FILE).is_file())
    if not found:
        raise CampaignFileError(display_path(path), None, "", f"no {CAMPAIGN_FILE} here or in its subfolders")
    return found


def _read_text(path: Path, reader: YamlReader, field_path: tuple) -> str:
    try:
        raw = path.read_bytes()
    except OSError:
        raise reader.error(field_path, f"cannot read {display_path(path)}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise reader.error(field_path, f"{display_path(path)} is larger than {MAX_FILE_BYTES:,} bytes")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise reader.error(field_path, f"{display_path(path)} is not UTF-8 (byte {exc.start})") from None


def _sibling(folder: Path, name: str, reader: YamlReader, field_path: tuple) -> Path:
    """A file named in campaign.yaml: must stay inside the campaign's folder."""
    relative = Path(name)
    if relative.is_absolute() or ".." in relative.parts:
        raise reader.error(field_path, "must be a file name inside the campaign's folder")
    target = folder / relative
    if not target.resolve().is_relative_to(folder.resolve()) or not target.is_file():
        raise reader.error(field_path, f"{display_path(target)} does not exist")
    return target


def read_campaign_file(path: Path, check_references: bool = False) -> CampaignSpec:
    """Parse and validate one campaign.yaml and its letter files; raise CampaignFileError on the first problem."""
    source = display_path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CampaignFileError(source, None, "", f"cannot read: {exc.strerror}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise CampaignFileError(source, None, "", f"larger than {MAX_FILE_BYTES:,} bytes")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CampaignFileError(source, None, "", f"not UTF-8 (byte {exc.start})") from None
    data, lines = parse_yaml(text, source)
    r = YamlReader(source, data, lines)
    _refuse_private_keys(r, data, ())
    r.mapping((), TOP_KEYS)
    folder = path.parent

    slug = r.text(("slug",), m.MAX_SLUG)
    if problem := check_slug(slug):
        raise r.error(("slug",), problem)
    if path.name == CAMPAIGN_FILE and slug != folder.name:
        raise r.error(("slug",), f"must match its folder name {folder.name!r}")

    r.mapping(("detainee",), DETAINEE_KEYS)
    photo_url = r.text(("detainee", "photo_url"), m.MAX_URL, required=False)
    if problem := check_photo_url(photo_url):
        raise r.error(("detainee", "photo_url"), problem)

    if r.get(("story",)) is not None and r.get(("story_file",)) is not None:
        raise r.error(("story_file",), "give either story or story_file, not both")
    if r.get(("story_file",)) is not None:
        story_path = _sibling(folder, r.text(("story_file",), 200), r, ("story_file",))
        story = _read_text(story_path, r, ("story_file",)).strip()
        if len(story) > m.MAX_STORY:
            raise r.error(("story_file",), f"the story is longer than {m.MAX_STORY:,} characters")
    else:
        story = r.text(("story",), m.MAX_STORY, required=False)

    keywords, problem = clean_terms(r.string_list(("keywords",)))
    if problem:
        raise r.error(("keywords",), problem)
    aliases, problem = clean_terms(r.string_list(("aliases",)))
    if problem:
        raise r.error(("aliases",), problem)

    cwc_topic = r.text(("cwc_topic",), 100, required=False, default="Immigration")
    if problem := check_cwc_topic(cwc_topic):
        raise r.error(("cwc_topic",), problem)

    spec = CampaignSpec(
        slug=slug,
        title=r.text(("title",), m.MAX_TITLE),
        detainee_name=r.text(("detainee", "name"), m.MAX_NAME),
        photo_url=photo_url,
        story_markdown=story,
        ask=r.text(("ask",), m.MAX_ASK),
        status=r.choice(("status",), tuple(s.value for s in m.Status), default=m.Status.DRAFT.value),
        keywords=keywords,
        aliases=aliases,
        cwc_topic=cwc_topic,
        share_text=r.text(("share_text",), m.MAX_SHARE_TEXT, required=False),
        sample=r.boolean(("sample",), False),
        source=source,
    )
    _read_targets(r, spec, check_references)
    _read_letters(r, spec, folder)
    _read_outcome(r, spec)
    _read_timeline(r, spec)
    _read_priority(r, spec, check_references)
    _read_statements(r, spec, check_references)
    _read_translations(r, spec)
    if spec.status == m.Status.LIVE.value:
        problems = coverage_problems(spec.letters, bool(spec.custom_targets))
        if problems:
            raise r.error(("letters",), "a live campaign needs every office covered: " + "; ".join(problems))
    return spec


def _read_translations(r: YamlReader, spec: CampaignSpec) -> None:
    spec.translations = read_translations(
        r, {letter.name for letter in spec.letters}, [event["event"] for event in spec.timeline]
    )


def read_translations(r: YamlReader, names: set[str], events: list[str] | None = None) -> dict:
    """`translations: {zh-Hans: {title, story, ask, share_text, letters: {variant name: gloss}, outcome_message,
    timeline: [one per event of `events`, the English timeline]}}`, stored with the timeline as a mapping from
    each event's English words to its translation (so an event whose English changes is shown in English until
    translated again). A language is offered on the campaign's pages only when its title, story, ask, share text
    and glosses are complete (advocacy.i18n)."""
    languages = r.mapping(("translations",), set(CODES) - {DEFAULT}, required=False)
    translations = {}
    for code in sorted(languages):
        path = ("translations", code)
        r.mapping(path, TRANSLATION_KEYS)
        entry = {
            "title": r.text((*path, "title"), m.MAX_TITLE, required=False),
            "story": r.text((*path, "story"), m.MAX_STORY, required=False),
            "ask": r.text((*path, "ask"), m.MAX_ASK, required=False),
            "share_text": r.text((*path, "share_text"), m.MAX_SHARE_TEXT, required=False),
        }
        glosses = r.mapping((*path, "letters"), names, required=False)
        entry["letters"] = {name: r.text((*path, "letters", name), MAX_GLOSS) for name in sorted(glosses)}
        entry["outcome_message"] = r.text((*path, "outcome_message"), m.MAX_OUTCOME_MESSAGE, required=False)
        entry["timeline"] = _read_timeline_translation(r, (*path, "timeline"), events or [])
        translations[code] = {key: value for key, value in entry.items() if value}
    return translations


def _read_timeline_translation(r: YamlReader, path: tuple, events: list[str]) -> dict[str, str]:
    given = r.get(path)
    if given is None:
        return {}
    if not isinstance(given, list):
        raise r.error(path, "must be a list: one entry per timeline event, in the timeline's order")
    if len(given) != len(events):
        raise r.error(
            path, f"has {len(given)} entries but the timeline has {len(events)} events: give one per event, in order"
        )
    return {
        english: text
        for i, english in enumerate(events)
        if (text := r.text((*path, i), m.MAX_TIMELINE_EVENT, required=False))
    }


def check_translations(data: dict, names: set[str], events: list[str] | None = None) -> dict:
    """The web form's translations, checked by the campaign file's rules (read_translations); raises
    CampaignFileError naming the field (`translations.es.letters.<variant>`, `translations.es.timeline[2]`)."""
    return read_translations(YamlReader("translations", {"translations": data}, {}), names, events)


def _read_targets(r: YamlReader, spec: CampaignSpec, check_references: bool) -> None:
    r.mapping(("targets",), TARGET_KEYS, required=False)
    spec.include_delegation = r.boolean(("targets", "delegation"), True)
    members, problem = clean_ids(r.string_list(("targets", "members")), BIOGUIDE_RE, "bioguide id (e.g. G000555)")
    if problem:
        raise r.error(("targets", "members"), problem)
    committees, problem = clean_ids(
        r.string_list(("targets", "committees")), THOMAS_RE, "committee thomas id (e.g. SSJU or SSJU01)"
    )
    if problem:
        raise r.error(("targets", "committees"), problem)
    if check_references:
        if unknown := unknown_members(members):
            raise r.error(("targets", "members"), f"not a sitting member: {', '.join(unknown)}")
        if unknown := unknown_committees(committees):
            raise r.error(("targets", "committees"), f"no such committee: {', '.join(unknown)}")
    spec.target_members, spec.target_committees = members, committees

    custom = r.listing(("targets", "custom"))
    emails: set[str] = set()
    for i in range(len(custom)):
        path = ("targets", "custom", i)
        r.mapping(path, CUSTOM_KEYS)
        email, problem = check_email(r.text((*path, "email"), m.MAX_EMAIL))
        if problem:
            raise r.error((*path, "email"), problem)
        if email.casefold() in emails:
            raise r.error((*path, "email"), "appears twice")
        emails.add(email.casefold())
        spec.custom_targets.append(
            CustomTargetSpec(
                name=r.text((*path, "name"), m.MAX_NAME),
                email=email,
                title=r.text((*path, "title"), m.MAX_NAME, required=False),
                salutation=r.text((*path, "salutation"), m.MAX_NAME, required=False),
            )
        )
    if not (spec.include_delegation or spec.target_members or spec.target_committees or spec.custom_targets):
        raise r.error(("targets",), "there is nobody to write to: set delegation: true or name targets")


def _read_letters(r: YamlReader, spec: CampaignSpec, folder: Path) -> None:
    letters = r.get(("letters",))
    if not isinstance(letters, list) or not letters:
        raise r.error(("letters",), "needs at least one letter")
    seen: dict[tuple[str, str], int] = {}
    for i in range(len(letters)):
        path = ("letters", i)
        r.mapping(path, LETTER_KEYS)
        chamber = r.choice((*path, "chamber"), tuple(c.value for c in m.Chamber), default="any")
        stance = r.choice((*path, "stance"), tuple(s.value for s in m.Stance), default="any")
        if (chamber, stance) in seen:
            raise r.error(path, f"letters[{seen[(chamber, stance)]}] already has chamber {chamber} and stance {stance}")
        seen[(chamber, stance)] = i
        letter = LetterSpec(
            name=r.text((*path, "name"), m.MAX_VARIANT_NAME),
            chamber=chamber,
            stance=stance,
            priority=r.integer((*path, "priority"), 0, -100, 100),
            subject=clean_template_source(r.text((*path, "subject"), m.MAX_SUBJECT_SOURCE)),
            body="",
        )
        has_body, has_file = r.get((*path, "body")) is not None, r.get((*path, "body_file")) is not None
        if has_body == has_file:
            raise r.error(path, "give exactly one of body (the text) or body_file (a file beside campaign.yaml)")
        if has_file:
            body_path = _sibling(folder, r.text((*path, "body_file"), 200), r, (*path, "body_file"))
            letter.body = clean_template_source(_read_text(body_path, r, (*path, "body_file")))
            letter.body_path, letter.body_first_line = display_path(body_path), 1
        else:
            body = r.get((*path, "body"))
            if not isinstance(body, str):
                raise r.error((*path, "body"), "must be text")
            letter.body = clean_template_source(body)  # not stripped: line numbers must stay true
            letter.body_path, letter.body_first_line = r.path, r.lines.get((*path, "body", CONTENT), 1)
        _check_letter(r, path, letter, spec)
        spec.letters.append(letter)


def _check_letter(r: YamlReader, path: tuple, letter: LetterSpec, spec: CampaignSpec) -> None:
    try:
        validate_template(letter.subject, letter.body, letter.chamber, letter.stance, campaign=spec)
    except TemplateProblem as exc:
        if exc.part == "subject":
            raise r.error((*path, "subject"), exc.message) from None
        line = None if exc.line is None else letter.body_first_line + exc.line - 1
        where = field_name((*path, "body_file" if letter.body_path != r.path else "body"))
        raise CampaignFileError(letter.body_path, line, where, exc.message) from None


def _read_date(r: YamlReader, path: tuple) -> dt.date:
    value = r.get(path)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    if not isinstance(value, dt.date):
        raise r.error(path, "must be a date such as 2026-01-28" if value is not None else "is required")
    return value


def _read_outcome(r: YamlReader, spec: CampaignSpec) -> None:
    if r.get(("outcome",)) is None:
        if problem := check_outcome(spec.status, None, False):
            raise r.error(("outcome",), problem)
        return
    r.mapping(("outcome",), OUTCOME_KEYS)
    kind = r.choice(("outcome", "kind"), tuple(o.value for o in m.Outcome))
    thanks = r.boolean(("outcome", "thanks"), False)
    if problem := check_outcome(spec.status, kind, thanks):
        raise r.error(("outcome", "thanks" if spec.status == "closed" else "kind"), problem)
    spec.outcome, spec.thanks_open = kind, thanks
    spec.outcome_date = _read_date(r, ("outcome", "date"))
    spec.outcome_message = r.text(("outcome", "message"), m.MAX_OUTCOME_MESSAGE)
    if thanks and not any(letter.stance in ("spoken", "any") for letter in spec.letters):
        raise r.error(("outcome", "thanks"), "the thank-you action needs a letter with stance spoken (or any)")


def _read_timeline(r: YamlReader, spec: CampaignSpec) -> None:
    events = r.listing(("timeline",), m.MAX_TIMELINE, "events")
    for i in range(len(events)):
        path = ("timeline", i)
        r.mapping(path, TIMELINE_KEYS)
        raw_date = r.get((*path, "date"))
        when = raw_date.isoformat() if isinstance(raw_date, dt.date) else r.text((*path, "date"), 10)
        if problem := check_timeline_date(when):
            raise r.error((*path, "date"), problem)
        source_url = r.text((*path, "source_url"), m.MAX_URL, required=False)
        if source_url and (problem := check_source_url(source_url)):
            raise r.error((*path, "source_url"), problem)
        event = {
            "date": when,
            "event": r.text((*path, "event"), m.MAX_TIMELINE_EVENT),
            "source": r.text((*path, "source"), m.MAX_SOURCE),
            "source_url": source_url,
        }
        # Optional, as far as the public record says: what kind of event, custody after it, where held.
        if r.get((*path, "kind")) is not None:
            event["kind"] = r.choice((*path, "kind"), m.TIMELINE_KINDS)
        if r.get((*path, "custody")) is not None:
            event["custody"] = r.choice((*path, "custody"), CUSTODY)
        for key, limit in (("facility", m.MAX_NAME), ("city", 100), ("state", 2)):
            if value := r.text((*path, key), limit, required=False):
                event[key] = value.upper() if key == "state" else value
        spec.timeline.append(event)
    if [e["date"] for e in spec.timeline] != sorted(e["date"] for e in spec.timeline):
        raise r.error(("timeline",), "list the events in date order, oldest first")


def _refuse_private_keys(r: YamlReader, node, path: tuple) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(key, str) and PRIVATE_KEY_RE.search(key):
                raise r.error(
                    (*path, key),
                    "private case facts never go in a campaign file; organizers keep them on the casework page",
                )
            _refuse_private_keys(r, value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _refuse_private_keys(r, value, (*path, i))


def _read_priority(r: YamlReader, spec: CampaignSpec, check_references: bool) -> None:
    """Priority targets: `committee: SSJU`, `office: K000391`, `state: NY` (its delegation) or `caucus: NAME`
    with `members: [ids]`; each with a reason."""
    items = r.listing(("priority",), m.MAX_PRIORITY_TARGETS)
    for i in range(len(items)):
        path = ("priority", i)
        item = r.mapping(path, PRIORITY_KEYS)
        kinds = [k for k in ("committee", "office", "caucus", "state") if k in item]
        if len(kinds) != 1:
            raise r.error(path, "give exactly one of committee, office, caucus or state (a state's delegation)")
        kind = kinds[0]
        if "members" in item and kind != "caucus":
            raise r.error((*path, "members"), "only a caucus lists members")
        reason = r.text((*path, "reason"), m.MAX_REASON)
        target: dict = {"kind": kind, "reason": reason}
        if kind == "caucus":
            target["id"] = r.text((*path, "caucus"), m.MAX_NAME)
            members, problem = clean_ids(r.string_list((*path, "members")), BIOGUIDE_RE, "bioguide id")
            if problem or not members:
                raise r.error((*path, "members"), problem or "a caucus lists its members' bioguide ids")
            if check_references and (unknown := unknown_members(members)):
                raise r.error((*path, "members"), f"not sitting members: {', '.join(unknown)}")
            target["members"] = members
        elif kind == "state":
            state = r.text((*path, "state"), 2).upper()
            if state not in STATE_FIPS:
                raise r.error((*path, "state"), "must be a two-letter state code, e.g. NY")
            target["id"] = state
        else:
            pattern, what = (
                (THOMAS_RE, "thomas id (e.g. SSJU)") if kind == "committee" else (BIOGUIDE_RE, "bioguide id")
            )
            ids, problem = clean_ids([r.text((*path, kind), 10)], pattern, what)
            if problem:
                raise r.error((*path, kind), problem)
            if check_references:
                unknown = unknown_committees(ids) if kind == "committee" else unknown_members(ids)
                if unknown:
                    raise r.error((*path, kind), f"unknown {kind}: {ids[0]}")
            target["id"] = ids[0]
        spec.priority_targets.append(target)


def _read_statements(r: YamlReader, spec: CampaignSpec, check_references: bool) -> None:
    items = r.listing(("statements",))
    for i in range(len(items)):
        path = ("statements", i)
        r.mapping(path, STATEMENT_KEYS)
        ids, problem = clean_ids([r.text((*path, "bioguide_id"), 10)], BIOGUIDE_RE, "bioguide id (e.g. K000391)")
        if problem:
            raise r.error((*path, "bioguide_id"), problem)
        if check_references:
            if unknown_members(ids):
                raise r.error((*path, "bioguide_id"), f"not a sitting member: {ids[0]}")
        source_url = r.text((*path, "source_url"), m.MAX_URL)
        if problem := check_source_url(source_url):
            raise r.error((*path, "source_url"), problem)
        spec.statements.append(
            StatementInput(
                bioguide_id=ids[0],
                date=_read_date(r, (*path, "date")),
                kind=r.choice((*path, "kind"), tuple(k.value for k in Kind)),
                stance=r.choice((*path, "stance"), tuple(s.value for s in StatementStance)),
                source_url=source_url,
                quote_or_summary=r.text((*path, "quote_or_summary"), MAX_QUOTE, required=False),
            )
        )
