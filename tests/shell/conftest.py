"""What the shell tests share: an isolated user environment."""

from __future__ import annotations

import pytest


@pytest.fixture
def isolated_home(tmp_path, monkeypatch):
    """No user cqlshrc, config, data directory or TZ may leak into a test."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("CASSALITE_CONFIG", str(tmp_path / "none"))
    monkeypatch.setenv("CASSALITE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("TZ", raising=False)
    return tmp_path
