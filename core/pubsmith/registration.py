"""Where an installed format plugin came from, and the one place its failures are named.

Every call pubsmith makes into a plugin goes through :func:`calling`, so that an exception
a plugin raises on its own account (anything but a :class:`~pubsmith.PubsmithError`)
becomes one :class:`~pubsmith.PluginError` line naming the plugin, its distribution and
the method that failed, instead of a traceback or a file wrongly blamed for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

from pubsmith._text import printable
from pubsmith.errors import PluginError, PubsmithError
from pubsmith.plugin import FormatPlugin

__all__ = ["BUILTIN_DISTRIBUTION", "Origin", "Registration", "calling", "detail"]

BUILTIN_DISTRIBUTION = "pubsmith"
_MAX_DETAIL = 200


@dataclass(frozen=True)
class Origin:
    """The entry point (or object) a plugin was registered from, and its distribution."""

    entry_point: str
    distribution: str | None = None
    version: str | None = None

    @property
    def builtin(self) -> bool:
        return self.distribution == BUILTIN_DISTRIBUTION

    @property
    def label(self) -> str:
        """``pubsmith-widget 1.0``, or where a directly registered plugin came from."""
        if self.distribution is None:
            return "registered directly"
        return " ".join(part for part in (self.distribution, self.version) if part)

    def describe(self, name: str | None = None) -> str:
        """``format plugin 'widget' (pubsmith-widget 1.0)``, by ``name`` once it is known."""
        return f"format plugin {name or self.entry_point!r} ({self.label})"

    def advice(self) -> str:
        """What the user can do about a plugin that broke: it depends on whose it is."""
        if self.builtin:
            return "this is a bug in pubsmith; please report it"
        if self.distribution is None:
            return "fix the plugin"
        return f"upgrade or uninstall {self.distribution}"

    def failure(
        self,
        what: str,
        exc: BaseException | None = None,
        *,
        name: str | None = None,
        hint: str = "",
    ) -> str:
        """One line: the plugin ``what`` (``failed in recognise``), and the ways out."""
        said = f" ({detail(exc) or 'no message'})" if exc is not None else ""
        hint = f"; {hint}" if hint else ""
        return f"{self.describe(name)} {what}{said}{hint}; {self.advice()}"


@dataclass(frozen=True)
class Registration:
    """One installed format plugin: its instance, where it came from, what it replaced."""

    plugin: FormatPlugin
    origin: Origin
    replaces: str | None = None
    """The label of the distribution whose builtin format of this name it replaces."""

    @property
    def name(self) -> str:
        return self.plugin.PLUGIN_NAME

    def describe(self) -> str:
        return self.origin.describe(self.name)

    def failure(self, what: str, exc: BaseException | None = None, *, hint: str = "") -> str:
        """:meth:`Origin.failure`, naming the plugin by its format."""
        return self.origin.failure(what, exc, name=self.name, hint=hint)

    def calling(
        self, method: str, *, path: Path | None = None, hint: str = ""
    ) -> AbstractContextManager[None]:
        """:func:`calling` this plugin's ``method``."""
        return calling(self.origin, method, name=self.name, path=path, hint=hint)


@contextmanager
def calling(
    origin: Origin,
    method: str,
    *,
    name: str | None = None,
    path: Path | None = None,
    hint: str = "",
) -> Iterator[None]:
    """Run a call into a plugin's ``method``; its own exceptions become a PluginError.

    A :class:`~pubsmith.PubsmithError` passes unchanged: an ``ArtifactError`` or
    ``OptionError`` is the plugin reporting bad input, as the contract asks it to.
    """
    try:
        yield
    except PubsmithError:
        raise
    except Exception as exc:
        message = origin.failure(f"failed in {method}", exc, name=name, hint=hint)
        raise PluginError(message, path=path) from exc


def detail(error: BaseException, limit: int = _MAX_DETAIL) -> str:
    """What an exception from a plugin says, on one line, shown safely and cut to ``limit``.

    Untrusted: a third-party plugin's exception may quote file content.
    """
    return printable(" ".join(str(error).split()), limit)
