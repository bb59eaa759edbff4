"""The examples as a newcomer meets them: their data stays out of git, the README shows
cassalite's own prompt, and the optional RocksDB engine is documented and reachable."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest

import cql

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(),
                    reason="needs a git checkout")
@pytest.mark.parametrize("path", ["examples/cassalite-data/LOCK",
                                  "examples/messages/cassalite-data/commitlog/x.log",
                                  "cassalite-data/LOCK", "examples/wc-data/LOCK",
                                  "examples/faces-data/data/x"])
def test_example_data_directories_are_ignored(path: str) -> None:
    result = subprocess.run(["git", "check-ignore", "-q", "--no-index", path], cwd=ROOT,
                            check=False)
    assert result.returncode == 0, f"{path} is not ignored by git"


def test_examples_readme_shows_the_cassalite_prompt() -> None:
    text = (ROOT / "examples" / "README.md").read_text(encoding="utf-8")
    assert "cqlsh>" not in text
    assert "cassalite> SOURCE 'examples/messages/schema.cql'" in text


def test_the_rocks_extra_is_documented_and_selectable(tmp_path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "pip install 'cassalite[rocks]'" in readme and 'engine="lsm"|"memory"|"rocks"' in readme
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'rocks = ["rocksdict' in pyproject
    if importlib.util.find_spec("rocksdict") is None:
        with pytest.raises(RuntimeError, match=r"pip install cassalite\[rocks\]"):
            cql.connect(str(tmp_path / "r"), engine="rocks")
    else:
        with cql.connect(str(tmp_path / "r"), engine="rocks") as session:
            assert session.execute("SELECT release_version FROM system.local").one()
