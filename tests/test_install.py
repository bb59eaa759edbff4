"""cassalite as a user installs it: a wheel in a fresh venv, next to a project's own modules.

Only two names are installed, ``cql`` and ``cassalite``; a user project with its own
``storage.py``, ``grammar.py``, ``shell.py`` and ``server.py`` keeps working with
``import cql``, the ``cassalite`` command and the pytest plugin.

The wheel is built once for this module (by pip, from a copy of the sources, so the
checkout gets no ``build/``). The venv has no pip and no site-packages of its own beyond
the wheel: a ``.pth`` line makes this interpreter's site-packages (the dependencies)
importable without running its ``.pth`` files, so the editable install of the checkout
cannot stand in for a module the wheel lacks. Deselect with ``-m "not install"``.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.install

ROOT = Path(__file__).resolve().parents[1]
#: repository folder -> installed package
FOLDERS = {
    "cql": "cql",
    "cassalite": "cassalite",
    "storage": "cassalite/storage",
    "grammar": "cassalite/grammar",
    "shell": "cassalite/shell",
    "server": "cassalite/server",
}
#: data files that ship beside the modules
DATA = ("grammar/cql.lark", "grammar/cql_tables.json", "storage/lsm/FORMAT.md")


def _run(cmd: list[str], cwd: Path | None = None, timeout: float = 120,
         ) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    res = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True,
                         timeout=timeout)
    assert res.returncode == 0, f"{cmd}\n{res.stdout}\n{res.stderr}"
    return res


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for folder in FOLDERS:
        shutil.copytree(ROOT / folder, src / folder, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(work / "dist"),
          str(src)], timeout=300)
    (built,) = (work / "dist").glob("cassalite-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    env_dir = tmp_path_factory.mktemp("venv") / "env"
    _run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)])
    python = env_dir / "bin" / "python"
    purelib = Path(_run([str(python), "-c", "import sysconfig; "
                         "print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    deps = {sysconfig.get_paths()["purelib"], *site.getsitepackages()}
    (purelib / "_outer_deps.pth").write_text("\n".join(sorted(deps)) + "\n")
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
          "--no-index", "--ignore-installed", str(wheel)], timeout=300)
    return env_dir


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A user's project whose module names are the ones cassalite used to install."""
    root = tmp_path_factory.mktemp("userproject")
    for name in ("storage", "grammar", "shell", "server"):
        (root / f"{name}.py").write_text(f'OWNER = "project"\nNAME = "{name}"\n')
    (root / "test_app.py").write_text(textwrap.dedent("""
        import grammar
        import server
        import shell
        import storage


        def test_own_modules():
            assert {m.OWNER for m in (storage, grammar, shell, server)} == {"project"}


        def test_cql_session(cql_session):
            cql_session.execute("CREATE TABLE t (k int PRIMARY KEY, v text)")
            cql_session.execute("INSERT INTO t (k, v) VALUES (1, 'one')")
            assert cql_session.execute("SELECT v FROM t WHERE k = 1").one().v == "one"
    """))
    return root


def test_wheel_installs_exactly_cql_and_cassalite(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        entry_points = zf.read("cassalite-0.1.0.dist-info/entry_points.txt").decode()
    tops = {name.split("/")[0] for name in names}
    assert tops == {"cql", "cassalite", "cassalite-0.1.0.dist-info"}
    # Every module and data file of the repository's folders ships, under its install name
    # (the package lists in pyproject.toml are explicit: a new subpackage must be added).
    expected = set()
    for folder, installed in FOLDERS.items():
        for path in (ROOT / folder).rglob("*.py"):
            if "__pycache__" not in path.parts:
                expected.add(f"{installed}/{path.relative_to(ROOT / folder).as_posix()}")
    for data in DATA:
        folder, rest = data.split("/", 1)
        expected.add(f"{FOLDERS[folder]}/{rest}")
    missing = sorted(expected - names)
    assert not missing, (f"not in the wheel: {missing}; add the package to [tool.setuptools] "
                         "packages (or its data to package-data) in pyproject.toml")
    for line in ("cassalite = cassalite.shell.__main__:main",
                 "cassalite-server = cassalite.server.__main__:main",
                 "cassalite-nodetool = cassalite.storage.nodetool:main",
                 "cassalite = cassalite.pytest_plugin",
                 "cql = cassalite.shell.lexer:CqlLexer"):
        assert line in entry_points


def test_site_packages_holds_cql_and_cassalite(venv: Path) -> None:
    python = venv / "bin" / "python"
    purelib = Path(_run([str(python), "-c", "import sysconfig; "
                         "print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    installed = {p.name for p in purelib.iterdir()} - {"_outer_deps.pth", "__pycache__"}
    assert installed == {"cql", "cassalite", "cassalite-0.1.0.dist-info"}


def test_import_cql_beside_the_projects_modules(venv: Path, project: Path) -> None:
    code = textwrap.dedent("""
        import sys
        import storage, grammar, shell, server
        import cql
        import cassalite.storage.lsm, cassalite.grammar, cassalite.shell.lexer
        from pygments.lexers import get_lexer_by_name
        assert storage.OWNER == grammar.OWNER == shell.OWNER == server.OWNER == "project"
        assert cql.__file__.startswith(sys.prefix), cql.__file__
        assert cassalite.storage.lsm.__file__.startswith(sys.prefix)
        assert (cassalite.grammar.CQL_GRAMMAR).is_file()
        assert get_lexer_by_name("cql").__class__.__module__ == "cassalite.shell.lexer"
        s = cql.connect(":memory:")
        print(s.execute("SELECT release_version FROM system.local").one()[0])
        assert "lark" not in sys.modules  # the shipped tables matched the grammar
    """)
    res = _run([str(venv / "bin" / "python"), "-c", code], cwd=project)
    assert res.stdout.strip() == "5.0.0"


def test_cassalite_command_in_the_project(venv: Path, project: Path) -> None:
    res = _run([str(venv / "bin" / "cassalite"), "--memory", "-e",
                "SELECT release_version FROM system.local"], cwd=project)
    assert "5.0.0" in res.stdout


def test_pytest_with_the_plugin_in_the_project(venv: Path, project: Path) -> None:
    res = _run([str(venv / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider",
                "-p", "no:hypothesispytest", "test_app.py"], cwd=project)
    assert "2 passed" in res.stdout
