"""The layering rule of ARCHITECTURE.md, checked: an app imports only from apps below it, except
a view calling a higher app's selector. ``credentials`` imports nothing from the project."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ORDER = [
    "core",
    "cities",
    "accounts",
    "organisations",
    "badges",
    "opportunities",
    "verification",
    "learners",
    "pathways",
    "insights",
    "demo",
]
PACKAGE = Path(__file__).resolve().parents[2]


def _type_checking_only(tree: ast.AST) -> set[int]:
    """Line numbers of imports under ``if TYPE_CHECKING:`` (annotations only, never run)."""
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            for child in node.body:
                lines.update(n.lineno for n in ast.walk(child) if hasattr(n, "lineno"))
    return lines


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_only(tree)
    found = []
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
    return found


def _is_view(path: Path) -> bool:
    return path.name.startswith("views") or path.parent.name == "views"


def _violations(app: str) -> list[str]:
    rank = ORDER.index(app)
    problems = []
    for path in sorted((PACKAGE / app).rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for line, module in _imports(path):
            parts = module.split(".")
            if parts[0] != "learningcity" or len(parts) < 2:
                continue
            other = parts[1]
            if other == "credentials" or other not in ORDER or ORDER.index(other) <= rank:
                continue
            if _is_view(path) and len(parts) > 2 and parts[2] == "selectors":
                continue  # the one allowed way up: a view reading a higher app's selector
            problems.append(f"{path.relative_to(PACKAGE)}:{line} imports {module}")
    return problems


@pytest.mark.parametrize("app", ORDER)
def test_an_app_imports_only_from_apps_below_it(app):
    assert _violations(app) == []


def test_credentials_imports_nothing_from_the_project():
    offending = [
        f"{path.relative_to(PACKAGE)}:{line} imports {module}"
        for path in sorted((PACKAGE / "credentials").rglob("*.py"))
        if "tests" not in path.parts
        for line, module in _imports(path)
        if module.startswith("learningcity.") and not module.startswith("learningcity.credentials")
    ]
    assert offending == []


def test_the_rule_catches_an_import_from_above(tmp_path, monkeypatch):
    app = tmp_path / "cities"
    app.mkdir()
    (app / "services.py").write_text("from learningcity.badges.models import Award\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["PACKAGE"]), "PACKAGE", tmp_path)
    assert _violations("cities") == ["cities/services.py:1 imports learningcity.badges.models"]
