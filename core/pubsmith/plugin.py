"""The contract a format plugin fulfils: recognise, read, declare options, find companions.

Everything pubsmith calls on a plugin is declared here; :mod:`pubsmith.hookspecs` holds the
one pluggy hook through which a plugin hands pubsmith its class.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Any, ClassVar, Literal

from pubsmith.artifact import Artifact
from pubsmith.errors import OptionError

__all__ = ["FormatPlugin", "Option", "OptionType", "PackageInfo", "Strength"]

OptionType = Literal["str", "bool", "int", "file", "files"]

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class Strength(IntEnum):
    """How strongly a file's content says it is of a format, as :meth:`FormatPlugin.recognise`
    answers it. Detection takes the single strongest claim among all installed plugins; two
    claims of the same, highest strength are an error that asks the user to name the format.

    Pick the strength of the *evidence*, not of the wish to win: a plugin that claims what
    it cannot tell apart takes files that are someone else's.

    .. versionadded:: 0.2
    """

    NONE = 0
    """Not this format's file, or nothing in it says so."""
    FALLBACK = 1
    """A layout the format's tools accept but any project's archive may have (npm installs
    the one folder of any tarball): the file is this format's only if no other plugin
    claims it at all."""
    CONTAINER = 2
    """The right kind of container, with only a hint: the file's name, a file beside it, or a
    member any project may carry (a ``composer.json``, a ``*.tf``, a ``*.podspec``)."""
    MANIFEST = 3
    """The format's own manifest at the place its tools put it (``<chart>/Chart.yaml``, a
    root ``pubspec.yaml``, ``<pkg>/DESCRIPTION`` beside ``<pkg>/NAMESPACE``)."""
    MARKER = 4
    """A specific marker: a member or field that only this format's packaging tool writes
    (an sdist's ``PKG-INFO``, a crate's ``Cargo.toml.orig``, a jar's ``pom.properties``)."""
    SIGNATURE = 5
    """Magic bytes or a binary layout that the format's specification defines (an RPM lead,
    a NAR header, a ``.deb`` whose first member is ``debian-binary``)."""


@dataclass(frozen=True)
class Option:
    """One payload field a format takes besides ``package_file``, ``tags`` and ``republish``.

    ``type="file"`` marks a companion file: the user gives a path, pubsmith uploads it
    through the files flow and puts the upload's identifier in the payload. ``"files"``
    is a comma-separated list of such paths (maven's ``extra_files``).
    """

    name: str
    help: str
    type: OptionType = "str"
    required: bool = False
    choices: tuple[str, ...] = ()
    read_from_file: bool = False
    """The plugin reads it from the artifact when the artifact states it (``-o`` still
    wins): a required option so marked is needed only from a file that does not."""

    def parse(self, raw: str) -> Any:
        """Turn a ``-o name=raw`` string into the value this option holds."""
        if self.type == "bool":
            lowered = raw.strip().lower()
            if lowered in _TRUE:
                return True
            if lowered in _FALSE:
                return False
            raise OptionError(self.name, f"option {self.name} takes true or false, not {raw!r}")
        if self.type == "int":
            try:
                return int(raw)
            except ValueError:
                raise OptionError(
                    self.name, f"option {self.name} takes a whole number, not {raw!r}"
                ) from None
        if self.type in ("file", "files"):
            paths = (
                [Path(part) for part in raw.split(",") if part.strip()]
                if self.type == "files"
                else [Path(raw)]
            )
            for path in paths:
                try:
                    is_file = path.is_file()
                except OSError as exc:  # a folder on the way that may not be searched
                    raise OptionError(
                        self.name, f"option {self.name}: {path} cannot be reached ({exc.strerror})"
                    ) from None
                if not is_file:
                    raise OptionError(self.name, f"option {self.name}: {path} is not a file")
            return paths if self.type == "files" else paths[0]
        if self.choices and raw not in self.choices:
            raise OptionError(
                self.name,
                f"option {self.name} must be one of {', '.join(self.choices)}, not {raw!r}",
            )
        if not raw:
            raise OptionError(self.name, f"option {self.name} must not be empty")
        return raw


@dataclass(frozen=True)
class PackageInfo:
    """What a plugin read from an artifact, or from its companions.

    ``name`` and ``version`` say what the package is called, for display and for finding
    it again, even where Cloudsmith derives them itself (a raw file is named after the
    file). They are never sent on their own account: the payload takes only what
    ``fields`` states (maven's ``group_id``, vagrant's ``provider``, composer's
    ``version`` when ``composer.json`` has one), keyed by option name, and ``-o``
    overrides any of it. A value nobody stated stays out of the payload, so that
    Cloudsmith derives it as it would for its own CLI.
    """

    name: str | None = None
    version: str | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)


