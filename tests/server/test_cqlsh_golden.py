"""The shell's golden files are cqlsh's own output: the real cqlsh (PyPI), run on the same
.cql files against a fresh cassalite-server, must print exactly the expected .out/.err bytes
and exit with the same status. (commands.cql is left out on purpose: its SHOW VERSION banner,
HELP texts and CAPTURE messages differ by design, see docs/shell.md.)"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

pytest.importorskip("cqlshlib")
pytest.importorskip("cassandra")

from cassalite.server import ServerConfig, ServerThread  # noqa: E402

GOLDEN = Path(__file__).parents[1] / "shell" / "golden"


@pytest.mark.parametrize(("stem", "flags"), [
    ("results", ()), ("results.color", ("-C",)), ("errors", ()), ("types", ()),
    ("types.color", ("-C",)), ("describe", ())])
def test_real_cqlsh_prints_the_golden_output(stem: str, flags: tuple, tmp_path: Path) -> None:
    exe = shutil.which("cqlsh")
    if exe is None:
        pytest.skip("cqlsh is not installed")
    for src in GOLDEN.glob("*.cql"):
        shutil.copy(src, tmp_path / src.name)
    env = dict(os.environ, HOME=str(tmp_path), PYTHONIOENCODING="utf-8")
    env.pop("TZ", None)
    with ServerThread(ServerConfig(memory=True, port=0, log_level="WARNING")) as server:
        proc = subprocess.run(
            [exe, "127.0.0.1", str(server.port), "--protocol-version", "4",
             "--connect-timeout", "10", *flags, "-f", f"{stem.split('.')[0]}.cql"],
            cwd=tmp_path, env=env, capture_output=True, timeout=120, stdin=subprocess.DEVNULL)
    err_path = GOLDEN / f"{stem}.err"
    expected_err = err_path.read_text("utf-8") if err_path.exists() else ""
    assert proc.stdout.decode("utf-8") == (GOLDEN / f"{stem}.out").read_text("utf-8")
    assert proc.stderr.decode("utf-8") == expected_err
    assert proc.returncode == (2 if expected_err else 0)
