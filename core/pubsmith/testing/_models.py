"""Payloads checked against the official ``cloudsmith-api`` model of their format.

The bindings' request models carry Cloudsmith's own rules: which fields exist, which are
required, their types and lengths. They are a test-time dependency (``pubsmith[testing]``),
imported only when a payload is checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pubsmith.errors import ConfigError

__all__ = ["ConformanceError", "upload_model", "validate_payload"]

_TYPES: dict[str, type | tuple[type, ...]] = {"str": str, "bool": bool, "int": int}


class ConformanceError(AssertionError):
    """A plugin does not do what pubsmith's format plugin contract asks; the message says what.

    An ``AssertionError``, so that pytest shows it as a failed check rather than an error.
    """


def upload_model(format_name: str) -> type:
    """The ``cloudsmith_api.models`` class of ``format_name``'s upload request."""
    try:
        import cloudsmith_api.models  # only a payload check needs the bindings
    except ImportError:
        raise ConfigError(
            "checking payloads needs the cloudsmith-api bindings; "
            "install them with: pip install 'pubsmith[testing]'"
        ) from None
    wanted = f"{format_name}packageuploadrequest".replace("-", "").replace("_", "")
    for name in dir(cloudsmith_api.models):
        if name.lower() == wanted:
            model: type = getattr(cloudsmith_api.models, name)
            return model
    raise ConformanceError(
        f"cloudsmith-api has no upload request model for {format_name!r}; "
        "pass the model to check the payload against"
    )


def validate_payload(format_name: str, payload: Mapping[str, Any], model: type | None) -> None:
    """Raise :class:`ConformanceError` unless ``payload`` is a valid body of ``model``.

    Every field must be one the model has, of the type it declares, and the model's own
    client-side validation (required fields, lengths, choices) must pass.
    """
    model = model or upload_model(format_name)
    attribute_map: dict[str, str] = getattr(model, "attribute_map", {})
    swagger_types: dict[str, str] = getattr(model, "swagger_types", {})
    attributes = {key: attribute for attribute, key in attribute_map.items()}
    where = f"the {format_name} payload"
    unknown = sorted(set(payload) - set(attributes))
    if unknown:
        raise ConformanceError(f"{where} has {', '.join(unknown)}, which {model.__name__} lacks")
    for key, value in payload.items():
        declared = swagger_types.get(attributes[key], "")
        expected = list if declared.startswith("list[") else _TYPES.get(declared)
        if expected is not None and not _is(value, expected):
            raise ConformanceError(
                f"{where} gives {key} as {type(value).__name__}; {model.__name__} "
                f"declares {declared}"
            )
    try:
        model(**{attributes[key]: value for key, value in payload.items()})
    except (ValueError, TypeError) as exc:
        raise ConformanceError(f"{where} is not a valid {model.__name__}: {exc}") from None


def _is(value: object, expected: type | tuple[type, ...]) -> bool:
    if isinstance(value, bool):
        return expected is bool  # a bool is an int to isinstance, never to Cloudsmith
    return isinstance(value, expected)
