"""The house's layers: features depend downward only, no import cycle, and no feature builds the app.

The contracts live in pyproject.toml ([tool.importlinter]); `lint-imports` checks them here so CI fails on a
cycle or an import that runs back up.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent


def contracts() -> list[dict]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]


def graph() -> grimp.ImportGraph:
    sys.path.insert(0, str(ROOT))
    try:
        return grimp.build_graph("advocacy", cache_dir=None)
    finally:
        sys.path.remove(str(ROOT))


def test_the_import_contracts_hold():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert f"Contracts: {len(contracts())} kept, 0 broken." in result.stdout


def test_every_package_and_shared_module_has_a_layer():
    layers = next(c for c in contracts() if c["type"] == "layers")["layers"]
    named = {name.strip() for layer in layers for part in layer.split("|") for name in part.split(":")}
    children = {m.split(".")[1] for m in graph().modules if m.count(".") >= 1}
    assert children - named == set(), "add the new module to the layers in pyproject.toml"
    assert named - children == set(), "a layer names a module that is gone"


def test_no_module_imports_the_app_factory():
    importers = graph().find_modules_that_directly_import("advocacy")
    assert importers == set(), f"only the factory builds the app; these import it: {sorted(importers)}"
