"""Check and convert raw setting values, naming their source when one is wrong."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pubsmith._proxy import ProxyRoutes, redact_proxy_url
from pubsmith._text import printable
from pubsmith._urls import normalise_api_url
from pubsmith.config_files import Layer, Source, Sourced
from pubsmith.errors import ConfigError
from pubsmith.secret import Secret
from pubsmith.settings import Repository

__all__ = ["coerce", "format_options", "parse_bool"]

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


def parse_bool(text: str) -> bool | None:
    """``true``/``false`` and their usual spellings; None for anything else."""
    word = text.strip().lower()
    return True if word in _TRUE else False if word in _FALSE else None


def coerce(key: str, value: Any, source: Source) -> Any:
    """``value`` of setting ``key`` in its typed form, or a ConfigError naming ``source``."""
    try:
        return _COERCE[key](value)
    except (ConfigError, TypeError, ValueError) as exc:
        # A flag's label already names the key ("--repo"); a file's does not.
        where = str(source) if str(source).endswith(key) else f"{source}: {key}"
        raise ConfigError(f"{where} {exc}") from None


def _repo(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("must be a string OWNER/REPO")
    try:
        return str(Repository.parse(value))
    except ConfigError:
        raise ValueError(f"must be OWNER/REPO, not '{printable(value)}'") from None


def _api_url(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("must be a URL string such as https://api.cloudsmith.io")
    text = value.strip()
    return normalise_api_url(text if "://" in text else f"https://{text}")


def _api_key(value: Any) -> Secret:
    if isinstance(value, Secret):
        return value
    if not isinstance(value, str):
        raise TypeError("must be a string")
    return Secret(value.strip())


def _tags(value: Any) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or not all(isinstance(tag, str) for tag in items):
        raise TypeError('must be a list of strings such as ["ci", "stable"], or "ci,stable"')
    return tuple(dict.fromkeys(tag.strip() for tag in items if tag.strip()))


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    parsed = parse_bool(value) if isinstance(value, str) else None
    if parsed is None:
        raise ValueError(f"must be true or false, not {value!r}")
    return parsed


def _timeout(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise TypeError("must be seconds, such as 120")
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < float("inf"):
        raise ValueError(f"must be seconds above 0, such as 120, not {value!r}")
    return seconds


def _proxy(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("must be a URL string such as http://proxy.example.com:3128")
    try:
        ProxyRoutes.resolve({}, value)
    except ConfigError:
        shown = printable(redact_proxy_url(value))
        raise ValueError(f"must be http(s)://[USER:PASSWORD@]HOST:PORT, not '{shown}'") from None
    return value.strip()


def _formats(value: Any) -> dict[str, dict[str, str]]:
    if not isinstance(value, Mapping):
        raise TypeError("must be a table per format, such as [formats.deb]")
    tables: dict[str, dict[str, str]] = {}
    for fmt, options in value.items():
        if not isinstance(options, Mapping):
            raise TypeError(f"must hold a table of option = value for {fmt}")
        tables[str(fmt)] = {str(name): _option_text(fmt, name, v) for name, v in options.items()}
    return tables


def _option_text(fmt: str, name: str, value: Any) -> str:
    # Options are parsed from text by their format, as if given with -o.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return ",".join(value)
    raise TypeError(f"{fmt}.{name} must be a string, number or boolean")


_COERCE = {
    "repo": _repo,
    "api-url": _api_url,
    "api-key": _api_key,
    "tags": _tags,
    "republish": _bool,
    "timeout": _timeout,
    "proxy": _proxy,
    "formats": _formats,
}


def format_options(layers: Sequence[Layer]) -> dict[str, Sourced[str]]:
    """Every ``FORMAT.option`` default, each from the highest layer that sets it."""
    found: dict[str, Sourced[str]] = {}
    for layer in layers:
        raw = layer.values.get("formats")
        if not raw:
            continue
        for fmt, options in coerce("formats", raw, layer.source).items():
            for name, value in options.items():
                found.setdefault(f"{fmt}.{name}", Sourced(value, layer.source))
    return found
