"""What the hatch and Poetry plugins share: tool tables as config layers, then one publish.

A tool table (``[tool.hatch.publish.cloudsmith]``, hatch's ``[publish.cloudsmith]``, a
tool's ``-o key=value`` options) holds pubsmith's settings under their usual names
(``url`` is accepted for ``api-url``, as hatch's own publisher calls it) plus how to run.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pubsmith.config import Config, load_config
from pubsmith.config_files import KEYS, Layer, Source
from pubsmith.config_values import parse_bool
from pubsmith.errors import ConfigError
from pubsmith.events import EventSink
from pubsmith.results import PublishResult

__all__ = ["RUN_KEYS", "ToolTable", "dist_files", "publish_for_tool"]

RUN_KEYS = (
    "skip-existing",
    "promote-to",
    "wait",
    "wait-timeout",
    "resync-failed",
    "concurrency",
    "dry-run",
    "check",
)
_ALIASES = {"url": "api-url"}


@dataclass(frozen=True)
class ToolTable:
    """One table of settings and run options, and where it came from."""

    source: Source
    values: Mapping[str, Any] = field(default_factory=dict)

    def split(self) -> tuple[Layer, dict[str, Any]]:
        """Its config settings as a layer, and its run options; unknown keys are an error."""
        settings: dict[str, Any] = {}
        run: dict[str, Any] = {}
        for raw_key, value in self.values.items():
            key = _ALIASES.get(raw_key, raw_key).replace("_", "-")
            if key in KEYS:
                settings[key] = value
            elif key in RUN_KEYS:
                run[key] = value
            else:
                known = ", ".join(sorted({*KEYS, *RUN_KEYS, *_ALIASES}))
                raise ConfigError(f"{self.source}: unknown setting {raw_key!r}; known: {known}")
        return Layer(self.source, settings), run


def dist_files(paths: Iterable[str | Path], root: Path) -> list[Path]:
    """Files to publish: each file given, and the wheels and sdists in each directory."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw) if Path(raw).is_absolute() else root / raw
        if path.is_dir():
            found.extend(sorted([*path.glob("*.whl"), *path.glob("*.tar.gz")]))
        else:
            found.append(path)
    return found


def publish_for_tool(
    paths: Iterable[Path],
    *,
    root: Path,
    flags: ToolTable,
    flag_label: str | None = None,
    project: ToolTable | None = None,
    user: ToolTable | None = None,
    environ: Mapping[str, str] | None = None,
    on_event: EventSink | None = None,
) -> tuple[Config, list[PublishResult]]:
    """Resolve settings (flags > env > project tables > user tables > ...) and publish.

    ``flag_label`` names a flag in messages (default: the flags' source and the key).
    """
    from pubsmith.options import PublishOptions
    from pubsmith.publishing import plan, run

    flag_layer, run_options = flags.split()
    project_layers: list[Layer] = []
    user_layers: list[Layer] = []
    for table, layers in ((project, project_layers), (user, user_layers)):
        if table is not None:
            layer, table_run = table.split()
            layers.append(layer)
            run_options = {**table_run, **run_options}  # flags, then the project, then the user
    config = load_config(
        flags=flag_layer.values,
        flag_label=flag_label or f"{flags.source} {{key}}",
        cwd=root,
        environ=environ,
        project_layers=project_layers,
        user_layers=user_layers,
    )
    files = list(paths)
    if not files:
        raise ConfigError(
            f"nothing to publish: no wheel or sdist of the project in {root}; build it first"
        )
    options = PublishOptions(
        repo=config.repo.value if config.repo else None,
        options=config.options(),
        tags=config.tags.value if config.tags else (),
        republish=bool(config.republish and config.republish.value),
        skip_existing=_flag(run_options, "skip-existing", False),
        dry_run=_flag(run_options, "dry-run", False),
        check=_flag(run_options, "check", False),
        wait=_flag(run_options, "wait", True),
        wait_timeout=_number(run_options, "wait-timeout", 600.0, float),
        resync_failed=_count(run_options, "resync-failed"),
        concurrency=int(_number(run_options, "concurrency", 4, int)),
        promote_to=str(run_options["promote-to"]) if run_options.get("promote-to") else None,
    )
    results = run(
        plan(files, options),
        settings=functools.partial(config.settings, environ=environ),
        on_event=on_event,
    )
    return config, results


def _flag(run: Mapping[str, Any], key: str, default: bool) -> bool:
    value = run.get(key, default)
    parsed = value if isinstance(value, bool) else parse_bool(str(value))
    if parsed is None:
        raise ConfigError(f"{key} must be true or false, not {value!r}")
    return parsed


def _count(run: Mapping[str, Any], key: str) -> int:
    value = run.get(key, 0)
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if number < 0 or isinstance(value, bool):
        raise ConfigError(f"{key} must be a whole number, 0 or more, not {value!r}")
    return number


def _number(run: Mapping[str, Any], key: str, default: float, kind: type) -> float:
    value = run.get(key, default)
    try:
        number = float(kind(value))
    except (TypeError, ValueError):
        number = -1.0
    if number <= 0:
        raise ConfigError(f"{key} must be a number above 0, not {value!r}")
    return number
