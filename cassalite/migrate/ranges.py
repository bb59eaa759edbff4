"""The Murmur3 token ring in equal ranges ``(start, end]``; the first one includes the
minimum token. Ranges are the unit of copying, resuming and verifying."""

from __future__ import annotations

from dataclasses import dataclass

MIN_TOKEN = -(1 << 63)
MAX_TOKEN = (1 << 63) - 1


@dataclass(frozen=True)
class TokenRange:
    index: int
    start: int  # exclusive, except for the first range (inclusive of MIN_TOKEN)
    end: int  # inclusive

    @property
    def first(self) -> bool:
        return self.start == MIN_TOKEN

    def where(self, token_of: str) -> tuple[str, tuple[int, int]]:
        """The WHERE clause selecting this range, and its two values."""
        op = ">=" if self.first else ">"
        return f"{token_of} {op} ? AND {token_of} <= ?", (self.start, self.end)

    def __str__(self) -> str:
        return f"{'[' if self.first else '('}{self.start}, {self.end}]"


def split_ring(count: int) -> list[TokenRange]:
    """``count`` ranges covering every token once."""
    if count < 1:
        raise ValueError("the ring is cut into at least one range")
    span = MAX_TOKEN - MIN_TOKEN
    bounds = [MIN_TOKEN + span * i // count for i in range(count)] + [MAX_TOKEN]
    return [TokenRange(i, bounds[i], bounds[i + 1]) for i in range(count)]
