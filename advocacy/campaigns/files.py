"""Campaign files (`campaigns/<slug>/campaign.yaml` and the letter templates beside it) read into a spec.

Nothing here touches the database except the optional check that named members and committees exist.
Every error names the file, the line and the field, e.g.
`campaigns/guan-heng/campaign.yaml:14: letters[1].chamber: must be one of senate, house, any`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from advocacy.campaigns import models as m
from advocacy.campaigns.rendering import TemplateProblem, clean_template_source, validate_template
from advocacy.campaigns.validation import (
    BIOGUIDE_RE,
    THOMAS_RE,
    check_cwc_topic,
    check_email,
    check_photo_url,
    check_slug,
    clean_ids,
    clean_terms,
    coverage_problems,
)

CAMPAIGN_FILE = "campaign.yaml"
MAX_FILE_BYTES = 200_000
TOP_KEYS = {
    "slug", "title", "detainee", "story", "story_file", "ask", "status", "keywords", "aliases", "cwc_topic",
    "share_text", "targets", "letters",
}  # fmt: skip
DETAINEE_KEYS = {"name", "photo_url"}
TARGET_KEYS = {"delegation", "members", "committees", "custom"}
CUSTOM_KEYS = {"name", "title", "email", "salutation"}
LETTER_KEYS = {"name", "chamber", "stance", "priority", "subject", "body", "body_file"}


class CampaignFileError(ValueError):
    def __init__(self, path: Path | str, line: int | None, field_name: str, message: str):
        super().__init__(message)
        self.path, self.line, self.field, self.message = str(path), line, field_name, message

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


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
    source: str = ""


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


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


def _field_name(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class _Reader:
    """Typed access to the parsed YAML, with the line of every key and list item for error messages."""

    def __init__(self, path: str, data: Any, lines: dict[tuple, int]):
        self.path, self.data, self.lines = path, data, lines

    def line(self, path: tuple) -> int | None:
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path)

    def error(self, path: tuple, message: str) -> CampaignFileError:
        return CampaignFileError(self.path, self.line(path), _field_name(path) or "(file)", message)

    def get(self, path: tuple) -> Any:
        value = self.data
        for part in path:
            if isinstance(value, dict):
                value = value.get(part)
            elif isinstance(value, list) and isinstance(part, int) and part < len(value):
                value = value[part]
            else:
                return None
        return value

    def mapping(self, path: tuple, keys: set[str], required: bool = True) -> dict:
        value = self.get(path)
        if value is None and not required:
            return {}
        if not isinstance(value, dict):
            raise self.error(path, "must be a mapping of fields" if value is not None else "is required")
        for key in value:
            if key not in keys:
                raise self.error((*path, key), f"unknown field; expected one of {', '.join(sorted(keys))}")
        return value

    def text(self, path: tuple, max_len: int, required: bool = True, default: str = "") -> str:
        value = self.get(path)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise self.error(path, "is required")
            return default
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise self.error(path, "must be text")
        value = str(value).strip()
        if len(value) > max_len:
            raise self.error(path, f"is {len(value):,} characters long; the limit is {max_len:,}")
        return value

    def choice(self, path: tuple, choices: tuple[str, ...], default: str | None = None) -> str:
        value = self.get(path)
        if value is None and default is not None:
            return default
        if value not in choices:
            raise self.error(path, f"must be one of {', '.join(choices)}")
        return value

    def boolean(self, path: tuple, default: bool) -> bool:
        value = self.get(path)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.error(path, "must be true or false")
        return value

    def integer(self, path: tuple, default: int, low: int, high: int) -> int:
        value = self.get(path)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.error(path, f"must be a whole number from {low} to {high}")
        return value

    def string_list(self, path: tuple) -> list[str]:
        value = self.get(path)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(path, "must be a list")
        for i, item in enumerate(value):
            if isinstance(item, bool) or not isinstance(item, (str, int)):
                raise self.error((*path, i), "must be text")
        return [str(item) for item in value]


CONTENT = "<content>"


def _record_lines(node: yaml.Node, path: tuple, lines: dict[tuple, int], source: str) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.ScalarNode):
        # The line a scalar's text starts on: a block scalar (| or >) starts below its indicator.
        lines[(*path, CONTENT)] = node.start_mark.line + 1 + (1 if node.style in ("|", ">") else 0)
    if isinstance(node, yaml.MappingNode):
        seen: set = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                raise CampaignFileError(
                    source, key_node.start_mark.line + 1, _field_name((*path, key)), "appears twice"
                )
            seen.add(key)
            lines[(*path, key)] = key_node.start_mark.line + 1
            _record_lines(value_node, (*path, key), lines, source)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _record_lines(item, (*path, i), lines, source)


def parse_yaml(text: str, source: str) -> tuple[Any, dict[tuple, int]]:
    """The document and the line of every field: composing keeps the node marks that loading loses."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise CampaignFileError(source, 1, "", "the file is empty")
        lines: dict[tuple, int] = {}
        _record_lines(node, (), lines, source)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(filter(None, [exc.context, exc.problem]))
        raise CampaignFileError(source, mark.line + 1 if mark else None, "", f"not valid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise CampaignFileError(source, None, "", f"not valid YAML: {exc}") from None
    finally:
        loader.dispose()
    return data, lines


def _read_text(path: Path, reader: _Reader, field_path: tuple) -> str:
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


def _sibling(folder: Path, name: str, reader: _Reader, field_path: tuple) -> Path:
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
    r = _Reader(source, data, lines)
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
        source=source,
    )
    _read_targets(r, spec, check_references)
    _read_letters(r, spec, folder)
    if spec.status == m.Status.LIVE.value:
        problems = coverage_problems(spec.letters, bool(spec.custom_targets))
        if problems:
            raise r.error(("letters",), "a live campaign needs every office covered: " + "; ".join(problems))
    return spec


def _read_targets(r: _Reader, spec: CampaignSpec, check_references: bool) -> None:
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
        from advocacy.campaigns.validation import unknown_committees, unknown_members

        if unknown := unknown_members(members):
            raise r.error(("targets", "members"), f"not a sitting member: {', '.join(unknown)}")
        if unknown := unknown_committees(committees):
            raise r.error(("targets", "committees"), f"no such committee: {', '.join(unknown)}")
    spec.target_members, spec.target_committees = members, committees

    custom = r.get(("targets", "custom"))
    if custom is not None and not isinstance(custom, list):
        raise r.error(("targets", "custom"), "must be a list")
    emails: set[str] = set()
    for i in range(len(custom or [])):
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


def _read_letters(r: _Reader, spec: CampaignSpec, folder: Path) -> None:
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


def _check_letter(r: _Reader, path: tuple, letter: LetterSpec, spec: CampaignSpec) -> None:
    try:
        validate_template(letter.subject, letter.body, letter.chamber, letter.stance, campaign=spec)
    except TemplateProblem as exc:
        if exc.part == "subject":
            raise r.error((*path, "subject"), exc.message) from None
        line = None if exc.line is None else letter.body_first_line + exc.line - 1
        field_name = _field_name((*path, "body_file" if letter.body_path != r.path else "body"))
        raise CampaignFileError(letter.body_path, line, field_name, exc.message) from None
