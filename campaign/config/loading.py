"""Reading `config.toml` (and the organisation.toml it names): TOML syntax and schema errors
become one ConfigError naming the file, and the line or field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from campaign.config.model import CampaignConfig
from campaign.config.organisation import (
    OrganisationFile,
    Origins,
    merge_shared,
    origin_of,
    read_toml,
)
from campaign.config.suggest import meant
from campaign.errors import ConfigError


def load_config(path: Path | str) -> CampaignConfig:
    """Read and validate `config.toml`; raise ConfigError naming the file and line or field."""
    path = Path(path)
    raw = read_toml(path, missing="pass --config or run `campaign init DIR` to start a campaign")
    config = config_from_toml(raw, path)
    _check_images(config)
    return config


def config_from_toml(raw: dict[str, Any], path: Path) -> CampaignConfig:
    """The campaign in `raw` (parsed from `path`), over the organisation file it names."""
    raw, origins = with_organisation(raw, path)
    try:
        return CampaignConfig.model_validate({**raw, "path": path.resolve()})
    except ValidationError as exc:
        raise attributed_error(exc, path, origins, CampaignConfig) from None


def with_organisation(raw: dict[str, Any], path: Path) -> tuple[dict[str, Any], Origins]:
    """`raw` merged over the organisation.toml its `[campaign] organisation_file` names.

    The shared file is validated on its own first, so its mistakes name it.
    """
    campaign = raw.get("campaign")
    named = campaign.get("organisation_file") if isinstance(campaign, dict) else None
    if named is None:
        return raw, {}
    if not isinstance(named, str) or not named.strip():
        raise ConfigError(
            "campaign.organisation_file: must be the path of an organisation.toml, relative "
            "to this file",
            path=path,
        )
    shared_path = (path.parent / named).resolve()
    shared = read_toml(
        shared_path,
        missing=f"{path} names it in campaign.organisation_file: fix the path (relative to "
        f"{path.name}) or create it",
    )
    try:
        OrganisationFile.model_validate(shared)
    except ValidationError as exc:
        raise ConfigError(
            describe_validation_error(exc, OrganisationFile), path=shared_path
        ) from None
    return merge_shared(raw, shared, shared_path)


def attributed_error(
    exc: ValidationError, path: Path, origins: Origins, model: type[BaseModel] | None = None
) -> ConfigError:
    """One ConfigError for `exc`, naming the file each mistake is in.

    All in one file: that file. Otherwise the config, with each line from a shared file
    prefixed by that file's name.
    """
    files = [origin_of(e["loc"], e["msg"], origins) for e in exc.errors()]
    lines = _error_lines(exc, model)
    if len(set(files)) == 1 and files[0] is not None:
        return ConfigError(_joined(lines), path=files[0])
    shown = [
        f"(in {file}) {line}" if file else line for file, line in zip(files, lines, strict=True)
    ]
    return ConfigError(_joined(shown), path=path)


def describe_validation_error(exc: ValidationError, model: type[BaseModel] | None = None) -> str:
    """Each pydantic error as `field.path: message`, one a line; a misspelt setting of
    `model` with the one it probably meant."""
    return _joined(_error_lines(exc, model))


def _joined(lines: list[str]) -> str:
    return "invalid configuration:\n  " + "\n  ".join(lines)


def _error_lines(exc: ValidationError, model: type[BaseModel] | None) -> list[str]:
    lines = []
    for error in exc.errors():
        field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message += _not_a_setting(model, error["loc"])
        # Whole-file rules (loc empty) already name their place, e.g. "days[3].date ...".
        lines.append(f"{field.lstrip('.')}: {message}" if field else message)
    return lines


def _not_a_setting(model: type[BaseModel] | None, loc: tuple[int | str, ...]) -> str:
    suggestion = meant(model, loc) if model is not None else None
    if suggestion:
        return f": not a setting here, did you mean {suggestion!r}?"
    return ": not a setting here: check its spelling, or remove it"


def _check_images(config: CampaignConfig) -> None:
    for i, day in enumerate(config.days):
        for j, post in enumerate(day.posts):
            for k, image in enumerate(post.images):
                if not (config.posts_dir / image.file).is_file():
                    raise ConfigError(
                        f"days[{i}].posts[{j}].images[{k}].file: {image.file!r} not found in "
                        f"{config.posts_dir}: add the image or fix the path",
                        path=config.path,
                    )
