"""Fixtures for the storage tests.

LSM tests put their data directories on tmpfs (/dev/shm) when there is one: the engine
still calls fsync on every path it would in production, but tmpfs makes those calls cheap,
which keeps the suite fast without a "no fsync" switch in the engine.
"""

import os
import shutil
import tempfile

import pytest


def fast_tmpdir() -> str:
    base = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    return tempfile.mkdtemp(prefix="cassalite-test-", dir=base)


@pytest.fixture
def lsm_dir():
    path = fast_tmpdir()
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
