"""The layers of coverplan, read from the imports of every module (ast, no import run).

    geo               imports nothing of ours above it
    planner.models    imports only itself and the shared errors module geo.errors
    planner           never imports the faces (web, cli)
    web, cli          faces: use everything below, not each other
    web.app           the app factory: nothing in web imports it (blueprints read the shared
                      objects from web.extensions; the factory imports the blueprints)

Every import counts: absolute and relative, at the top of a module or inside a
function. Ordinary imports only: a module imported by computed name
(``importlib.import_module``, ``__import__``) hides a dependency from readers
and from this test, so it is refused unless listed in DYNAMIC with the reason.
"""
from __future__ import annotations

import ast
import functools
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("geo", "planner", "web", "cli")

#: Imports from one face to the other that are part of the design, (importer, imported).
#: `coverplan serve` is the command that starts the web face, so it imports the app
#: factory -- and nothing else of web.
#: `coverplan users` manages the web server's accounts, kept by web.users (and nothing else of web);
#: `coverplan restore` writes its entry into the audit log web.users keeps.
ALLOWED = {("cli.serve", "web.app"), ("cli.users", "web.users"), ("cli.backup", "web.users")}

#: Modules that import by computed name, and why that stays inside their layer.
DYNAMIC = {"geo.regions": "loads a region's builder, a geo.build_region module named in _BUILDERS"}

