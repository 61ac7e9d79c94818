"""pubsmith: publish packages of every format to Cloudsmith.

The public names are imported on first use (PEP 562), so ``pubsmith --version`` and
``import pubsmith.cli`` load neither pluggy nor the archive modules behind ``Artifact``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from pubsmith._version import __version__

if TYPE_CHECKING:
    from pubsmith.artifact import Artifact
    from pubsmith.errors import (
        ApiError,
        ArtifactError,
        AuthenticationError,
        BadInputError,
        ConfigError,
        FormatDetectionError,
        NotFoundError,
        OptionError,
        PluginError,
        ProcessingError,
        PubsmithError,
        RateLimitedError,
        ServerError,
        TransportError,
        UploadError,
        ValidationError,
    )
    from pubsmith.hookspecs import hookimpl
    from pubsmith.options import PublishOptions
    from pubsmith.plugin import FormatPlugin, Option, PackageInfo, Strength
    from pubsmith.publishing import PublishPlan, plan, publish, run
    from pubsmith.results import PublishResult

__all__ = [
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

_HOMES = {
    "Artifact": "pubsmith.artifact",
    "hookimpl": "pubsmith.hookspecs",
    "FormatPlugin": "pubsmith.plugin",
    "Option": "pubsmith.plugin",
    "PackageInfo": "pubsmith.plugin",
    "PublishOptions": "pubsmith.options",
    "PublishPlan": "pubsmith.publishing",
    "plan": "pubsmith.publishing",
    "Strength": "pubsmith.plugin",
    "publish": "pubsmith.publishing",
    "run": "pubsmith.publishing",
    "PublishResult": "pubsmith.results",
}


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES.get(name, "pubsmith.errors")), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
