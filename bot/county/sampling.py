"""A reproducible, stratified sample: townships get places in proportion to their open files.

Pure functions, so the draw can be tested without a database: the same files, size and seed
always give the same sample.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence


def allocate(counts: Mapping[str, int], size: int) -> dict[str, int]:
    """Places per stratum, summing to `size`, proportional to `counts` (largest remainders).

    When there are at least as many places as non-empty strata, each gets one at least, so
    that every township is looked at; no stratum gets more places than it has files.
    """
    strata = sorted(code for code, n in counts.items() if n > 0)
    total = sum(counts[code] for code in strata)
    if size > total:
        raise ValueError("sample larger than the population")
    floor = 1 if size >= len(strata) else 0
    quota = {code: size * counts[code] / total for code in strata}
    places = {code: min(counts[code], max(floor, int(quota[code]))) for code in strata}
    while sum(places.values()) < size:
        # The stratum furthest below its quota (ties by code) that still has files left.
        room = [code for code in strata if places[code] < counts[code]]
        best = min(room, key=lambda code: (places[code] - quota[code], code))
        places[best] += 1
    while sum(places.values()) > size:
        # The minimum of one each pushed the total over: take from the most over its quota.
        over = [code for code in strata if places[code] > floor]
        worst = max(over, key=lambda code: (places[code] - quota[code], code))
        places[worst] -= 1
    return {code: n for code, n in places.items() if n}


def draw(strata: Mapping[str, Sequence[int]], size: int, seed: str) -> dict[str, list[int]]:
    """Pick `size` ids across strata: allocate places, then a seeded sample within each."""
    counts = {code: len(ids) for code, ids in strata.items()}
    places = allocate(counts, size)
    rng = random.Random(seed)
    return {code: sorted(rng.sample(sorted(strata[code]), n)) for code, n in sorted(places.items())}
