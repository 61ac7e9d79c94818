"""The public API of ``import pubsmith``: pinned, and every name resolves."""

from __future__ import annotations

import subprocess
import sys

import pytest

import pubsmith
from pubsmith.errors import PubsmithError

EXPECTED = [
    "ApiError",
    "Artifact",
    "ArtifactError",
    "AuthenticationError",
    "BadInputError",
    "ConfigError",
    "FormatDetectionError",
    "FormatPlugin",
    "NotFoundError",
    "Option",
    "OptionError",
    "PackageInfo",
    "PluginError",
    "ProcessingError",
    "PublishOptions",
    "PublishPlan",
    "PublishResult",
    "PubsmithError",
    "RateLimitedError",
    "ServerError",
    "Strength",
    "TransportError",
    "UploadError",
    "ValidationError",
    "__version__",
    "hookimpl",
    "plan",
    "publish",
    "run",
]


def test_all_is_pinned() -> None:
    assert pubsmith.__all__ == EXPECTED


def test_every_exported_name_resolves_to_its_defining_module() -> None:
    for name in pubsmith.__all__:
        value = getattr(pubsmith, name)
        assert value is not None, name
        if isinstance(value, type):
            assert value.__module__.startswith("pubsmith."), name
            assert value.__name__ == name
    assert issubclass(pubsmith.ValidationError, PubsmithError)
    assert pubsmith.hookimpl.project_name == "pubsmith"
    assert callable(pubsmith.publish)
    assert pubsmith.publish.__module__ == "pubsmith.publishing"
    assert set(EXPECTED) <= set(dir(pubsmith))


def test_star_import_and_unknown_names() -> None:
    namespace: dict[str, object] = {}
    exec("from pubsmith import *", namespace)  # noqa: S102 - the star import is the subject
    assert set(EXPECTED) <= set(namespace)
    with pytest.raises(AttributeError, match="NoSuchThing"):
        pubsmith.NoSuchThing  # type: ignore[attr-defined]  # noqa: B018


def test_import_pubsmith_loads_no_heavy_module() -> None:
    code = (
        "import sys, pubsmith; "
        "print(' '.join(m for m in ('pluggy', 'tarfile', 'zipfile', 'pubsmith.artifact') "
        "if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert loaded == []
