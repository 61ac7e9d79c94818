"""The installed format plugins: pick the one that fits a file, and call it safely.

Detection asks every plugin how strongly a file's content says it is of its format
(:class:`~pubsmith.Strength`) and takes the single strongest claim, as libmagic orders its
rules by strength. Every call into a plugin goes through :meth:`Registration.calling`, so a
plugin's own bug is a :class:`~pubsmith.PluginError` naming it, never a traceback.
"""

from __future__ import annotations

import difflib
import errno
import stat
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from pubsmith._text import printable
from pubsmith.artifact import Artifact
from pubsmith.errors import ArtifactError, ConfigError, FormatDetectionError, PluginError
from pubsmith.plugin import FormatPlugin, PackageInfo, Strength
from pubsmith.plugin_loader import ENTRY_POINT_GROUP, PluginLoader
from pubsmith.registration import Origin, Registration

__all__ = [
    "ENTRY_POINT_GROUP",
    "FormatRegistry",
    "check_readable_file",
    "find_companions",
    "merge_info",
    "read_companions",
    "read_metadata",
]

_DETECTION_HINT = "name the file's format as FORMAT:FILE to skip detection"


class FormatRegistry:
    """The installed format plugins, keyed by ``PLUGIN_NAME``.

    Built from :meth:`load`, or directly from plugin instances (tests, embedding scripts),
    which then count as registered directly. A loaded registry imports a builtin plugin
    when its format is first asked for by name, and all of them to detect a format.
    """

    def __init__(
        self, plugins: Mapping[str, FormatPlugin] | Iterable[Registration] | PluginLoader
    ) -> None:
        self._loader: PluginLoader | None = None
        if isinstance(plugins, PluginLoader):
            self._loader = plugins
            self._registrations = plugins.registrations  # filled in as builtins load
        elif isinstance(plugins, Mapping):
            self._registrations = {
                key: Registration(plugin, Origin(key)) for key, plugin in plugins.items()
            }
        else:
            self._registrations = {registration.name: registration for registration in plugins}

    @classmethod
    def load(cls, extra: Iterable[ModuleType | object] = ()) -> FormatRegistry:
        """The plugins of the ``pubsmith.formats`` entry-point group, plus ``extra``.

        ``extra`` takes plugin objects registered directly (tests, embedding scripts).
        Raises :class:`~pubsmith.PluginError` naming the first plugin that cannot load.
        """
        return cls(PluginLoader(extra))

    def __contains__(self, name: object) -> bool:
        return name in self.names()

    def __iter__(self) -> Iterator[FormatPlugin]:
        return (registration.plugin for registration in self.registrations())

    def names(self) -> list[str]:
        pending = self._loader.pending if self._loader is not None else []
        return sorted({*self._registrations, *pending})

    def registrations(self) -> list[Registration]:
        """Each plugin with its origin, in name order, as ``pubsmith formats`` shows them."""
        return list(self._everyone().values())

    def canonical_name(self, name: str) -> str | None:
        """The installed format called ``name`` in any letter case, or None."""
        wanted = name.casefold()
        return next((known for known in self.names() if known.casefold() == wanted), None)

    def get(self, name: str) -> FormatPlugin:
        return self.registration(name).plugin

    def registration(self, name: str) -> Registration:
        if self._loader is not None:
            self._loader.load_builtin(name)
        try:
            return self._registrations[name]
        except KeyError:
            raise ConfigError(
                f"unknown format {name!r}{self.did_you_mean(name)}; installed formats: "
                f"{', '.join(self.names())}"
            ) from None

    def did_you_mean(self, name: str) -> str:
        """`` (did you mean raw?)`` for a name close to an installed format's, else ``""``."""
        close = difflib.get_close_matches(name.casefold(), self.names(), n=1)
        return f" (did you mean {close[0]}?)" if close else ""

    def claims(self, artifact: Artifact) -> dict[str, Strength]:
        """Each plugin's claim on ``artifact`` that is not ``Strength.NONE``, strongest first.

        A plugin whose ``recognise`` fails on its own account is a PluginError for this
        file: without its answer no format can be picked with confidence.
        """
        found: dict[str, Strength] = {}
        for name, registration in self._everyone().items():
            strength = self._recognise(registration, artifact)
            if strength is not Strength.NONE:
                found[name] = strength
        return dict(sorted(found.items(), key=lambda item: -item[1]))

    def detect(self, artifact: Artifact) -> FormatPlugin:
        """The plugin with the single strongest claim on ``artifact``.

        Raises :class:`~pubsmith.FormatDetectionError` when nothing claims the file, or
        when two or more claim it equally strongly.
        """
        return self._detect(artifact).plugin

    def identify(
        self, path: Path | str, format_name: str | None = None
    ) -> tuple[Registration, Artifact]:
        """Check ``path`` is a readable file and pick its format (``format_name`` if given)."""
        artifact = Artifact(path)
        check_readable_file(artifact.path)
        if format_name:
            return self.registration(format_name), artifact
        return self._detect(artifact), artifact

    def inspect(
        self,
        path: Path | str,
        format_name: str | None = None,
        *,
        companions: Mapping[str, Path] | None = None,
    ) -> tuple[FormatPlugin, Artifact, PackageInfo]:
        """Pick the format of ``path`` and read what it and its companions state.

        ``companions`` maps file options to files, as ``-o`` gives them; the plugin finds
        the others beside ``path``.
        """
        registration, artifact = self.identify(path, format_name)
        info = read_metadata(registration, artifact)
        plugin = registration.plugin
        given = {
            key: value
            for key, value in (companions or {}).items()
            if (option := plugin.option(key)) is not None and option.type == "file"
        }
        values = {**find_companions(registration, artifact), **given}
        read = read_companions(registration, artifact, values)
        return plugin, artifact, merge_info(info, read)

    def _everyone(self) -> dict[str, Registration]:
        if self._loader is not None:
            self._loader.load_all()
        return dict(sorted(self._registrations.items()))

    def _detect(self, artifact: Artifact) -> Registration:
        claims = self.claims(artifact)
        strongest = max(claims.values(), default=Strength.NONE)
        best = [name for name, strength in claims.items() if strength == strongest]
        if len(best) == 1:
            return self._registrations[best[0]]
        if artifact.refusal is not None:
            # Past its reading limits, a file is nobody's for a reason worth saying.
            raise artifact.refusal.with_traceback(None)
        if not best and artifact.damage is not None:
            raise ArtifactError(artifact.path, artifact.damage)
        raise FormatDetectionError(artifact.path, best)

    def _recognise(self, registration: Registration, artifact: Artifact) -> Strength:
        try:
            with registration.calling("recognise", path=artifact.path, hint=_DETECTION_HINT):
                strength = registration.plugin.recognise(artifact)
        except ArtifactError:
            # A corrupt archive is nobody's; read_metadata under --format says what is wrong.
            return Strength.NONE
        if not isinstance(strength, Strength):
            problem = f"recognise returned {printable(repr(strength), 60)}, not a pubsmith.Strength"
            raise PluginError(registration.failure(problem), path=artifact.path)
        return strength


