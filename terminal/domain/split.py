"""Mixed-use splits: the seed's "proportion of energy consuming" (``RES:70,COM:30``)."""
from __future__ import annotations

import re
from collections.abc import Sequence

from terminal.domain.errors import ShareSplitInvalid

__all__ = ["format_split", "parse_split", "primary_index"]

_PART = re.compile(r"\s*([A-Za-z0-9_-]{1,32})\s*:\s*([0-9]{1,3})\s*", re.ASCII)


def parse_split(text: str) -> tuple[tuple[str, int], ...]:
    """``"RES:70,COM:30"`` -> ``(("RES", 70), ("COM", 30))``; a bare ``"RES"`` is ``RES:100``.

    Whole percents above 0, each power type once, summing to 100; order is kept (it
    decides the primary power type on a tie).
    """
    text = text.strip()
    if re.fullmatch(r"[A-Za-z0-9_-]{1,32}", text, re.ASCII):
        return ((text, 100),)
    parts: list[tuple[str, int]] = []
    for raw in text.split(","):
        match = _PART.fullmatch(raw.strip())
        if match is None:
            raise ShareSplitInvalid(f"{raw.strip()!r} is not a share like RES:70.", text=text)
        code, percent = match.group(1), int(match.group(2))
        if percent <= 0:
            raise ShareSplitInvalid(f"The share of {code} must be above 0 percent.", text=text)
        if any(code == seen for seen, _ in parts):
            raise ShareSplitInvalid(f"{code} appears twice in the split.", text=text)
        parts.append((code, percent))
    if sum(p for _, p in parts) != 100:
        raise ShareSplitInvalid(f"The shares of {text!r} must add up to 100 percent.", text=text)
    return tuple(parts)


def format_split(parts: tuple[tuple[str, int], ...]) -> str:
    return ",".join(f"{code}:{percent}" for code, percent in parts)


def primary_index(percents: Sequence[int]) -> int:
    """Which share is the meter's primary power type: the largest, the first listed on a tie."""
    return max(range(len(percents)), key=lambda i: (percents[i], -i))
