"""``hatch publish -p cloudsmith``: pubsmith as a hatch publisher plugin.

Registered in the ``hatch`` entry-point group. Settings come, highest first, from
``-o key=value``, the environment, ``[tool.hatch.publish.cloudsmith]``, ``[tool.pubsmith]``,
hatch's own config (``[publish.cloudsmith]`` in its ``config.toml``), then the rest of
:mod:`pubsmith.config`'s chain. Keys: ``repo``, ``url`` (or ``api-url``), ``tags``,
``republish``, ``formats``, ``skip-existing``, ``promote-to``, ``wait``, ``wait-timeout``,
``concurrency``, ``dry-run``; the key itself belongs in the environment or a user file.

hatch is imported only when hatch asks for the publisher class, so this module (and
pubsmith) can be imported without hatch installed.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pluggy

from pubsmith._text import printable
from pubsmith.config import Source
from pubsmith.errors import PubsmithError
from pubsmith.integrations._tool import ToolTable, dist_files, publish_for_tool
from pubsmith.results import PublishResult

__all__ = ["PLUGIN_NAME", "hatch_publish", "hatch_register_publisher", "publisher_class"]

PLUGIN_NAME = "cloudsmith"

hookimpl = pluggy.HookimplMarker("hatch")

# hatch's own keys: options it always passes, and the table key it reads itself.
_HATCH_KEYS = ("no_prompt", "initialize_auth", "disable")


@hookimpl
def hatch_register_publisher() -> type[Any]:
    return publisher_class()


@functools.cache
def publisher_class() -> type[Any]:
    """The ``PublisherInterface`` subclass, built on first use so hatch loads only then."""
    from hatch.publish.plugin.interface import PublisherInterface

    # hatch is untyped here (not installed for type checking), so the base is Any.
    class CloudsmithPublisher(PublisherInterface):  # type: ignore[misc]
        """Publishes ``dist/`` (or the given artifacts) to a Cloudsmith repository."""

        PLUGIN_NAME = PLUGIN_NAME

        def publish(self, artifacts: list[str], options: dict[str, Any]) -> None:
            try:
                results = hatch_publish(
                    Path(self.root), artifacts, options, self.project_config, self.plugin_config
                )
            except PubsmithError as exc:
                self.app.abort(printable(str(exc)))
                return
            _report(self.app, results)

    return CloudsmithPublisher


def hatch_publish(
    root: Path,
    artifacts: Sequence[str],
    options: Mapping[str, Any],
    project_config: Mapping[str, Any],
    plugin_config: Mapping[str, Any],
    *,
    environ: Mapping[str, str] | None = None,
) -> list[PublishResult]:
    """Publish for hatch: ``artifacts`` (default ``dist``) under ``root``."""
    from pubsmith.summary import append_step_summary

    flags, project, user = (
        {key: value for key, value in table.items() if key not in _HATCH_KEYS}
        for table in (options, project_config, plugin_config)
    )
    pyproject = root / "pyproject.toml"
    project_source = f"{pyproject} [tool.hatch.publish.{PLUGIN_NAME}]"
    _, results = publish_for_tool(
        dist_files(artifacts or ["dist"], root),
        root=root,
        flags=ToolTable(Source("hatch -o"), flags),
        project=ToolTable(Source(project_source, trusted=False, path=pyproject), project),
        user=ToolTable(Source(f"hatch config [publish.{PLUGIN_NAME}]"), user),
        environ=environ,
    )
    append_step_summary(results, environ)
    return results


def _report(app: Any, results: Sequence[PublishResult]) -> None:
    for result in results:
        line = f"{Path(result.file).name} ... {result.status}"
        if result.package or result.slug_perm:
            line += f" ({result.package or result.slug_perm})"
        if result.promoted_to:
            line += f", promoted to {result.promoted_package or result.promoted_to}"
        if result.status == "failed":
            app.display_error(printable(f"{line}: {result.error or ''}"))
        elif result.status == "skipped":
            app.display_warning(printable(line))
        else:
            app.display_success(printable(line))
    if any(result.status == "failed" for result in results):
        app.abort(code=1)
