"""Find format plugins through entry points and pick the one that fits a file."""

from __future__ import annotations

import errno
import importlib.metadata
import stat
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import ModuleType

import pluggy

from pubsmith import hookspecs
from pubsmith.artifact import Artifact
from pubsmith.errors import ArtifactError, ConfigError, FormatDetectionError, PluginError
from pubsmith.plugin import FormatPlugin, PackageInfo

__all__ = ["ENTRY_POINT_GROUP", "FormatRegistry"]

ENTRY_POINT_GROUP = "pubsmith.formats"


class FormatRegistry:
    """The installed format plugins, keyed by ``PLUGIN_NAME``."""

    def __init__(self, plugins: Mapping[str, FormatPlugin]) -> None:
        self._plugins = dict(sorted(plugins.items()))

    @classmethod
    def load(cls, extra: Iterable[ModuleType | object] = ()) -> FormatRegistry:
        """Load every plugin of the ``pubsmith.formats`` entry-point group, plus ``extra``.

        ``extra`` takes plugin objects registered directly (tests, embedding scripts).
        """
        manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        manager.add_hookspecs(hookspecs)
        origins: dict[object, str] = {}
        # Reading a distribution's metadata parses its METADATA file: once per distribution,
        # not once per entry point (that was a third of start-up).
        names: dict[int, str] = {}
        for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            distribution = _distribution_name(entry_point, names)
            try:
                module = entry_point.load()
            except Exception as exc:
                raise PluginError(
                    f"format plugin {entry_point.name!r} from {distribution} failed to load: "
                    f"{type(exc).__name__}: {exc}; upgrade or uninstall {distribution}"
                ) from exc
            if manager.is_registered(module):
                continue
            manager.register(module, name=f"{distribution}:{entry_point.name}")
            origins[module] = distribution
        for plugin in extra:
            manager.register(plugin)
            origins[plugin] = getattr(plugin, "__name__", type(plugin).__name__)
        manager.check_pending()

        plugins: dict[str, FormatPlugin] = {}
        owners: dict[str, str] = {}
        for impl in manager.hook.pubsmith_register_format.get_hookimpls():
            owner = origins.get(impl.plugin, impl.plugin_name)
            plugin_class = impl.function()
            if not (isinstance(plugin_class, type) and issubclass(plugin_class, FormatPlugin)):
                raise PluginError(
                    f"{owner} registered {plugin_class!r}, which is not a FormatPlugin"
                )
            name = plugin_class.PLUGIN_NAME
            if not name:
                raise PluginError(
                    f"{owner} registered {plugin_class.__name__} without a PLUGIN_NAME"
                )
            if name in plugins:
                raise PluginError(
                    f"two plugins are named {name!r}: {owners[name]} and {owner}; "
                    "uninstall one of them"
                )
            plugins[name] = plugin_class()
            owners[name] = owner
        return cls(plugins)

    def __contains__(self, name: object) -> bool:
        return name in self._plugins

    def __iter__(self) -> Iterator[FormatPlugin]:
        return iter(self._plugins.values())

    def names(self) -> list[str]:
        return list(self._plugins)

    def canonical_name(self, name: str) -> str | None:
        """The installed format called ``name`` in any letter case, or None."""
        wanted = name.casefold()
        return next((known for known in self._plugins if known.casefold() == wanted), None)

    def get(self, name: str) -> FormatPlugin:
        try:
            return self._plugins[name]
        except KeyError:
            raise ConfigError(
                f"unknown format {name!r}; installed formats: {', '.join(self._plugins)}"
            ) from None

    def detect(self, artifact: Artifact) -> FormatPlugin:
        """The one plugin whose ``recognise`` accepts ``artifact``."""
        matches = [name for name, plugin in self._plugins.items() if _recognises(plugin, artifact)]
        if len(matches) == 1:
            return self._plugins[matches[0]]
        if not matches and artifact.refusal is not None:
            # Past its reading limits, a file is nobody's for a reason worth saying.
            raise artifact.refusal.with_traceback(None)
        if not matches and artifact.damage is not None:
            raise ArtifactError(artifact.path, artifact.damage)
        raise FormatDetectionError(artifact.path, matches)

    def inspect(
        self, path: Path | str, format_name: str | None = None
    ) -> tuple[FormatPlugin, Artifact, PackageInfo]:
        """Check ``path`` is a readable file, pick its format and read its metadata."""
        artifact = Artifact(path)
        check_readable_file(artifact.path)
        plugin = self.get(format_name) if format_name else self.detect(artifact)
        return plugin, artifact, plugin.read_metadata(artifact)


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


def _recognises(plugin: FormatPlugin, artifact: Artifact) -> bool:
    try:
        return plugin.recognise(artifact)
    except ArtifactError:
        # A corrupt archive is nobody's; read_metadata under --format says what is wrong.
        return False


def _distribution_name(entry_point: importlib.metadata.EntryPoint, names: dict[int, str]) -> str:
    distribution = getattr(entry_point, "dist", None)
    if distribution is None:
        return "an unknown distribution"
    if id(distribution) not in names:
        metadata = distribution.metadata
        names[id(distribution)] = f"{metadata['Name']} {metadata['Version']}"
    return names[id(distribution)]
