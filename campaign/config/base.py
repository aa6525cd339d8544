"""What every part of the configuration shares: frozen models that refuse unknown fields."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
