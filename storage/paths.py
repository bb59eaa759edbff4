"""Where cassalite keeps a database by default, shared by the shell, the server and
``cassalite-nodetool``: ``$CASSALITE_DATA_DIR``, else the platform's user data directory
(XDG on Linux, Application Support on macOS, LOCALAPPDATA on Windows)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

DATA_DIR_ENV = "CASSALITE_DATA_DIR"


def default_data_dir() -> Path:
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser()
    home = Path.home()
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / "cassalite"
    if os.name == "nt":
        base = os.environ.get("LOCALAPPDATA") or str(home / "AppData" / "Local")
        return Path(base) / "cassalite"
    base = os.environ.get("XDG_DATA_HOME") or str(home / ".local" / "share")
    return Path(base) / "cassalite"