class FormatPlugin(ABC):
    """Base class of a format plugin: one Cloudsmith format, one small class.

    Subclasses set ``PLUGIN_NAME`` to Cloudsmith's format slug, declare the payload fields
    they take as ``options``, and implement ``recognise`` and ``read_metadata``. pubsmith
    does the rest: it validates ``-o`` values against ``options``; fills each option from
    the user, then from ``find_companions`` (file options), then from the artifact's
    ``PackageInfo.fields``, then from the companions' (``read_companions``); reports a
    missing required one before anything is sent; uploads file options; and sends the
    payload. A complete plugin for a made-up format whose artifacts are zips holding a
    ``widget.json``::

        from __future__ import annotations

        import json
        from pathlib import Path

        from pubsmith import (
            Artifact,
            ArtifactError,
            FormatPlugin,
            Option,
            PackageInfo,
            Strength,
            hookimpl,
        )

        __all__ = ["WidgetFormat", "pubsmith_register_format"]


        class WidgetFormat(FormatPlugin):
            PLUGIN_NAME = "widget"
            summary = "Widget bundles (.zip holding widget.json)"
            options = (
                Option("distribution", "Target, such as widgets/v2", required=True),
                Option("version", "Version (default: widget.json's)"),
                Option("icon_file", "Icon uploaded beside the bundle", type="file"),
            )

            def recognise(self, artifact: Artifact) -> Strength:
                # widget.json is written by the widget packer alone: a specific marker.
                if artifact.kind == "zip" and artifact.has("widget.json"):
                    return Strength.MARKER
                return Strength.NONE

            def read_metadata(self, artifact: Artifact) -> PackageInfo:
                try:
                    manifest = json.loads(artifact.read("widget.json"))
                    name, version = manifest["name"], manifest["version"]
                except (ValueError, KeyError, TypeError):
                    problem = "widget.json inside has no name or version; rebuild the bundle"
                    raise ArtifactError(artifact.path, problem) from None
                return PackageInfo(name=name, version=version, fields={"version": version})

            def find_companions(self, artifact: Artifact) -> dict[str, Path]:
                icon = artifact.path.with_suffix(".png")
                return {"icon_file": icon} if icon.is_file() else {}


        @hookimpl
        def pubsmith_register_format() -> type[FormatPlugin]:
            return WidgetFormat

    and in the plugin's ``pyproject.toml``::

        [project.entry-points."pubsmith.formats"]
        widget = "pubsmith_widget"

    ``recognise`` answers from content, cheaply, with the :class:`Strength` of its
    evidence, and never raises for someone else's file. ``read_metadata`` raises
    :class:`~pubsmith.ArtifactError` naming what is wrong when the file is not a valid
    artifact of this format. Any other exception from a plugin is reported as a
    :class:`~pubsmith.PluginError` naming the plugin and its distribution.

    A plugin whose ``PLUGIN_NAME`` is a builtin format's replaces that builtin only if it
    sets ``REPLACES_BUILTIN = True``; ``pubsmith formats`` then shows it as the
    replacement. Otherwise two plugins with one name are an error.
    """

    PLUGIN_NAME: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    options: ClassVar[tuple[Option, ...]] = ()
    REPLACES_BUILTIN: ClassVar[bool] = False

    @abstractmethod
    def recognise(self, artifact: Artifact) -> Strength:
        """How strongly the content of ``artifact`` says it is of this format."""

    @abstractmethod
    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        """Name, version and payload fields read from inside ``artifact``."""

    def find_companions(self, artifact: Artifact) -> dict[str, Path]:
        """Companion files found beside ``artifact``, keyed by their file option's name.

        A companion the user names with ``-o`` wins over the one found here.
        """
        return {}

    def read_companions(self, artifact: Artifact, values: Mapping[str, Any]) -> PackageInfo:
        """What the package's companion files state, once its options are resolved.

        ``values`` holds the options resolved so far: the user's ``-o`` values, parsed,
        and the file options, given or found beside ``artifact`` (maven's ``pom_file``,
        conan's ``metadata_file``). Where both speak, the artifact's ``PackageInfo`` wins
        over what is returned here, and ``-o`` over both. Raise
        :class:`~pubsmith.ArtifactError` naming the companion when it is not valid.

        .. versionadded:: 0.2
        """
        return PackageInfo()

    def build_payload(self, values: dict[str, Any]) -> dict[str, Any]:
        """The upload payload from resolved option values; override only to reshape it.

        ``values`` maps option names to their values, with file options already replaced
        by upload identifiers, plus ``package_file`` and, when set, ``tags`` and
        ``republish``.
        """
        return values

    def option(self, name: str) -> Option | None:
        return next((option for option in self.options if option.name == name), None)
