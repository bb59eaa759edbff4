"""Test stand-ins for the shell's streams."""

from __future__ import annotations

import io


class FakeTTY(io.StringIO):
    """Text stdin that says it is not a terminal (the shell's piped mode)."""

    def isatty(self) -> bool:
        return False
