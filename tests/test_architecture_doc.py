"""The docs stay true to the code: docs/architecture.md names every package and module in advocacy/ (and none
that is gone), and the README stays a five-minute read that names the two set-up commands."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "advocacy"
ARCHITECTURE = ROOT / "docs" / "architecture.md"
README = ROOT / "README.md"
README_MAX_WORDS = 900

MAP_ROW = re.compile(r"^\|\s*`advocacy/([A-Za-z0-9_]+)(/|\.py)`\s*\|")


def packages_and_modules() -> set[str]:
    """What advocacy/ holds: `name/` for each package, `name.py` for each module (the real tree, as it is)."""
    found = set()
    for path in PACKAGE.iterdir():
        if path.name.startswith((".", "_")) and path.name != "__init__.py":
            continue
        if path.is_dir() and (path / "__init__.py").is_file():
            found.add(path.name + "/")
        elif path.is_file() and path.suffix == ".py":
            found.add(path.name)
    return found


def mapped() -> set[str]:
    """The first column of the map's table rows: `advocacy/name/` or `advocacy/name.py`."""
    names = set()
    for line in ARCHITECTURE.read_text(encoding="utf-8").splitlines():
        match = MAP_ROW.match(line)
        if match:
            names.add(match.group(1) + match.group(2))
    return names


def test_the_tree_reader_sees_packages_and_modules():
    found = packages_and_modules()
    assert {"__init__.py", "config.py", "congress/", "letters/"} <= found
    assert "__pycache__/" not in found


def test_the_architecture_map_names_every_package_and_module_in_advocacy():
    missing = sorted(packages_and_modules() - mapped())
    assert not missing, f"docs/architecture.md does not name {', '.join(missing)}: add a row for each"


def test_the_architecture_map_names_nothing_that_is_gone():
    gone = sorted(mapped() - packages_and_modules())
    assert not gone, f"docs/architecture.md names {', '.join(gone)}, which advocacy/ no longer holds"


def test_the_map_reader_finds_rows_of_both_kinds():
    names = mapped()
    assert any(name.endswith("/") for name in names)
    assert any(name.endswith(".py") for name in names)


def test_the_readme_is_a_five_minute_read():
    words = len(README.read_text(encoding="utf-8").split())
    assert words < README_MAX_WORDS, f"README.md has {words} words; move detail into docs/"


def test_the_readme_names_both_set_up_commands():
    text = README.read_text(encoding="utf-8")
    for command in ("scripts/dev", "scripts/test"):
        assert re.search(rf"^{re.escape(command)}\s*$", text, re.MULTILINE), f"README.md does not show {command}"


def test_every_doc_the_readme_points_to_exists():
    text = README.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text)
    assert targets
    missing = [t for t in targets if not t.startswith("http") and not (ROOT / t).exists()]
    assert not missing, f"README.md links to {missing}, which do not exist"
