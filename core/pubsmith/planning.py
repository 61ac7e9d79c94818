"""Turn a file and the user's options into a complete, validated package plan.

Everything that can be wrong with the user's input is found here, before any byte is sent:
an unknown or malformed option, a required value neither the artifact nor the user gave,
text (a file name, an option, a tag, a value read from the artifact) that is not UTF-8.
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pubsmith._text import is_utf8, printable
from pubsmith.artifact import Artifact
from pubsmith.errors import ArtifactError, OptionError, PluginError
from pubsmith.plugin import FormatPlugin, Option, PackageInfo
from pubsmith.registration import Registration
from pubsmith.registry import (
    FormatRegistry,
    find_companions,
    merge_info,
    read_companions,
    read_metadata,
)

__all__ = [
    "MissingOptionsError",
    "PackagePlan",
    "check_option_keys",
    "expand_file_argument",
    "options_for",
    "parse_file_argument",
    "plan_package",
    "preview_identifier",
    "resolve_values",
]


@dataclass(frozen=True)
class PackagePlan:
    """One package to publish: its format, identity, and payload before uploads."""

    path: Path
    format: str
    name: str | None
    version: str | None
    registration: Registration = field(repr=False, compare=False)
    values: Mapping[str, Any] = field(default_factory=dict)
    """Payload values by field; file fields hold ``Path`` (or a list of them)."""

    @property
    def plugin(self) -> FormatPlugin:
        return self.registration.plugin

    @property
    def files(self) -> dict[str, Path | list[Path]]:
        """The payload fields whose values are files to upload, ``package_file`` first."""
        return {
            key: value
            for key, value in self.values.items()
            if isinstance(value, Path)
            or (isinstance(value, list) and value and isinstance(value[0], Path))
        }

    def upload_paths(self) -> list[Path]:
        paths: list[Path] = []
        for value in self.files.values():
            paths.extend(value if isinstance(value, list) else [value])
        return paths

    def payload(self, identifiers: Mapping[Path, str]) -> dict[str, Any]:
        """The exact body of the upload request, given each file's upload identifier."""
        values: dict[str, Any] = {}
        for key, value in self.values.items():
            if isinstance(value, Path):
                values[key] = identifiers[value]
            elif isinstance(value, list) and value and isinstance(value[0], Path):
                values[key] = [identifiers[path] for path in value]
            else:
                values[key] = value
        with self.registration.calling("build_payload", path=self.path):
            payload = self.plugin.build_payload(values)
        if not isinstance(payload, dict):
            problem = f"build_payload returned {printable(repr(payload), 60)}, not a dict"
            raise PluginError(self.registration.failure(problem), path=self.path)
        return payload

    def preview_payload(self) -> dict[str, Any]:
        """The payload with each file shown as :func:`preview_identifier` would name it."""
        return self.payload({path: preview_identifier(path) for path in self.upload_paths()})


# What a format's name looks like: "rawx" in "rawx:notes.txt", not "C" in "C:\\notes.txt".
_FORMAT_WORD = re.compile(r"^[A-Za-z][A-Za-z0-9_-]+$")


def preview_identifier(path: Path) -> str:
    """Stand-in for an upload identifier that is only known once the file is uploaded."""
    return f"<upload:{path.name}>"


def parse_file_argument(argument: Path | str, registry: FormatRegistry) -> tuple[Path, str | None]:
    """Split a file argument into its path and the format it names, if any.

    ``raw:notes.txt`` is ``notes.txt`` published as raw whatever ``--format`` says, so one
    call can publish files no format recognises beside ones that are detected. A string
    naming an existing path is always that path (a file may well be called ``raw:x``), as
    is one whose text before the first ``:`` is no installed format's name (compared
    case-insensitively) or that has nothing after it. But when that text is a word and what
    follows names an existing file (``rawx:notes.txt``), it is a mistyped format: an
    :class:`ArtifactError` says so. A :class:`~pathlib.Path` is always a plain path: only
    text typed by a user carries a prefix.
    """
    if isinstance(argument, Path) or os.path.lexists(argument):
        return Path(argument), None
    prefix, colon, rest = argument.partition(":")
    format_name = registry.canonical_name(prefix) if colon and rest else None
    if format_name is None:
        if colon and _FORMAT_WORD.match(prefix) and os.path.lexists(rest):
            raise ArtifactError(
                argument,
                f"unknown format {printable(prefix)!r}{registry.did_you_mean(prefix)}; "
                "`pubsmith formats` lists the installed ones",
            )
        return Path(argument), None
    return Path(rest), format_name


