"""examples/semantic_search: vector search over short texts (ANN OF, partition and SAI filters)."""

from __future__ import annotations

from types import ModuleType

EXAMPLE = "semantic_search"


def test_main(app: ModuleType, capsys) -> None:
    result = app.main(["--db", ":memory:", "--rows", "2"])
    top = result["all"][0]
    assert top[2].startswith("Cheap flights to sunny beaches")
    assert result["all"][0][3] >= result["all"][1][3] >= result["all"][2][3]
    assert result["cooking"][0][2] == "How to bake sourdough bread with a crispy crust"
    assert all(c == "cooking" for c, _, _ in result["cooking"])
    assert result["fr"][0][2].startswith("Vols pas chers")
    assert (result["after_delete"][0][0], result["after_delete"][0][1]) != top[:2]
    assert "nearest to" in capsys.readouterr().out


def test_embedder_is_deterministic_and_unit_length(app: ModuleType) -> None:
    a, b = app.embed("sourdough bread"), app.embed("sourdough bread")
    assert a == b and len(a) == app.DIMENSION
    assert abs(sum(v * v for v in a) - 1) < 1e-9
