"""Import every table module so SQLModel.metadata knows the whole schema."""

from storage import (
    care_log_models,
    child_models,
    county_models,
    inbox_models,
    lifecycle_models,
    models,
    outbox_models,
    visit_models,
)

__all__ = [
    "care_log_models",
    "child_models",
    "county_models",
    "inbox_models",
    "lifecycle_models",
    "models",
    "outbox_models",
    "visit_models",
]
