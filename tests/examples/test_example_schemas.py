"""Every example's schema.cql loads in the shell with SOURCE, and twice without error."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from cassalite.shell.cli import main as shell_main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SCHEMAS = sorted(EXAMPLES.glob("*/schema.cql"))


def test_every_example_has_a_schema_and_a_script() -> None:
    names = {p.parent.name for p in SCHEMAS}
    assert names == {"messages", "feed", "word_count", "beam_pipeline", "face_features",
                     "iot_timeseries", "semantic_search"}
    for name in names:
        assert (EXAMPLES / name / "app.py").is_file()
        assert (EXAMPLES / name / "README.md").is_file()


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda p: p.parent.name)
def test_schema_sources_in_the_shell(schema: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    # IF NOT EXISTS everywhere: sourcing twice (a second run of a script) is not an error.
    script = f"SOURCE '{schema}'\nSOURCE '{schema}'\nDESCRIBE TABLES"
    status = shell_main(["--memory", "-e", script], stdout=out, stderr=err)
    assert (status, err.getvalue()) == (0, "")
    tables = re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", schema.read_text())
    assert tables and set(tables) <= set(out.getvalue().split())  # listed after USE
