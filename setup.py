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
        return cythonize(
            [Extension(name, [_source(name)]) for name in _modules()],
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