def expand_file_argument(
    argument: Path | str, registry: FormatRegistry
) -> list[tuple[Path, str | None]]:
    """:func:`parse_file_argument`, with a glob (``dist/*.whl``, ``raw:docs/*.txt``) expanded.

    Shells expand globs before pubsmith sees them, but not a quoted one nor, on Windows,
    any: as twine does, a pattern that names no existing file is expanded here, in name
    order. One that matches nothing is an :class:`ArtifactError`.
    """
    path, format_name = parse_file_argument(argument, registry)
    pattern = str(path)
    if isinstance(argument, Path) or os.path.lexists(pattern) or not glob.has_magic(pattern):
        return [(path, format_name)]
    matches = sorted(glob.glob(pattern))
    if not matches:
        raise ArtifactError(
            pattern, "matches no file; check the pattern and the directory it is run from"
        )
    return [(Path(match), format_name) for match in matches]


def plan_package(
    registry: FormatRegistry,
    path: Path | str,
    *,
    format_name: str | None = None,
    options: Mapping[str, str] | None = None,
    tags: Sequence[str] = (),
    republish: bool = False,
    strict_options: bool = True,
) -> PackagePlan:
    """Inspect ``path`` and resolve every payload field, or raise naming what is missing.

    ``format_name`` (in any letter case) skips detection. ``options`` are the raw
    ``-o key=value`` strings (``--distribution`` arrives as the ``distribution`` option;
    ``FORMAT.key`` applies to one format only). Each value comes from the user first, then
    companion files found beside the file, then the artifact itself, then what its
    companions state (see :func:`resolve_values`). ``strict_options=False`` leaves checking
    option names to the caller, which knows every format in a multi-file call.
    """
    if format_name:
        # An unknown name is passed on as typed, for the registry's error to name it.
        format_name = registry.canonical_name(format_name) or format_name
    registration, artifact = registry.identify(path, format_name)
    if strict_options:
        check_option_keys(options or {}, [registration.plugin], registry)
    info = read_metadata(registration, artifact)
    values, merged = resolve_values(registration, artifact, info, options or {})
    if tags:
        values["tags"] = ",".join(tags)
    if republish:
        values["republish"] = True
    _check_utf8(artifact.path, values)
    plan = PackagePlan(
        path=artifact.path,
        format=registration.name,
        name=_text(values.get("name")) or merged.name,
        version=_text(values.get("version")) or merged.version,
        registration=registration,
        values=values,
    )
    # build_payload is the plugin's code: a bug in it shows now, before anything is sent.
    plan.preview_payload()
    return plan


def options_for(plugin: FormatPlugin, raw_options: Mapping[str, str]) -> dict[str, str]:
    """The options that apply to ``plugin``: unscoped ``key`` and ``FORMAT.key`` for it.

    A scoped option wins over an unscoped one, so ``-o distribution=debian/bookworm
    -o rpm.distribution=el/9`` publishes debs and rpms in one call.
    """
    unscoped = {key: value for key, value in raw_options.items() if "." not in key}
    prefix = f"{plugin.PLUGIN_NAME}."
    scoped = {
        key[len(prefix) :]: value for key, value in raw_options.items() if key.startswith(prefix)
    }
    return {**unscoped, **scoped}


