"""Valid resident ID numbers for tests (GB 11643 check digit computed here)."""

from __future__ import annotations

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def resident_id(region: str = "350121", birth: str = "20150305", sequence: str = "123") -> str:
    """Return an 18-character ID whose check digit is right (odd sequence: male)."""
    body = f"{region}{birth}{sequence}"
    total = sum(int(digit) * weight for digit, weight in zip(body, WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]