#: Calls that import a module given as a string.
_IMPORT_CALLS = {"import_module", "__import__"}


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(root: Path, dotted: str) -> bool:
    base = root.joinpath(*dotted.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _absolute(root: Path, path: Path, node: ast.ImportFrom) -> str:
    """The package a ``from ... import`` reads from, relative imports resolved."""
    if not node.level:
        return node.module or ""
    package = module_name(root, path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    base = package[:len(package) - (node.level - 1)] if node.level > 1 else package
    return ".".join(base + ([node.module] if node.module else []))


def _call_name(node: ast.Call) -> str:
    f = node.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""


def imports_of(root: Path, path: Path) -> list[tuple[int, str | None]]:
    """(line, imported module) of every import in the file; None for a computed name."""
    return list(_imports_in(root, path, path.read_text("utf-8")))


@functools.lru_cache(maxsize=None)
def _parsed(source: str) -> ast.Module:
    """A module's tree, parsed once per text (the same text in the probes' copy of the code is not parsed again): the
    probes below re-check the whole copy after adding one file, and parsing some 300 modules each time made this file
    take 18 s. A file that does not parse fails the test whatever the cache holds."""
    return ast.parse(source)


@functools.lru_cache(maxsize=None)
def _imports_in(root: Path, path: Path, source: str) -> tuple[tuple[int, str | None], ...]:
    """:func:`imports_of` for one text of the file (cached by its text, so an edited file is read again)."""
    tree = _parsed(source)
    found: list[tuple[int, str | None]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(root, path, node)
            for a in node.names:
                sub = f"{base}.{a.name}" if base else a.name
                # `from geo import errors` imports the module geo.errors; `from geo.errors import X` reads geo.errors
                found.append((node.lineno, sub if a.name != "*" and _is_module(root, sub) else base))
        elif isinstance(node, ast.Call) and _call_name(node) in _IMPORT_CALLS and node.args:
            arg = node.args[0]
            literal = arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None
            found.append((node.lineno, literal))
    return tuple(found)


def rule_broken(importer: str, target: str) -> str | None:
    """Why ``importer`` may not import ``target`` (None when it may)."""
    top, mine = target.split(".")[0], importer.split(".")[0]
    if top not in PACKAGES or (importer, target) in ALLOWED:
        return None
    if mine == "geo" and top != "geo":
        return "geo imports nothing of ours above it"
    if (importer == "planner.models" or importer.startswith("planner.models.")) and not (
            target == "planner.models" or target.startswith("planner.models.") or target == "geo.errors"):
        return "planner.models imports only itself and geo.errors"
    if mine == "planner" and top in ("web", "cli"):
        return "planner never imports the faces"
    if {mine, top} == {"web", "cli"}:
        return "the faces (web, cli) do not import each other"
    if mine == "web" and target == "web.app" and importer != "web.app":
        return "web.app is the app factory: blueprints use web.extensions"
    return None


def layer_violations(root: Path) -> list[str]:
    """Every import that breaks the layers, as "path:line: importer -> imported (rule)"."""
    out = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            importer = module_name(root, path)
            where = path.relative_to(root).as_posix()
            for line, target in dict.fromkeys(imports_of(root, path)):  # `from x import a, b`: once
                if target is None:
                    if importer not in DYNAMIC:
                        out.append(f"{where}:{line}: {importer} imports a computed module name "
                                   "(ordinary imports only)")
                    continue
                why = rule_broken(importer, target)
                if why:
                    out.append(f"{where}:{line}: {importer} -> {target} ({why})")
    return out


# -- the code as it is ------------------------------------------------------------------
def test_every_module_keeps_to_its_layer():
    assert layer_violations(ROOT) == []


def test_the_exceptions_are_still_needed():
    """An allowance nobody uses any more should go, so the list stays the truth."""
    for importer, target in ALLOWED:
        path = ROOT.joinpath(*importer.split(".")).with_suffix(".py")
        assert target in [t for _, t in imports_of(ROOT, path)], f"{importer} no longer imports {target}"
    for importer in DYNAMIC:
        path = ROOT.joinpath(*importer.split(".")).with_suffix(".py")
        assert None in [t for _, t in imports_of(ROOT, path)], f"{importer} no longer imports by name"


# -- the check fails on a wrong-way import ----------------------------------------------
@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    """A copy of the four packages' sources, for adding deliberately bad modules."""
    root = tmp_path_factory.mktemp("layers")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, root / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    assert layer_violations(root) == []  # the copy of today's code is clean
    return root


BAD = [
    ("geo/_probe.py", "import web.app\n", "geo imports nothing"),
    ("geo/_probe.py", "from planner.coverage import analyse_coverage\n", "geo imports nothing"),
    ("planner/models/_probe.py", "def f():\n    from geo import settings\n    return settings\n",
     "planner.models imports only"),
    ("planner/models/_probe.py", "from ...geo.regions import Region\n", "planner.models imports only"),
    ("planner/models/_probe.py", "from .. import coverage\n", "planner.models imports only"),
    ("planner/_probe.py", "from web import layers\n", "planner never imports the faces"),
    ("planner/_probe.py", "def f():\n    import cli.main\n", "planner never imports the faces"),
    ("web/_probe.py", "from cli.output import print_json\n", "do not import each other"),
    ("web/_probe.py", "def svc():\n    from web.app import ext\n    return ext()\n", "blueprints use web.extensions"),
    ("web/_probe.py", "from .app import create_app\n", "blueprints use web.extensions"),
    ("cli/_probe.py", "from web.service import Service\n", "do not import each other"),
    ("cli/_probe.py", "import importlib\nimportlib.import_module('web.app')\n", "do not import each other"),
    ("web/_probe.py", "import importlib\n\ndef planner(name):\n    return importlib.import_module(f'planner.{name}')\n",
     "computed module name"),
]


@pytest.mark.parametrize("where, source, rule", BAD, ids=[f"{w}:{s.strip().splitlines()[-1]}" for w, s, _ in BAD])
def test_a_wrong_way_import_is_reported(tree, where, source, rule):
    probe = tree / where
    probe.write_text(source, encoding="utf-8")
    try:
        found = layer_violations(tree)
    finally:
        probe.unlink()
    # the one bad module added to today's (clean) code is reported, with the rule it breaks
    assert len(found) == 1 and found[0].startswith(where + ":") and rule in found[0], found


def test_right_way_imports_pass(tree):
    """What the layers allow is not reported (so the failures above are about direction)."""
    ok = {"planner/models/_probe.py": "from geo.errors import InfeasibleError\nfrom geo import errors\n"
                                      "from .base import SolveResult\n",
          "planner/_probe.py": "from geo.regions import Region\nfrom planner.models import MCLP\n",
          "web/_probe.py": "from planner.i18n import t\nfrom geo import settings\n",
          "cli/_probe.py": "def f():\n    from planner.mapexport import when\n    from geo.regions import load_region\n"}
    for where, source in ok.items():
        (tree / where).write_text(source, encoding="utf-8")
    try:
        assert layer_violations(tree) == []
    finally:
        for where in ok:
            (tree / where).unlink()


def private_imports(root: Path) -> list[str]:
    """``from our.module import _name``: a private name used outside its module."""
    found = []
    for pkg in PACKAGES:
        for path in sorted((root / pkg).rglob("*.py")):
            for node in ast.walk(_parsed(path.read_text("utf-8"))):
                if not isinstance(node, ast.ImportFrom):
                    continue
                target = _absolute(root, path, node)
                if target.split(".")[0] not in PACKAGES:
                    continue  # the standard library's and other projects' names are theirs to keep
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        found.append(f"{module_name(root, path)}:{node.lineno} imports {target}.{alias.name}")
    return found


def test_no_private_name_crosses_a_module():
    assert private_imports(ROOT) == []


def test_a_private_import_is_reported(tmp_path):
    (tmp_path / "planner").mkdir()
    for pkg in PACKAGES:
        (tmp_path / pkg).mkdir(exist_ok=True)
        (tmp_path / pkg / "__init__.py").write_text("")
    (tmp_path / "planner" / "a.py").write_text("def _helper():\n    return 1\n")
    (tmp_path / "planner" / "b.py").write_text("from planner.a import _helper\nfrom .a import _helper as h\n")
    assert len(private_imports(tmp_path)) == 2
