"""YAML with line numbers: every key and list item keeps the line it is on, for one-line error messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class CampaignFileError(ValueError):
    def __init__(self, path: Path | str, line: int | None, field_name: str, message: str):
        super().__init__(message)
        self.path, self.line, self.field, self.message = str(path), line, field_name, message

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def field_name(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class YamlReader:
    """Typed access to the parsed YAML, with the line of every key and list item for error messages."""

    def __init__(self, path: str, data: Any, lines: dict[tuple, int]):
        self.path, self.data, self.lines = path, data, lines

    def line(self, path: tuple) -> int | None:
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path)

    def error(self, path: tuple, message: str) -> CampaignFileError:
        return CampaignFileError(self.path, self.line(path), field_name(path) or "(file)", message)

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

    def listing(self, path: tuple, most: int | None = None, noun: str = "entries") -> list:
        """An optional list ([] when absent) of at most `most` items, each read by the caller."""
        value = self.get(path)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(path, "must be a list")
        if most is not None and len(value) > most:
            raise self.error(path, f"at most {most} {noun}")
        return value

    def string_list(self, path: tuple) -> list[str]:
        value = self.listing(path)
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
                raise CampaignFileError(source, key_node.start_mark.line + 1, field_name((*path, key)), "appears twice")
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
