"""Reading `config.toml`: TOML syntax and schema errors become one ConfigError naming the place."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import ValidationError

from campaign.config.model import CampaignConfig
from campaign.errors import ConfigError


def load_config(path: Path | str) -> CampaignConfig:
    """Read and validate `config.toml`; raise ConfigError naming the file and line or field."""
    path = Path(path)
    try:
        # utf-8-sig: a byte order mark some Windows editors write is not TOML; drop it.
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ConfigError(
            "file not found: pass --config or run `campaign init DIR` to start a campaign",
            path=path,
        ) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text ({exc.reason})", path=path) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"TOML syntax error: {exc}", path=path) from None
    try:
        config = CampaignConfig.model_validate({**raw, "path": path.resolve()})
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc), path=path) from None
    _check_images(config)
    return config


def describe_validation_error(exc: ValidationError) -> str:
    """Each pydantic error as `field.path: message`, one a line."""
    lines = []
    for error in exc.errors():
        field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        # Whole-file rules (loc empty) already name their place, e.g. "days[3].date ...".
        lines.append(f"{field.lstrip('.')}: {message}" if field else message)
    return "invalid configuration:\n  " + "\n  ".join(lines)


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
