"""Load the example scripts as modules, the way ``python examples/<name>/app.py`` runs them."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "beam: needs apache-beam (the beam_pipeline example)")


def load_example(name: str) -> ModuleType:
    """Import ``examples/<name>/app.py`` once, under a name of its own.

    Registered in ``sys.modules`` so that pickling (Beam) finds its classes by reference.
    """
    module_name = f"cassalite_example_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, EXAMPLES / name / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[module_name]
        raise
    return module


@pytest.fixture
def data_dir() -> Iterator[str]:
    """A data directory for the LSM engine, on tmpfs when there is one (cheap fsyncs)."""
    base = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
    path = tempfile.mkdtemp(prefix="cassalite-example-", dir=base)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def app(request: pytest.FixtureRequest) -> ModuleType:
    """The example script named by the test module's ``EXAMPLE``."""
    return load_example(request.module.EXAMPLE)
