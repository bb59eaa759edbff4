"""Imports point down the layers, and no module-level import cycle exists anywhere.

Read from the source with ``ast`` (nothing is imported). Modules are named as installed:
``storage/lsm/engine.py`` is ``cassalite.storage.lsm.engine`` (pyproject.toml's package-dir).
Imports under ``if TYPE_CHECKING:`` are annotations only and are not counted.

* ``cassalite.storage`` and ``cassalite.grammar`` never import ``cql`` or a front end;
* ``cql`` never imports a front end (``cassalite.shell``, ``cassalite.server``, the plugin);
* inside ``cql``, a module imports only from its own subpackage and from the levels below
  its own (``CQL_LEVELS``, the table of cql/README.md), function-level imports included;
* no module imports the repository folder names (``storage``, ``grammar``, ...) as
  top-level packages: they are not installed under those names.
"""

from __future__ import annotations

import ast
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Each line may import from the lines above it (and a unit from itself).
CQL_LEVELS: list[set[str]] = [
    {"vocabulary", "errors", "settings"},
    {"types", "syntax"},
    {"schema"},
    {"cells"},
    {"system", "functions"},
    {"plan"},
    {"derived"},
    {"auth"},
    {"dml", "ddl"},
    {"planner"},
    {"database"},
    {"params"},
    {"session"},
    {"cluster"},  # sessions on a cluster (cassandra-driver), with the session's API
    {"connecting"},  # cql.connect: a directory, :memory: or a cluster URL
    {"__init__"},  # the public API: cql/__init__.py
]
FRONT_ENDS = ("cassalite.shell", "cassalite.server", "cassalite.pytest_plugin",
              "cassalite.__main__", "cassalite.migrate")
FOLDER_NAMES = ("storage", "grammar", "shell", "server", "cassalite_pytest")


@dataclass(frozen=True)
class Import:
    source: str  # importing module
    target: str  # imported module (a module of the project where the name is one)
    line: int
    lazy: bool  # inside a function


def _folders() -> dict[str, str]:
    """Repository folder -> installed package, from pyproject.toml."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    mapping = {folder: package
               for package, folder in config["tool"]["setuptools"]["package-dir"].items()}
    return {"cql": "cql", "cassalite": "cassalite", **mapping}


def _modules() -> dict[str, tuple[Path, bool]]:
    """Installed module name -> (file, is a package)."""
    out = {}
    for folder, package in _folders().items():
        for path in (ROOT / folder).rglob("*.py"):
            parts = list(path.relative_to(ROOT / folder).with_suffix("").parts)
            is_pkg = parts[-1] == "__init__"
            if is_pkg:
                parts.pop()
            out[".".join([package, *parts])] = (path, is_pkg)
    return out


MODULES = _modules()


def _imports(module: str) -> list[Import]:
    path, is_pkg = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if is_pkg else module.rpartition(".")[0]
    out: list[Import] = []

    def visit(node: ast.AST, lazy: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for other in child.orelse:
                    visit(other, lazy)
                continue
            if isinstance(child, ast.Import):
                out.extend(Import(module, a.name, child.lineno, lazy) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")
                    base = base[:len(base) - (child.level - 1)]
                    base_name = ".".join(base + ([child.module] if child.module else []))
                else:
                    base_name = child.module or ""
                for a in child.names:
                    sub = f"{base_name}.{a.name}"
                    out.append(Import(module, sub if sub in MODULES else base_name,
                                      child.lineno, lazy))
            else:
                visit(child, lazy or isinstance(
                    child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))

    visit(tree, False)
    return [i for i in out if i.target != module]


IMPORTS = [i for m in sorted(MODULES) for i in _imports(m)]


def _in(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def _show(found: list[Import]) -> str:
    return "\n".join(f"{i.source}:{i.line} imports {i.target}" + (" (in a function)" * i.lazy)
                     for i in found)


def test_the_modules_are_found() -> None:
    for name in ("cql.session", "cql.database", "cassalite.storage.lsm.engine",
                 "cassalite.grammar.runtime", "cassalite.shell.core", "cassalite.server.server",
                 "cassalite.pytest_plugin"):
        assert name in MODULES
    assert len(MODULES) > 100


def test_no_import_of_the_folder_names() -> None:
    found = [i for i in IMPORTS if i.target.split(".")[0] in FOLDER_NAMES]
    for folder in ("tests", "benchmarks", "examples"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                         [node.module or ""] if isinstance(node, ast.ImportFrom)
                         and not node.level else [])
                found.extend(Import(str(path.relative_to(ROOT)), n, node.lineno, False)
                             for n in names if n.split(".")[0] in FOLDER_NAMES)
    assert not found, _show(found)


@pytest.mark.parametrize("lower", ["cassalite.storage", "cassalite.grammar"])
def test_storage_and_grammar_import_no_layer_above(lower: str) -> None:
    above = ("cql", *FRONT_ENDS)
    found = [i for i in IMPORTS if _in(i.source, lower) and any(_in(i.target, a) for a in above)]
    assert not found, _show(found)


def test_cql_imports_no_front_end() -> None:
    found = [i for i in IMPORTS if _in(i.source, "cql")
             and any(_in(i.target, f) for f in FRONT_ENDS)]
    assert not found, _show(found)


def _unit(module: str) -> str:
    """cql.dml.select -> dml; cql -> __init__."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _level(unit: str) -> int:
    for n, units in enumerate(CQL_LEVELS):
        if unit in units:
            return n
    raise AssertionError(f"cql.{unit} has no level in CQL_LEVELS: add it (and to the docs)")


def test_every_cql_unit_has_a_level() -> None:
    for module in MODULES:
        if _in(module, "cql"):
            _level(_unit(module))


def test_cql_imports_point_down() -> None:
    found = []
    for i in IMPORTS:
        if not (_in(i.source, "cql") and _in(i.target, "cql")):
            continue
        src, dst = _unit(i.source), _unit(i.target)
        if i.target == "cql" and i.source != "cql":
            found.append(i)  # the public API package imports everything: never import it
        elif src != dst and _level(dst) >= _level(src):
            found.append(i)
    assert not found, _show(found)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        out.append(sorted(component))
    return out


def test_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_level_import_cycle() -> None:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for i in IMPORTS:
        if not i.lazy and i.target in MODULES:
            graph[i.source].add(i.target)
    cycles = _cycles(graph)
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles)
