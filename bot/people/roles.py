"""Roles, what each may do where, and who is told at each level (village → … → province)."""

from __future__ import annotations

from storage.models import Role

__all__ = ["Role"]
