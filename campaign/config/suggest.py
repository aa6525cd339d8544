"""Which setting a misspelt one meant: a typo is an officer's commonest config mistake, and
pydantic only says "Extra inputs are not permitted"."""

from __future__ import annotations

import difflib
import types
from collections.abc import Sequence
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

_INTERNAL = frozenset({"path"})  # set by the loader, never written in a file


def meant(model: type[BaseModel], loc: Sequence[int | str]) -> str | None:
    """The setting beside `loc[-1]` (at `loc[:-1]` in `model`) whose name is closest to it."""
    if not loc or not isinstance(loc[-1], str):
        return None
    here = _model_at(model, loc[:-1])
    if here is None:
        return None
    names = [name for name in here.model_fields if name not in _INTERNAL]
    close = difflib.get_close_matches(loc[-1], names, n=1, cutoff=0.6)
    return close[0] if close else None


def _model_at(model: type[BaseModel], path: Sequence[int | str]) -> type[BaseModel] | None:
    annotation: Any = model
    for part in path:
        annotation = _unwrap(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(str(part))
            if field is None:
                return None
            annotation = field.annotation
        elif get_origin(annotation) in (dict, list, tuple) and get_args(annotation):
            # dict[K, V] -> V; list[X] and tuple[X, ...] -> X
            args = get_args(annotation)
            annotation = args[-1] if get_origin(annotation) is dict else args[0]
        else:
            return None
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _unwrap(annotation: Any) -> Any:
    """Annotated[X, ...] -> X; X | None -> X (the first model or container among a union)."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            options = [a for a in get_args(annotation) if a is not type(None)]
            annotation = options[0] if options else None
        else:
            return annotation
