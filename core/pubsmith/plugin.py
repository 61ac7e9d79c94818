"""The contract a format plugin fulfils: recognise, read, declare options, find companions."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal

from pubsmith.artifact import Artifact
from pubsmith.errors import OptionError

__all__ = ["FormatPlugin", "Option", "OptionType", "PackageInfo"]

OptionType = Literal["str", "bool", "int", "file", "files"]

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


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
    """What a plugin read from inside an artifact.

    ``name`` and ``version`` are for display and for finding the package again; ``fields``
    holds payload values the artifact itself carries (maven's ``group_id``, vagrant's
    ``provider``, ...), which ``-o`` overrides.
    """

    name: str | None = None
    version: str | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)


class FormatPlugin(ABC):
    """Base class of a format plugin: one Cloudsmith format, one small class.

    Subclasses set ``PLUGIN_NAME`` to Cloudsmith's format slug, declare the payload fields
    they take as ``options``, and implement ``recognise`` and ``read_metadata``. pubsmith
    does the rest: it validates ``-o`` values against ``options``, fills each option from
    the user, then from ``find_companions``, then from ``PackageInfo.fields`` (and
    ``name``/``version``), reports a missing required one before anything is sent, uploads
    file options, and sends the payload. A complete plugin for a made-up format whose
    artifacts are zips holding a ``widget.json``::

        from __future__ import annotations

        import json

        from pubsmith import Artifact, ArtifactError, FormatPlugin, Option, PackageInfo, hookimpl


        class WidgetFormat(FormatPlugin):
            PLUGIN_NAME = "widget"
            summary = "Widget bundles (.zip holding widget.json)"
            options = (
                Option("distribution", "Target, such as widgets/v2", required=True),
                Option("icon_file", "Icon uploaded beside the bundle", type="file"),
            )

            def recognise(self, artifact: Artifact) -> bool:
                return artifact.kind == "zip" and artifact.has("widget.json")

            def read_metadata(self, artifact: Artifact) -> PackageInfo:
                try:
                    manifest = json.loads(artifact.read("widget.json"))
                    return PackageInfo(name=manifest["name"], version=manifest["version"])
                except (ValueError, KeyError, TypeError):
                    problem = "widget.json has no name or version"
                    raise ArtifactError(artifact.path, problem) from None

            def find_companions(self, artifact: Artifact) -> dict[str, Path]:
                icon = artifact.path.with_suffix(".png")
                return {"icon_file": icon} if icon.is_file() else {}


        @hookimpl
        def pubsmith_register_format() -> type[FormatPlugin]:
            return WidgetFormat

    and in the plugin's ``pyproject.toml``::

        [project.entry-points."pubsmith.formats"]
        widget = "pubsmith_widget"

    ``recognise`` must answer from content, cheaply, and never raise for someone else's
    file; ``read_metadata`` raises :class:`~pubsmith.ArtifactError` naming what is wrong
    when the file is not a valid artifact of this format.
    """

    PLUGIN_NAME: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    options: ClassVar[tuple[Option, ...]] = ()

    @abstractmethod
    def recognise(self, artifact: Artifact) -> bool:
        """Whether the content of ``artifact`` says it is of this format."""

    @abstractmethod
    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        """Name, version and payload fields read from inside ``artifact``."""

    def find_companions(self, artifact: Artifact) -> dict[str, Path]:
        """Companion files found beside ``artifact``, keyed by their file option's name."""
        return {}

    def build_payload(self, values: dict[str, Any]) -> dict[str, Any]:
        """The upload payload from resolved option values; override only to reshape it.

        ``values`` maps option names to their values, with file options already replaced
        by upload identifiers, plus ``package_file`` and, when set, ``tags`` and
        ``republish``.
        """
        return values

    def option(self, name: str) -> Option | None:
        return next((option for option in self.options if option.name == name), None)
