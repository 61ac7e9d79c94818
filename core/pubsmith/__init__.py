"""pubsmith: publish packages of every format to Cloudsmith."""

from __future__ import annotations

from pubsmith._version import __version__
from pubsmith.artifact import Artifact
from pubsmith.errors import (
    ApiError,
    ArtifactError,
    AuthenticationError,
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
from pubsmith.plugin import FormatPlugin, Option, PackageInfo

__all__ = [
    "ApiError",
    "Artifact",
    "ArtifactError",
    "AuthenticationError",
    "ConfigError",
    "FormatDetectionError",
    "FormatPlugin",
    "NotFoundError",
    "Option",
    "OptionError",
    "PackageInfo",
    "PluginError",
    "ProcessingError",
    "PubsmithError",
    "RateLimitedError",
    "ServerError",
    "TransportError",
    "UploadError",
    "ValidationError",
    "__version__",
    "hookimpl",
]
