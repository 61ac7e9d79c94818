"""Check request bodies with the official bindings' models, answering as the real API does.

The ``cloudsmith-api`` model classes carry Cloudsmith's own rules (required fields, enums,
lengths, patterns). Each field is set on its own so every problem is reported at once, in
Django REST framework's words; unknown keys are ignored, as the real API ignores them.
"""

from __future__ import annotations

import inspect
import json
import math
import re
import threading
from collections.abc import Mapping
from types import ModuleType
from typing import Any

from pubsmith_sandbox.errors import BadRequest, SandboxConfigError
from pubsmith_sandbox.text import not_utf8, storable, unencodable_fields

__all__ = ["INVALID_BODY", "load_models", "model_defaults", "parse_json", "validate_body"]

INVALID_BODY = "The request body has invalid fields; see fields."

_lock = threading.Lock()
_state: dict[str, Any] = {}
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def load_models() -> ModuleType:
    """Import the bindings' models (once); they are only needed while a sandbox runs."""
    with _lock:
        if "models" not in _state:
            # Imported here, not at the top: it is heavy and only a running sandbox needs it.
            try:
                import cloudsmith_api
                import cloudsmith_api.models
            except ImportError:
                raise SandboxConfigError(
                    "the sandbox needs the cloudsmith-api package; "
                    "install it with: pip install 'pubsmith[sandbox]'"
                ) from None
            configuration = cloudsmith_api.Configuration()
            configuration.client_side_validation = True
            _state["models"] = cloudsmith_api.models
            _state["configuration"] = configuration
        models: ModuleType = _state["models"]
        return models


def parse_json(raw: bytes) -> dict[str, Any]:
    """A JSON object body; an empty body counts as ``{}``.

    Refused as Django REST framework refuses them: NaN and infinities (not JSON, though
    Python reads them), and nesting deeper than the parser can follow. Refused beyond it:
    text UTF-8 cannot encode, which nothing could store.
    """
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw, parse_constant=_no_constant, parse_float=_finite)
    except RecursionError:
        raise BadRequest(400, "JSON parse error - the body is nested too deeply.") from None
    except ValueError as exc:
        raise BadRequest(400, f"JSON parse error - {exc}") from None
    if not isinstance(data, dict):
        kind = type(data).__name__
        raise BadRequest(400, f"Invalid data. Expected a dictionary, but got {kind}.")
    unencodable = unencodable_fields(data)
    if unencodable:
        fields = {storable(key): [not_utf8(text)] for key, text in unencodable.items()}
        raise BadRequest(400, INVALID_BODY, fields)
    return data


def _no_constant(name: str) -> Any:
    raise ValueError(f"Out of range float values are not JSON compliant: {name}")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"Out of range float values are not JSON compliant: {text[:40]}")
    return value


def validate_body(model: str, body: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """The fields of ``body`` that ``model`` knows, checked and with defaults filled in.

    ``partial`` (a PATCH) checks and returns only the fields given: no defaults, and
    nothing is required.
    """
    model_class = getattr(load_models(), model)
    instance = model_class.__new__(model_class)
    instance._configuration = _state["configuration"]
    defaults = _defaults(model_class)
    clean: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for attribute, kind in model_class.swagger_types.items():
        key = model_class.attribute_map[attribute]
        present = key in body
        if partial and not present:
            continue
        value = body[key] if present else defaults.get(attribute)
        if present and value is not None:
            value, problem = _coerce(value, kind)
            if problem:
                errors[key] = [problem]
                continue
        try:
            setattr(instance, attribute, value)
        except ValueError as exc:
            errors[key] = [_message(str(exc), present)]
            continue
        if value is not None or present:
            clean[key] = value
    if errors:
        raise BadRequest(400, INVALID_BODY, errors)
    return clean


def model_defaults(model: str) -> dict[str, Any]:
    """The values ``model`` fills in for fields not given, by JSON key."""
    model_class = getattr(load_models(), model)
    return {
        model_class.attribute_map[name]: value for name, value in _defaults(model_class).items()
    }


def _defaults(model_class: type) -> dict[str, Any]:
    parameters = inspect.signature(model_class.__init__).parameters  # type: ignore[misc]
    return {
        name: parameter.default
        for name, parameter in parameters.items()
        if parameter.default not in (None, inspect.Parameter.empty)
    }


def _coerce(value: Any, kind: str) -> tuple[Any, str | None]:
    """DRF's leniency: numbers pass as strings, "true" as a boolean; the rest is refused."""
    if kind == "str":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value), None
        return value, None if isinstance(value, str) else "Not a valid string."
    if kind == "bool":
        if isinstance(value, bool):
            return value, None
        text = str(value).strip().lower() if isinstance(value, (str, int)) else ""
        if text in _TRUE or text in _FALSE:
            return text in _TRUE, None
        return value, "Must be a valid boolean."
    if kind == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            return value, None
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value), None
        return value, "A valid integer is required."
    if kind.startswith("list["):
        if not isinstance(value, list):
            return value, f'Expected a list of items but got type "{type(value).__name__}".'
        if kind == "list[str]" and not all(isinstance(item, str) for item in value):
            return value, "Not a valid string."
    return value, None


def _message(raw: str, present: bool) -> str:
    """DRF's wording for a bindings' ValueError ("Invalid value for `x`, ...")."""
    if "must not be `None`" in raw:
        return "This field may not be null." if present else "This field is required."
    if match := re.search(r"length must be less than or equal to `(\d+)`", raw):
        return f"Ensure this field has no more than {match[1]} characters."
    if match := re.search(r"length must be greater than or equal to `(\d+)`", raw):
        count = int(match[1])
        if count <= 1:
            return "This field may not be blank."
        return f"Ensure this field has at least {count} characters."
    if match := re.search(r"\((.*)\), must be one of", raw):
        return f'"{match[1]}" is not a valid choice.'
    if "pattern" in raw:
        return "This value does not match the required pattern."
    return re.sub(r"^Invalid values? for `[^`]+`,?\s*", "", raw).capitalize() or raw
