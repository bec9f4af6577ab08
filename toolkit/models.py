"""The one strict base for every pydantic model of policy data, manifests and parameters."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["StrictModel"]


class StrictModel(BaseModel):
    """Unknown fields are refused and instances are immutable: a typo in a data file or a
    manifest is an error, never a silently ignored key."""

    model_config = ConfigDict(extra="forbid", frozen=True)
