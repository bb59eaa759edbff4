"""The compiled hot modules (``cassalite.compiled``): which one runs, and the switch to the
sources. CI runs the whole suite twice, compiled (``CASSALITE_EXPECT_COMPILED=1``: the
build must have compiled every module) and with ``CASSALITE_PURE_PYTHON=1``."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from importlib.machinery import EXTENSION_SUFFIXES

from hypothesis import given
from hypothesis import strategies as st

import cql
from cassalite import compiled
from cassalite.storage import murmur3


def _is_extension(path: str) -> bool:
    return path.endswith(tuple(EXTENSION_SUFFIXES))


def test_cql_compiled_tells_what_runs() -> None:
    flag = cql.compiled
    files = {name: importlib.import_module(name).__file__ for name in compiled.MODULES}
    assert flag == all(_is_extension(f) for f in files.values()), files
    for name, path in files.items():
        assert compiled.loaded[name] == _is_extension(path), (name, path)
    if os.environ.get(compiled.PURE_ENV):
        assert flag is False
    if os.environ.get("CASSALITE_EXPECT_COMPILED"):
        assert flag is True, f"the build did not compile every module: {files}"


def _flag(env: dict) -> str:
    code = "import cql; print(cql.compiled)"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, check=True, timeout=60).stdout.strip()


def test_pure_python_switch() -> None:
    env = {k: v for k, v in os.environ.items() if k != compiled.PURE_ENV}
    assert _flag({**env, compiled.PURE_ENV: "1"}) == "False"
    if not os.environ.get(compiled.PURE_ENV):
        assert _flag(env) == str(cql.compiled)


def test_an_extension_older_than_its_source_is_not_used(tmp_path, monkeypatch) -> None:
    """A module edited since the build runs from its source, never stale compiled code."""
    from importlib.machinery import ExtensionFileLoader

    monkeypatch.delenv(compiled.PURE_ENV, raising=False)  # the age alone decides here

    chooser = next(f for f in sys.meta_path if type(f) is compiled._Chooser)
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "mod.py").write_text("WHERE = 'source'\n")
    fake = pkg / f"mod{EXTENSION_SUFFIXES[0]}"
    fake.write_bytes(b"")  # never loaded: only its age is looked at
    os.utime(fake, (1, 1))
    name = "pkg.mod"
    old = compiled.MODULES
    compiled.MODULES = (*old, name)
    try:
        spec = chooser.find_spec(name, [str(pkg)])
        assert not isinstance(spec.loader, ExtensionFileLoader)
        assert spec.origin == str(pkg / "mod.py")
        assert compiled.loaded[name] is False
        os.utime(fake, None)
        os.utime(pkg / "mod.py", (1, 1))
        spec = chooser.find_spec(name, [str(pkg)])
        assert isinstance(spec.loader, ExtensionFileLoader)
        assert compiled.loaded[name] is True
    finally:
        compiled.MODULES = old
        compiled.loaded.pop(name, None)


def _source_module(name: str):
    """``name`` loaded from its .py source under another name, whatever runs as ``name``."""
    from importlib.util import module_from_spec, spec_from_file_location

    module = importlib.import_module(name)
    path = os.path.join(os.path.dirname(module.__file__), name.rpartition(".")[2] + ".py")
    spec = spec_from_file_location(f"_source_of_{name.replace('.', '_')}", path)
    source = module_from_spec(spec)
    spec.loader.exec_module(source)
    return source


_MURMUR3_SOURCE = _source_module("cassalite.storage.murmur3")


@given(st.binary(max_size=80))
def test_murmur3_token_is_the_sources(key: bytes) -> None:
    """The typed hash (unsigned 64-bit C arithmetic) gives the source's token."""
    assert murmur3.token(key) == _MURMUR3_SOURCE.token(key)


def test_the_compiled_modules_are_typed() -> None:
    """The augmenting .pxd files took effect (Cython finds them by installed module path,
    not beside the source: without setup.py's mirror the modules compile untyped)."""
    from cassalite.storage.lsm import encoding

    if not compiled.loaded.get("cassalite.storage.murmur3"):
        assert hasattr(murmur3, "_rotl")  # the source: a plain function
    else:
        assert not hasattr(murmur3, "_rotl")  # a cdef function: C only
    if compiled.loaded.get("cassalite.storage.lsm.encoding"):
        try:
            encoding._plain_live_rows(b"", "0", 0, None, {}, 0, [], None)
        except TypeError:
            pass  # a Py_ssize_t position takes no str
        else:
            raise AssertionError("encoding._plain_live_rows is not typed")
