"""Build hook: the hot modules (``cassalite/compiled.py``'s ``MODULES``) compiled with
Cython when it and a C compiler are there. Everything else is in pyproject.toml.

Compiling is optional: no Cython, no compiler, ``CASSALITE_PURE_PYTHON=1`` or any build
error leaves the pure-Python modules in use (a warning says why), never a failed install.
"""

import ast
import os
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).parent

#: installed package prefix -> repository folder (pyproject.toml's package-dir)
FOLDERS = {"cassalite.storage": "storage", "cql": "cql"}


def _warn(why: str) -> None:
    print(f"cassalite: building the pure-Python modules only ({why})", file=sys.stderr)


def _modules() -> tuple[str, ...]:
    """``MODULES`` of cassalite/compiled.py, read without importing the package."""
    tree = ast.parse((ROOT / "cassalite" / "compiled.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "MODULES"
                                                for t in node.targets):
            return ast.literal_eval(node.value)
    raise RuntimeError("MODULES not found in cassalite/compiled.py")


def _source(module: str) -> str:
    for prefix, folder in FOLDERS.items():
        if module.startswith(prefix + "."):
            return folder + "/" + module[len(prefix) + 1:].replace(".", "/") + ".py"
    raise RuntimeError(f"no source folder for {module}")


def _pxd_tree(modules) -> tuple[str, bool]:
    """A directory holding each module's augmenting ``.pxd`` at its installed path, and
    whether a copy in it changed.

    Cython looks for the ``.pxd`` of ``cassalite.storage.lsm.encoding`` at
    ``cassalite/storage/lsm/encoding.pxd``; the repository keeps it beside its source in
    ``storage/lsm/``, where Cython would not find it and would compile the module untyped.
    Cython does not count a ``.py`` file's ``.pxd`` among its dependencies: a changed
    copy is what tells the build to regenerate the C files."""
    tree = ROOT / "build" / "cython-pxd"
    changed = False
    for name in modules:
        pxd = (ROOT / _source(name)).with_suffix(".pxd")
        if not pxd.exists():
            continue
        copy = tree.joinpath(*name.split(".")).with_suffix(".pxd")
        text = pxd.read_text()
        if not copy.exists() or copy.read_text() != text:
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_text(text)
            changed = True
    return str(tree), changed


def extensions() -> list:
    if os.environ.get("CASSALITE_PURE_PYTHON"):
        _warn("CASSALITE_PURE_PYTHON is set")
        return []
    try:
        from Cython.Build import cythonize
        from setuptools import Extension
    except ImportError:
        _warn("Cython is not installed")
        return []
    try:
        modules = _modules()
        include, changed = _pxd_tree(modules)
        return cythonize(
            [Extension(name, [_source(name)]) for name in modules],
            include_path=[include], force=changed,
            compiler_directives={"language_level": 3, "annotation_typing": False},
            nthreads=os.cpu_count() or 1, quiet=True)
    except Exception as exc:  # noqa: BLE001 - a failed compile must not fail the install
        _warn(f"Cython failed: {exc}")
        return []


class OptionalBuildExt(build_ext):
    """``build_ext`` whose failures (no compiler, a compile error) only warn."""

    def initialize_options(self):
        super().initialize_options()
        self.parallel = os.cpu_count() or 1

    def run(self):
        try:
            super().run()
        except Exception as exc:  # noqa: BLE001
            _warn(f"build_ext failed: {exc}")

    def build_extension(self, ext):
        try:
            super().build_extension(ext)
        except Exception as exc:  # noqa: BLE001
            _warn(f"{ext.name} did not compile: {exc}")


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