def read_metadata(registration: Registration, artifact: Artifact) -> PackageInfo:
    """The plugin's ``read_metadata``, checked to return a PackageInfo."""
    with registration.calling("read_metadata", path=artifact.path):
        info = registration.plugin.read_metadata(artifact)
    return _checked_info(registration, "read_metadata", info, artifact.path)


def find_companions(registration: Registration, artifact: Artifact) -> dict[str, Path]:
    """The plugin's ``find_companions``, checked to map its file options to paths."""
    with registration.calling("find_companions", path=artifact.path):
        found = registration.plugin.find_companions(artifact)
    plugin = registration.plugin
    if not isinstance(found, dict) or not all(
        isinstance(path, Path) and (option := plugin.option(key)) and option.type == "file"
        for key, path in found.items()
    ):
        problem = (
            f"find_companions returned {printable(repr(found), 80)}, not file options "
            "mapped to paths"
        )
        raise PluginError(registration.failure(problem), path=artifact.path)
    return found


def read_companions(
    registration: Registration, artifact: Artifact, values: Mapping[str, Any]
) -> PackageInfo:
    """The plugin's ``read_companions`` over the options resolved so far."""
    with registration.calling("read_companions", path=artifact.path):
        info = registration.plugin.read_companions(artifact, values)
    return _checked_info(registration, "read_companions", info, artifact.path)


def merge_info(artifact: PackageInfo, companions: PackageInfo) -> PackageInfo:
    """One PackageInfo: the artifact's where it speaks, the companions' where it does not."""
    return PackageInfo(
        name=artifact.name or companions.name,
        version=artifact.version or companions.version,
        fields={**companions.fields, **artifact.fields},
    )


def check_readable_file(path: Path) -> None:
    """Raise a clear ``ArtifactError`` unless ``path`` is a non-empty regular file."""
    try:
        info = path.stat()
    except OSError as exc:
        if exc.errno == errno.EACCES:
            # A folder on the way that may not be searched.
            problem = "cannot be reached (Permission denied); check the permissions of its folders"
        elif exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.ELOOP):
            problem = "no such file; check the path"
        else:
            problem = f"cannot be read ({exc.strerror or exc}); check the path"
        raise ArtifactError(path, problem) from None
    if stat.S_ISDIR(info.st_mode):
        raise ArtifactError(path, "is a directory; pass the files inside it")
    if not stat.S_ISREG(info.st_mode):
        raise ArtifactError(path, "is not a regular file")
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise ArtifactError(
            path, f"cannot be read ({exc.strerror}); check its permissions"
        ) from None
    if info.st_size == 0:
        raise ArtifactError(path, "is empty; rebuild it")


def _checked_info(registration: Registration, method: str, info: object, path: Path) -> PackageInfo:
    if not isinstance(info, PackageInfo):
        problem = f"{method} returned {printable(repr(info), 60)}, not a pubsmith.PackageInfo"
    elif not isinstance(info.fields, Mapping):
        problem = f"{method} returned fields that are not a mapping of option names to values"
    else:
        return info
    raise PluginError(registration.failure(problem), path=path)
