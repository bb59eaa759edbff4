"""Golden tests: each golden/<name>.cql runs through the real entry point (``main(argv)``,
i.e. ``cassalite --memory -f <name>.cql``) and its stdout/stderr must equal
golden/<name>.out / <name>.err byte for byte. A first line ``-- golden: color`` also runs it
with ``-C`` against <name>.color.out / .err. Exit status must be 2 exactly when stderr is
expected to be non-empty (cqlsh's batch-mode rule).

Regenerate after an intended change with CASSALITE_REGEN_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import io
import os
import re
import shutil
from pathlib import Path

import pytest

from cassalite.shell.cli import main

GOLDEN = Path(__file__).parent / "golden"
REGEN = os.environ.get("CASSALITE_REGEN_GOLDEN") == "1"

def _trace_row(m: re.Match) -> str:
    """A trace row keeps its layout; its time and elapsed microseconds become placeholders."""
    elapsed = m.group(4)
    return (m.group(1) + re.sub(r"\d", "n", m.group(2)) + m.group(3)
            + "N".rjust(len(elapsed)) + m.group(5))


_VOLATILE = [
    (re.compile(r"Rate:\s+\d+ rows/s; Avg\. rate:\s+\d+ rows/s"), "Rate: N rows/s; Avg. rate: N rows/s"),
    (re.compile(r" in \d+\.\d+ seconds"), " in N seconds"),
    (re.compile(r"(?m)^(Tracing session: )[0-9a-f-]{36}$"), r"\1<session id>"),
    (re.compile(r"(?m)^(.* \| )( *\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6})((?:\+00:00)? \| 127\.0\.0\.1 \| +)"
                r"(\d+)( \| 127\.0\.0\.1)$"), _trace_row),
]


def normalize(text: str) -> str:
    for pattern, repl in _VOLATILE:
        text = pattern.sub(repl, text)
    return text


def run_file(name: str, *extra: str, workdir: Path | None = None) -> tuple[int, str, str]:
    """Run in a scratch copy of golden/ so CAPTURE/COPY files never land in the repo."""
    out, err = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    if workdir is not None:
        for src in GOLDEN.glob("*.cql"):
            shutil.copy(src, workdir / src.name)
    os.chdir(workdir or GOLDEN)
    try:
        rc = main(["--memory", *extra, "-f", name], stdout=out, stderr=err,
                  stdin=io.StringIO(""))
    finally:
        os.chdir(cwd)
    return rc, normalize(out.getvalue()), normalize(err.getvalue())


def _cases() -> list[tuple[str, tuple[str, ...], str]]:
    cases = []
    for path in sorted(GOLDEN.glob("*.cql")):
        if path.name.startswith("_"):
            continue
        cases.append((path.name, (), path.stem))
        if path.read_text(encoding="utf-8").startswith("-- golden: color"):
            cases.append((path.name, ("-C",), path.stem + ".color"))
    return cases


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    """No user cqlshrc / config / TZ may leak into golden output."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("CASSALITE_CONFIG", str(tmp_path / "none"))
    monkeypatch.delenv("TZ", raising=False)
    monkeypatch.delenv("CQLSH_DEFAULT_TIMESTAMP_FORMAT", raising=False)


@pytest.mark.parametrize(("cql_file", "flags", "stem"), _cases(),
                         ids=[c[2] for c in _cases()])
def test_golden(cql_file: str, flags: tuple[str, ...], stem: str, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    rc, out, err = run_file(cql_file, *flags, workdir=work)
    out_path, err_path = GOLDEN / f"{stem}.out", GOLDEN / f"{stem}.err"
    if REGEN:
        out_path.write_text(out, encoding="utf-8", newline="")
        if err:
            err_path.write_text(err, encoding="utf-8", newline="")
        elif err_path.exists():
            err_path.unlink()
    expected_out = out_path.read_bytes().decode("utf-8")
    expected_err = err_path.read_bytes().decode("utf-8") if err_path.exists() else ""
    assert out == expected_out
    assert err == expected_err
    assert rc == (2 if expected_err else 0)


@pytest.mark.parametrize("stem", ["types", "describe"])
def test_golden_through_the_installed_command(stem: str, tmp_path: Path) -> None:
    """The same files through the ``cassalite`` console script in a child process (what users
    run), not just ``main()`` in-process: the bytes and exit status must be the same."""
    import subprocess
    import sys

    exe = shutil.which("cassalite")
    cmd = [exe] if exe else [sys.executable, "-m", "cassalite.shell"]
    for src in GOLDEN.glob("*.cql"):
        shutil.copy(src, tmp_path / src.name)
    env = dict(os.environ, HOME=str(tmp_path), CASSALITE_CONFIG=str(tmp_path / "none"),
               PYTHONIOENCODING="utf-8")
    env.pop("TZ", None)
    proc = subprocess.run([*cmd, "--memory", "-f", f"{stem}.cql"], cwd=tmp_path, env=env,
                          capture_output=True, timeout=120, stdin=subprocess.DEVNULL)
    expected_err = (GOLDEN / f"{stem}.err").read_bytes() if (GOLDEN / f"{stem}.err").exists() \
        else b""
    assert normalize(proc.stdout.decode("utf-8")) == (GOLDEN / f"{stem}.out").read_text("utf-8")
    assert normalize(proc.stderr.decode("utf-8")) == expected_err.decode("utf-8")
    assert proc.returncode == (2 if expected_err else 0)
