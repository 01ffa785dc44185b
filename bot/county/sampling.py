"""A reproducible, stratified sample: townships get places in proportion to their open files.

Pure functions, so the draw can be tested without a database: the same files, size and seed
always give the same sample.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence


def allocate(counts: Mapping[str, int], size: int) -> dict[str, int]:
    """Places per stratum, summing to `size`, proportional to `counts` (largest remainders).

    When there are at least as many places as non-empty strata, each gets one first, so that
    every township is looked at; no stratum gets more places than it has files.
    """
    strata = sorted(code for code, n in counts.items() if n > 0)
    total = sum(counts[code] for code in strata)
    if size > total:
        raise ValueError("sample larger than the population")
    places = dict.fromkeys(strata, 0)
    if size >= len(strata):
        places = dict.fromkeys(strata, 1)
    left = size - sum(places.values())
    while left > 0:
        room = {code: counts[code] - places[code] for code in strata if counts[code] > places[code]}
        weight = sum(room.values())
        quotas = {code: left * room[code] / weight for code in room}
        given = {code: min(int(q), room[code]) for code, q in quotas.items()}
        if not any(given.values()):
            # Fewer places than strata with room: the largest remainders (ties by code) get one.
            order = sorted(room, key=lambda code: (-(quotas[code] - given[code]), code))
            for code in order[:left]:
                given[code] = 1
        for code, n in given.items():
            places[code] += n
        left = size - sum(places.values())
    return {code: n for code, n in places.items() if n}


def draw(strata: Mapping[str, Sequence[int]], size: int, seed: str) -> dict[str, list[int]]:
    """Pick `size` ids across strata: allocate places, then a seeded sample within each."""
    counts = {code: len(ids) for code, ids in strata.items()}
    places = allocate(counts, size)
    rng = random.Random(seed)
    return {code: sorted(rng.sample(sorted(strata[code]), n)) for code, n in sorted(places.items())}