def check_option_keys(
    raw_options: Mapping[str, str], plugins: Sequence[FormatPlugin], registry: FormatRegistry
) -> None:
    """Every option must be declared by the format it names, or by one format in use."""
    in_use = {plugin.PLUGIN_NAME: plugin for plugin in plugins}
    for key in raw_options:
        scope, dot, name = key.rpartition(".")
        if dot:
            if scope not in in_use:
                registry.get(scope)  # raises for an unknown format name
            candidates = [registry.get(scope)]
        else:
            candidates = list(in_use.values())
        if not any(plugin.option(name) for plugin in candidates):
            known = sorted({option.name for plugin in candidates for option in plugin.options})
            formats = ", ".join(plugin.PLUGIN_NAME for plugin in candidates) or "none"
            raise OptionError(
                key,
                f"no format here takes option {name!r} (formats: {formats}; "
                f"their options: {', '.join(known) or 'none'})",
            )


def resolve_values(
    registration: Registration,
    artifact: Artifact,
    info: PackageInfo,
    raw_options: Mapping[str, str],
) -> tuple[dict[str, Any], PackageInfo]:
    """Payload values for one artifact, and what it and its companions state together.

    A value is taken from, in order: the user's ``-o``; the companion files found beside
    the artifact; the artifact's ``PackageInfo.fields``; what the plugin's
    ``read_companions`` reads from the companions so resolved. A field nobody states stays
    out of the payload. Options the format does not declare are ignored.
    """
    plugin = registration.plugin
    applicable = options_for(plugin, raw_options)
    given = {
        option.name: option.parse(applicable[option.name])
        for option in plugin.options
        if option.name in applicable
    }
    resolved: dict[str, Any] = {**find_companions(registration, artifact), **given}
    merged = merge_info(info, read_companions(registration, artifact, resolved))
    values: dict[str, Any] = {"package_file": artifact.path}
    missing: list[Option] = []
    for option in plugin.options:
        value = resolved.get(option.name, merged.fields.get(option.name))
        if value is None:
            if option.required:
                missing.append(option)
            continue
        values[option.name] = value
    if missing:
        raise MissingOptionsError(plugin.PLUGIN_NAME, tuple(missing), path=artifact.path)
    return values, merged


class MissingOptionsError(OptionError):
    """Required options that neither the user, the file nor its companions gave: all of them.

    ``scoped`` messages suggest ``-o FORMAT.option=VALUE``, for a call that publishes
    several formats needing different values (a deb and an rpm each need a distribution).
    """

    def __init__(
        self,
        format_name: str,
        options: tuple[Option, ...],
        *,
        path: Path,
        scoped: bool = False,
    ) -> None:
        self.format_name = format_name
        self.options = options
        needs = " and ".join(f"{option.name} ({option.help})" for option in options)
        if scoped:
            flags = " ".join(f"-o {format_name}.{option.name}=VALUE" for option in options)
        else:
            flags = " ".join(
                "--distribution SLUG"
                if option.name == "distribution"
                else f"-o {option.name}=VALUE"
                for option in options
            )
        super().__init__(
            options[0].name,
            f"{format_name} packages need {needs}, which neither the file nor its companions "
            f"state; pass {flags}",
            path=path,
        )

    def scoped(self) -> MissingOptionsError:
        """The same error, suggesting options scoped to this format."""
        assert self.path is not None
        return MissingOptionsError(self.format_name, self.options, path=self.path, scoped=True)


def _check_utf8(path: Path, values: Mapping[str, Any]) -> None:
    """Refuse text that cannot be sent: the API takes names and values as UTF-8 only.

    Undecodable bytes (a file name, ``-o`` value or tag that is not UTF-8, held by Python
    as lone surrogates) would otherwise fail only when a request is encoded, after others
    have gone out.
    """
    for key, value in values.items():
        for item in _leaves(value):
            if isinstance(item, Path) and not is_utf8(item.name):
                raise ArtifactError(
                    item,
                    "its name is not valid UTF-8, and the API takes file names as UTF-8; "
                    "rename the file",
                )
            if isinstance(item, str) and not is_utf8(item):
                raise OptionError(
                    key,
                    f"{key} '{printable(item)}' is not valid UTF-8, and the API takes text as "
                    "UTF-8 only; give it in UTF-8",
                    path=path,
                )


def _leaves(value: Any) -> Iterator[Any]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield key
            yield from _leaves(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
