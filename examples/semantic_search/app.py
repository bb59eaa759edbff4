"""Semantic search over short texts: embeddings stored in a ``vector<float, 256>`` column,
searched with ``ORDER BY embedding ANN OF [...] LIMIT k``.

    python examples/semantic_search/app.py --db :memory:
    python examples/semantic_search/app.py --db :memory: --query "cheap flights to sunny beaches"

The embedder is a deterministic feature-hashing model (word unigrams and bigrams plus
character trigrams, signed hashing, L2-normalised), so the example needs no model weights
and gives the same vectors on every run; texts that share words and word pieces land close
together. Swap in any sentence-embedding model by replacing :func:`embed` (and the
dimension in ``schema.cql``).
"""

from __future__ import annotations

import hashlib
import math
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _support import arg_parser, open_session, timed

import cql

SCHEMA = Path(__file__).with_name("schema.cql")
DIMENSION = 256

SNIPPETS = {
    "travel": [
        ("en", "Cheap flights to sunny beaches in Portugal and Spain this summer"),
        ("en", "Backpacking through the mountains of Nepal on a budget"),
        ("en", "The best beach resorts for families with young children"),
        ("en", "Train journeys across Europe: sleeper trains and rail passes"),
        ("fr", "Vols pas chers vers les plages ensoleillées du Portugal"),
        ("en", "Visa requirements for travelling to Japan"),
    ],
    "cooking": [
        ("en", "How to bake sourdough bread with a crispy crust"),
        ("en", "Quick weeknight pasta with garlic, chili and olive oil"),
        ("en", "A slow-cooked beef stew for cold winter evenings"),
        ("fr", "Recette du pain au levain avec une croûte croustillante"),
        ("en", "Vegan curry with chickpeas, spinach and coconut milk"),
        ("en", "Sharpening kitchen knives with a whetstone"),
    ],
    "tech": [
        ("en", "Vector databases and approximate nearest neighbour search"),
        ("en", "Tuning an LSM tree: compaction strategies and bloom filters"),
        ("en", "Writing a CQL query planner with secondary indexes"),
        ("en", "Cheap cloud servers for hobby projects"),
        ("fr", "Recherche du plus proche voisin dans les bases de données vectorielles"),
        ("en", "Embedding sentences with transformers for semantic search"),
    ],
}


def _features(text: str) -> list[str]:
    words = re.findall(r"\w+", text.lower())
    feats = [f"w:{w}" for w in words]
    feats += [f"b:{a}_{b}" for a, b in zip(words, words[1:])]
    for w in words:
        padded = f"#{w}#"
        feats += [f"c:{padded[i:i + 3]}" for i in range(len(padded) - 2)]
    return feats


def embed(text: str, dimension: int = DIMENSION) -> list[float]:
    """A deterministic hashed bag of words, bigrams and character trigrams (unit length)."""
    vec = [0.0] * dimension
    for feature in _features(text):
        digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
        h = int.from_bytes(digest, "little")
        weight = 2.0 if feature.startswith("w:") else 1.0
        vec[h % dimension] += weight if (h >> 63) & 1 else -weight
    norm = math.sqrt(sum(v * v for v in vec)) or 1.0
    return [v / norm for v in vec]


class SnippetIndex:
    """Stores snippets with their embeddings; searches everything, a collection, a language."""

    def __init__(self, session: cql.Session):
        self.session = session
        self._insert = session.prepare(
            "INSERT INTO snippets (collection, id, body, lang, embedding) VALUES (?, ?, ?, ?, ?)")
        self._search = session.prepare(
            "SELECT collection, id, body, similarity_cosine(embedding, ?) AS score "
            "FROM snippets ORDER BY embedding ANN OF ? LIMIT ?")
        self._search_in = session.prepare(
            "SELECT collection, id, body FROM snippets WHERE collection = ? "
            "ORDER BY embedding ANN OF ? LIMIT ?")
        self._search_lang = session.prepare(
            "SELECT collection, id, body FROM snippets WHERE lang = ? "
            "ORDER BY embedding ANN OF ? LIMIT ?")

    def add(self, collection: str, id_: int, body: str, lang: str) -> None:
        self.session.execute(self._insert, (collection, id_, body, lang, embed(body)))

    def search(self, text: str, k: int = 3) -> list[tuple[str, int, str]]:
        """The ``k`` nearest snippets: (collection, id, body, cosine similarity score)."""
        vector = embed(text)
        rows = self.session.execute(self._search, (vector, vector, k))
        return [(r.collection, r.id, r.body, r.score) for r in rows]

    def search_collection(self, collection: str, text: str, k: int = 3):
        rows = self.session.execute(self._search_in, (collection, embed(text), k))
        return [(r.collection, r.id, r.body) for r in rows]

    def search_language(self, lang: str, text: str, k: int = 3):
        rows = self.session.execute(self._search_lang, (lang, embed(text), k))
        return [(r.collection, r.id, r.body) for r in rows]

    def remove(self, collection: str, id_: int) -> None:
        self.session.execute("DELETE FROM snippets WHERE collection = %s AND id = %s",
                             (collection, id_))


def load(index: SnippetIndex, copies: int = 1) -> int:
    count = 0
    for copy in range(copies):
        for collection, items in SNIPPETS.items():
            for i, (lang, body) in enumerate(items):
                index.add(collection, copy * 1000 + i, body, lang)
                count += 1
    return count


def main(argv: list[str] | None = None) -> dict:
    parser = arg_parser(__doc__.splitlines()[0], 1, "copies of the sample snippets to store")
    parser.add_argument("--query", default="cheap flights to the beach")
    args = parser.parse_args(argv)
    session = open_session(args.db, SCHEMA)
    index = SnippetIndex(session)
    with timed("store snippets with embeddings"):
        count = load(index, args.rows)
    print(f"{count} snippets, {DIMENSION}-dimensional embeddings")
    result = {}
    with timed("ANN search over every collection"):
        result["all"] = index.search(args.query)
    print(f"\nnearest to {args.query!r}:")
    for collection, id_, body, similarity in result["all"]:
        print(f"  {similarity:.3f} [{collection}/{id_}] {body}")
    with timed("ANN search in one partition (exact)"):
        result["cooking"] = index.search_collection("cooking", "crusty bread recipe")
    print("\nin 'cooking', nearest to 'crusty bread recipe':")
    for collection, id_, body in result["cooking"]:
        print(f"  [{collection}/{id_}] {body}")
    with timed("ANN search filtered by an SAI index (lang = 'FR', case-insensitive)"):
        result["fr"] = index.search_language("FR", "plages pas chers", k=2)
    print("\nin French, nearest to 'plages pas chers':")
    for collection, id_, body in result["fr"]:
        print(f"  [{collection}/{id_}] {body}")
    first = result["all"][0]
    index.remove(first[0], first[1])
    result["after_delete"] = index.search(args.query)
    print(f"\nafter deleting [{first[0]}/{first[1]}], the nearest is "
          f"[{result['after_delete'][0][0]}/{result['after_delete'][0][1]}]")
    session.close()
    return result


if __name__ == "__main__":
    main()
