"""Apps depend one way (leaderboard -> coaching -> knowledge), and the search backend is a package
of its own: read from the source, every import counts, also one inside a function.

A rule broken here is fixed in the code (a signal, a registry, the dependent app registering
itself in its ``AppConfig.ready()``), never by an exemption.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Huddle's own top-level packages: every folder beside manage.py that is a Python package.
HUDDLE = sorted(path.parent.name for path in ROOT.glob("*/__init__.py"))

# (the package whose modules are read, the packages they must not import, why)
RULES = [
    (
        "knowledge",
        {"coaching", "leaderboard", "notifications", "chat", "identity"},
        "knowledge is the base: other apps extend it by registering and by listening to its signals",
    ),
    ("coaching", {"leaderboard"}, "the leaderboard listens to coaching's signals; coaching never asks it"),
    (
        "knowledge.search",
        set(HUDDLE),
        "the Whoosh backend is a package of its own: it imports nothing from Huddle, not even knowledge",
    ),
]
DYNAMIC_IMPORTS = {"import_module", "__import__"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_names(source: str, module: str, *, is_package: bool = False) -> list[tuple[str, int]]:
    """Every module ``source`` imports, with its line: ``import``, ``from``, relative imports
    resolved against ``module``, and ``importlib.import_module("...")`` with a literal name,
    wherever they are in the file."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            name = ".".join([*base, node.module] if node.module else base)
            found.append((name, node.lineno))
            # "from knowledge import search" imports the submodule knowledge.search
            found += [(f"{name}.{alias.name}", node.lineno) for alias in node.names]
        elif isinstance(node, ast.Call):
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if called in DYNAMIC_IMPORTS and node.args and isinstance(node.args[0], ast.Constant):
                found.append((str(node.args[0].value), node.lineno))
    return found


def is_within(name: str, package: str) -> bool:
    return name == package or name.startswith(f"{package}.")


def violations(package: str, forbidden: set[str]) -> list[str]:
    folder = ROOT.joinpath(*package.split("."))
    broken = []
    for path in sorted(folder.rglob("*.py")):
        module = module_name(path)
        source = path.read_text(encoding="utf-8")
        for name, line in imported_names(source, module, is_package=path.name == "__init__.py"):
            # "from knowledge.search import x" also names its parents; only what lies outside counts.
            outside = not is_within(name, package) and not package.startswith(f"{name}.")
            if outside and any(is_within(name, bad) for bad in forbidden):
                broken.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    return broken


@pytest.mark.parametrize(("package", "forbidden", "why"), RULES, ids=[f"{rule[0]}-{i}" for i, rule in enumerate(RULES)])
def test_no_module_imports_what_its_layer_must_not(package, forbidden, why):
    assert violations(package, forbidden) == [], why


def test_every_app_is_read():
    """The rules read real folders: a renamed app would otherwise make them pass by reading nothing."""
    for package, _forbidden, _why in RULES:
        assert list(ROOT.joinpath(*package.split(".")).rglob("*.py")), package
    assert {"knowledge", "coaching", "leaderboard", "notifications", "chat", "identity", "config"} <= set(HUDDLE)


def test_an_import_inside_a_function_or_by_name_is_seen():
    """The reader finds what a lazy import would hide: inside a function, relative, or by name."""
    source = (
        "import importlib\n"
        "def later():\n"
        "    from coaching.models import CoachingVideoPage\n"
        "    from ..leaderboard import activity\n"
        "    return importlib.import_module('chat.signals')\n"
    )
    names = {name for name, _line in imported_names(source, "knowledge.semantic.indexing")}
    assert {"coaching.models", "knowledge.leaderboard", "chat.signals"} <= names
    names = {name for name, _line in imported_names("from . import oncommit\n", "knowledge.search.engine")}
    assert "knowledge.search.oncommit" in names
    names = {name for name, _line in imported_names("from .. import oncommit\n", "knowledge.search.engine")}
    assert "knowledge.oncommit" in names
