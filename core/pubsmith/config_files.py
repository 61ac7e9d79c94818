"""Read the files settings may live in, as layers of raw values tagged with their source.

Nothing here decides precedence or trust; :mod:`pubsmith.config` does. Each reader turns
one file into :class:`Layer` s whose keys are pubsmith's own names (``repo``, ``api-url``,
``api-key``, ``tags``, ``republish``, ``formats``).
"""

from __future__ import annotations

import configparser
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from pubsmith.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised only on Python 3.10
    import tomli as tomllib

T = TypeVar("T")

__all__ = [
    "KEYS",
    "Layer",
    "Source",
    "Sourced",
    "cloudsmith_layers",
    "find_project_file",
    "project_layer",
    "user_layer",
]

KEYS = ("repo", "api-url", "api-key", "tags", "republish", "timeout", "proxy", "formats")
"""Every key a settings file may hold."""


@dataclass(frozen=True)
class Source:
    """Where a value came from. ``trusted`` is False for files inside the project."""

    label: str
    trusted: bool = True
    path: Path | None = None

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True)
class Sourced(Generic[T]):
    """A value and where it came from."""

    value: T
    source: Source


@dataclass(frozen=True)
class Layer:
    """Values from one source; ``None`` and empty strings count as not set."""

    source: Source
    values: Mapping[str, Any] = field(default_factory=dict)


def find_project_file(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` in ``start`` or a directory above it."""
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def project_layer(path: Path) -> Layer:
    """``[tool.pubsmith]`` of a ``pyproject.toml``: shared with everyone who can commit."""
    table = _read_toml(path).get("tool", {}).get("pubsmith", {})
    source = Source(f"{path} [tool.pubsmith]", trusted=False, path=path)
    return Layer(source, _checked(table, source, "[tool.pubsmith]"))


def user_layer(path: Path) -> Layer | None:
    """The user's own ``config.toml`` (top-level keys), or None when there is none."""
    if not path.is_file():
        return None
    source = Source(str(path), path=path)
    return Layer(source, _checked(_read_toml(path), source, "the file"))


def cloudsmith_layers(
    config_files: list[Path], credentials_files: list[Path], profile: str | None
) -> list[Layer]:
    """Cloudsmith CLI's ``config.ini`` (``api_host``, ``proxy`` or its older name
    ``api_proxy``) and ``credentials.ini`` (``api_key``).

    As the CLI reads them: sections ``[default]`` and ``[profile:NAME]`` (the profile wins),
    earlier files win over later ones, values may be quoted, blank means unset.
    """
    sections = ([f"profile:{profile}"] if profile and profile != "default" else []) + ["default"]
    layers: list[Layer] = []
    for section in sections:
        for path in config_files:
            layers.extend(_ini_layer(path, section, "api_host", "api-url"))
            proxy = _ini_layer(path, section, "proxy", "proxy")
            layers.extend(proxy or _ini_layer(path, section, "api_proxy", "proxy"))
        for path in credentials_files:
            layers.extend(_ini_layer(path, section, "api_key", "api-key"))
    return layers


def _ini_layer(path: Path, section: str, name: str, key: str) -> list[Layer]:
    if not path.is_file():
        return []
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError) as exc:
        problem = " ".join(str(exc).split())
        raise ConfigError(f"{path}: not a valid INI file ({problem}); fix or remove it") from None
    if not parser.has_option(section, name):
        return []
    value = _unquote(parser.get(section, name))
    if not value:
        return []
    return [Layer(Source(f"{path} [{section}]", path=path), {key: value})]


def _unquote(value: str) -> str:
    # Cloudsmith's CLI drops one quote at each end, so "key" and 'key' mean key there too.
    value = value.strip()
    if value[:1] in ("'", '"'):
        value = value[1:]
    if value[-1:] in ("'", '"'):
        value = value[:-1]
    return value.strip()


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix the file") from None


def _checked(table: Any, source: Source, where: str) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise ConfigError(f"{source.path}: {where} must be a table of settings")
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise ConfigError(
            f"{source.path}: unknown setting {', '.join(unknown)} in {where}; "
            f"known: {', '.join(KEYS)}"
        )
    return dict(table)
