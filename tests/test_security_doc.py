"""SECURITY.md stays true: its threat model names the four adversaries, and every test it cites as the proof of a
boundary exists (a renamed or deleted test would otherwise leave a boundary the document says is held)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "SECURITY.md"
ADVERSARIES = (
    "A foreign state seeking to identify supporters",
    "A malicious organizer",
    "A stolen staff laptop",
    "A database backup leak",
)
# `tests/x.py`, `tests/x.py::test_y`, or `::test_y` (a test in the file named last before it).
CITATION = re.compile(r"`(tests/[\w/]+\.py)?(?:::(\w+))?`")


def cited_tests(text: str) -> list[tuple[str, str | None]]:
    cited, last_file = [], None
    for match in CITATION.finditer(text):
        path, name = match.groups()
        if path is None and name is None:
            continue
        if path is not None:
            last_file = path
        assert last_file is not None, f"`::{name}` cites a test before any file is named"
        cited.append((last_file, name))
    return cited


def functions_in(path: str) -> set[str]:
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}


def test_the_threat_model_names_each_adversary():
    headings = re.findall(r"^### (.+)$", DOC.read_text(encoding="utf-8"), re.MULTILINE)
    assert set(ADVERSARIES) <= set(headings)


def test_every_test_the_security_document_cites_exists():
    cited = cited_tests(DOC.read_text(encoding="utf-8"))
    assert len(cited) > 50
    missing = []
    for path, name in cited:
        if not (ROOT / path).is_file():
            missing.append(path)
        elif name is not None and name not in functions_in(path):
            missing.append(f"{path}::{name}")
    assert missing == []


def test_a_citation_of_a_missing_test_is_found():
    text = "`tests/test_auth.py::test_login_and_logout`, `::test_no_such_test`, `tests/no_such_file.py`"
    cited = cited_tests(text)
    assert cited == [
        ("tests/test_auth.py", "test_login_and_logout"),
        ("tests/test_auth.py", "test_no_such_test"),
        ("tests/no_such_file.py", None),
    ]
    assert "test_no_such_test" not in functions_in("tests/test_auth.py")
