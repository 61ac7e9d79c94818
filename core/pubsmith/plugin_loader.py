"""Load format plugins from entry points with pluggy, and vet each against the contract.

Builtins and third-party plugins load the same way: each module named in the
``pubsmith.formats`` entry-point group is imported and registered with one plugin manager,
which checks its hook implementations against :mod:`pubsmith.hookspecs`; each plugin's
registration hook is then called through the manager. Whatever goes wrong, with one plugin
or between two, is a :class:`~pubsmith.PluginError` naming the plugin and its distribution,
as flake8's plugin finder wraps load failures.
"""

from __future__ import annotations

import importlib.metadata
import inspect
import re
from collections.abc import Iterable
from dataclasses import replace

import pluggy

from pubsmith import hookspecs
from pubsmith._text import printable
from pubsmith.errors import PluginError
from pubsmith.plugin import FormatPlugin, Option
from pubsmith.registration import Origin, Registration, calling, detail

__all__ = ["ENTRY_POINT_GROUP", "PluginLoader"]

ENTRY_POINT_GROUP = "pubsmith.formats"
_HOOK = "pubsmith_register_format"
# A format's name is typed as FORMAT:FILE and scopes options as FORMAT.key.
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
_COMMON_FIELDS = frozenset({"package_file", "tags", "republish"})


class PluginLoader:
    """The plugins of the ``pubsmith.formats`` entry-point group, plus ``extra``.

    Third-party plugins and ``extra`` (plugin objects registered directly: tests,
    embedding scripts) load at once. A builtin loads when its format is first asked for
    (:meth:`load_builtin`), or with every other one (:meth:`load_all`): a run publishing one
    format imports one builtin module, not all of them. A third-party plugin that sets
    ``REPLACES_BUILTIN`` takes the place of the builtin of its name; any other two plugins
    with one name are an error naming both, raised as soon as both are installed.
    """

    def __init__(self, extra: Iterable[object] = ()) -> None:
        self._manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self._manager.add_hookspecs(hookspecs)
        self.registrations: dict[str, Registration] = {}
        """What is loaded so far, by format name."""
        entries = list(_entry_points())
        # A builtin's entry point is named after its format (tests/core/test_plugin_loader.py).
        self._builtins = {
            origin.entry_point: (entry, origin) for entry, origin in entries if origin.builtin
        }
        third_party = [
            (_imported(entry, origin), origin) for entry, origin in entries if not origin.builtin
        ]
        direct = [
            (plugin, Origin(entry_point=getattr(plugin, "__name__", type(plugin).__name__)))
            for plugin in extra
        ]
        self._load([*third_party, *direct])
        for name in list(self.registrations):
            self.load_builtin(name)  # a clash with a builtin shows now, not on first use

    @property
    def pending(self) -> list[str]:
        """The formats of the builtins not loaded yet."""
        return list(self._builtins)

    def load_builtin(self, name: str) -> None:
        """Load the builtin plugin of format ``name``, if there is one not loaded yet."""
        found = self._builtins.pop(name, None)
        if found is not None:
            self._load([(_imported(*found), found[1])])

    def load_all(self) -> None:
        """Load every builtin not loaded yet."""
        pending = list(self._builtins.values())
        self._builtins.clear()
        self._load([(_imported(entry, origin), origin) for entry, origin in pending])

    def _load(self, sources: list[tuple[object, Origin]]) -> None:
        added: list[tuple[object, Origin]] = []
        for plugin, origin in sources:
            if self._manager.is_registered(plugin):
                continue  # two entry points naming one module register it once
            _register(self._manager, plugin, origin)
            added.append((plugin, origin))
        try:
            self._manager.check_pending()
        except pluggy.PluginValidationError as exc:  # _register reports these first; a backstop
            origin = next(origin for plugin, origin in added if plugin is exc.plugin)
            raise PluginError(
                f"{origin.describe()}: {_last_line(exc)}; {origin.advice()}"
            ) from None
        everyone = self._manager.get_plugins()
        for plugin, origin in added:
            # Each plugin's hook is called on its own, so that what it returns, or raises,
            # is known to be that plugin's.
            caller = self._manager.subset_hook_caller(
                _HOOK, remove_plugins=[other for other in everyone if other is not plugin]
            )
            with calling(origin, _HOOK):
                results = caller()
            _add(self.registrations, _instantiate(origin, results))


def _entry_points() -> Iterable[tuple[importlib.metadata.EntryPoint, Origin]]:
    # Reading a distribution's metadata parses its METADATA file: once per distribution,
    # not once per entry point (that was a third of start-up).
    names: dict[int, tuple[str, str]] = {}
    for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        distribution = getattr(entry_point, "dist", None)
        if distribution is None:
            yield entry_point, Origin(entry_point.name, "an unknown distribution")
            continue
        if id(distribution) not in names:
            metadata = distribution.metadata
            names[id(distribution)] = (metadata["Name"], metadata["Version"])
        yield entry_point, Origin(entry_point.name, *names[id(distribution)])


def _imported(entry_point: importlib.metadata.EntryPoint, origin: Origin) -> object:
    try:
        return entry_point.load()
    except Exception as exc:
        said = detail(exc) or "no message"
        raise PluginError(
            f"{origin.describe()} cannot be imported ({said}); {origin.advice()}"
        ) from exc


def _register(manager: pluggy.PluginManager, plugin: object, origin: Origin) -> None:
    try:
        manager.register(plugin, name=f"{origin.label}:{origin.entry_point}")
    except pluggy.PluginValidationError as exc:
        raise PluginError(
            f"{origin.describe()}: {_signature_problem(manager, plugin) or _last_line(exc)}; "
            f"{origin.advice()}"
        ) from None
    except ValueError:  # pluggy's refusal of a second plugin under one name
        raise PluginError(
            f"{origin.describe()} is registered twice under one name; {origin.advice()}"
        ) from None
    callers = manager.get_hookcallers(plugin) or []
    unknown = sorted(caller.name for caller in callers if not caller.has_spec())
    if unknown:
        raise PluginError(
            f"{origin.describe()} implements {', '.join(unknown)}, which pubsmith does not "
            f"know: its hook is {_HOOK}; {origin.advice()}"
        )
    if not any(caller.name == _HOOK for caller in callers):
        unmarked = callable(getattr(plugin, _HOOK, None))
        problem = (
            f"its {_HOOK} is not marked with @pubsmith.hookimpl"
            if unmarked
            else f"it has no {_HOOK} hook marked with @pubsmith.hookimpl"
        )
        raise PluginError(f"{origin.describe()} registers no format: {problem}; {origin.advice()}")


def _signature_problem(manager: pluggy.PluginManager, plugin: object) -> str:
    """Which hook implementation takes arguments its specification does not pass."""
    for attribute in dir(plugin):
        if manager.parse_hookimpl_opts(plugin, attribute) is None:
            continue
        spec = getattr(getattr(manager.hook, attribute, None), "spec", None)
        if spec is None:
            continue
        function = getattr(plugin, attribute)
        parameters = set(inspect.signature(function).parameters) - {"self"}
        extra = sorted(parameters - set(spec.argnames) - set(spec.kwargnames))
        if extra:
            expected = ", ".join(spec.argnames)
            return (
                f"its {attribute} takes {', '.join(extra)}, which the hook does not pass; "
                f"define it as {attribute}({expected})"
            )
    return ""


def _instantiate(origin: Origin, results: list[object]) -> Registration:
    plugin_class = results[0] if len(results) == 1 else None
    if not (isinstance(plugin_class, type) and issubclass(plugin_class, FormatPlugin)):
        got = printable(repr(results[0] if len(results) == 1 else results), 80)
        raise PluginError(
            f"{origin.describe()}: {_HOOK} returned {got}, not a FormatPlugin subclass; "
            f"{origin.advice()}"
        )
    name = plugin_class.PLUGIN_NAME
    if not (isinstance(name, str) and _NAME.fullmatch(name)):
        raise PluginError(
            f"{origin.describe()}: {plugin_class.__name__}.PLUGIN_NAME is {name!r}, not a "
            f"lowercase format name such as 'npm'; {origin.advice()}"
        )
    _check_options(origin, plugin_class)
    with calling(origin, f"creating {plugin_class.__name__}", name=name):
        plugin = plugin_class()
    return Registration(plugin, origin)


def _check_options(origin: Origin, plugin_class: type[FormatPlugin]) -> None:
    options = plugin_class.options
    problem = ""
    if not (isinstance(options, tuple) and all(isinstance(item, Option) for item in options)):
        problem = "its options are not a tuple of pubsmith.Option"
    else:
        names = [option.name for option in options]
        twice = {name for name in names if names.count(name) > 1}
        clashing = sorted(twice | (set(names) & _COMMON_FIELDS))
        if clashing:
            problem = f"it declares option {clashing[0]!r} twice, or one that pubsmith itself sets"
    if problem:
        raise PluginError(
            f"{origin.describe(plugin_class.PLUGIN_NAME)}: {problem}; {origin.advice()}"
        )


def _add(registrations: dict[str, Registration], new: Registration) -> None:
    """Add ``new``, replacing a builtin of its name if it says so; else refuse a clash."""
    old = registrations.get(new.name)
    if old is None:
        registrations[new.name] = new
        return
    for builtin, replacement in ((old, new), (new, old)):
        if (
            builtin.origin.builtin
            and not replacement.origin.builtin
            and replacement.plugin.REPLACES_BUILTIN
        ):
            registrations[new.name] = replace(replacement, replaces=builtin.origin.label)
            return
    third_party = next((r for r in (old, new) if not r.origin.builtin), new)
    hint = (
        f", or set REPLACES_BUILTIN = True in {type(third_party.plugin).__name__} to replace "
        "the builtin"
        if old.origin.builtin or new.origin.builtin
        else ""
    )
    raise PluginError(
        f"two plugins are named {new.name!r}: {old.origin.label} and {new.origin.label}; "
        f"uninstall one of them{hint}"
    )


def _last_line(exc: Exception) -> str:
    return printable(str(exc).strip().splitlines()[-1] if str(exc).strip() else "invalid", 200)
