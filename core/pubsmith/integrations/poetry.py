"""``poetry cloudsmith publish``: pubsmith as a Poetry application plugin.

Registered in the ``poetry.application.plugin`` entry-point group; install pubsmith into
Poetry's own environment (``poetry self add pubsmith``). Publishes the project's wheel and
sdist from ``dist/`` (``--build`` builds them first), with settings from the options, the
environment, ``[tool.pubsmith]`` and the rest of :mod:`pubsmith.config`'s chain.

This module is imported by Poetry only: it needs Poetry and cleo, pubsmith does not.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

from cleo.formatters.formatter import Formatter
from cleo.helpers import option
from poetry.console.commands.command import Command
from poetry.plugins.application_plugin import ApplicationPlugin

from pubsmith._text import printable
from pubsmith.cli.exit_codes import exit_code_for_error, exit_code_for_results
from pubsmith.config import Source
from pubsmith.errors import PubsmithError
from pubsmith.integrations._tool import ToolTable, publish_for_tool
from pubsmith.results import PublishResult
from pubsmith.summary import append_step_summary

__all__ = ["CloudsmithPlugin", "CloudsmithPublishCommand"]


# Poetry and cleo are untyped for mypy (not installed where it runs): bases are Any.
class CloudsmithPublishCommand(Command):  # type: ignore[misc]
    name = "cloudsmith publish"
    description = "Publish the package to a Cloudsmith repository, with pubsmith."
    options: ClassVar[list[Any]] = [
        option("repo", "r", "Repository OWNER/REPO [default: [tool.pubsmith] repo].", flag=False),
        option("build", None, "Build the package before publishing."),
        option("dist-dir", None, "Directory with the built files.", flag=False, default="dist"),
        option("tags", None, "Comma-separated tags for every package.", flag=False),
        option("republish", None, "Replace a package with the same version."),
        option("skip-existing", None, "Skip files already published with the same content."),
        option("promote-to", None, "Then copy each package to this REPO.", flag=False),
        option("no-wait", None, "Do not wait for Cloudsmith to process the packages."),
        option("dry-run", None, "Contact no server; show what would be published."),
        option("check", None, "Have the server validate every package, then stop."),
        option("api-url", None, "API URL [env: CLOUDSMITH_API_HOST].", flag=False),
        option("json", None, "Print the results as pubsmith publish --json does."),
    ]
    help = (
        "Publishes the wheel and sdist of this project from dist/ to Cloudsmith. The API key "
        "comes from CLOUDSMITH_API_KEY, your pubsmith or Cloudsmith CLI config, the keyring, "
        "or OIDC in CI; the repository from --repo or [tool.pubsmith] repo."
    )

    def handle(self) -> int:
        from poetry.publishing.publisher import Publisher

        root = self.poetry.pyproject_path.parent
        dist_dir = str(self.option("dist-dir"))
        if self.option("build"):
            code = int(self.call("build", f"--output {dist_dir}"))
            if code:
                return code
        files = Publisher(self.poetry, self.io, root / dist_dir).files
        flags: dict[str, Any] = {
            "repo": self.option("repo"),
            "api-url": self.option("api-url"),
            "tags": self.option("tags"),
            "promote-to": self.option("promote-to"),
        }
        for name in ("republish", "skip-existing", "dry-run", "check"):
            if self.option(name):
                flags[name] = True
        if self.option("no-wait"):
            flags["wait"] = False
        table = ToolTable(Source("option"), {k: v for k, v in flags.items() if v is not None})
        try:
            _, results = publish_for_tool(files, root=root, flags=table, flag_label="--{key}")
            append_step_summary(results)
        except PubsmithError as exc:
            self.line_error(f"<error>error: {Formatter.escape(printable(str(exc)))}</>")
            return int(exit_code_for_error(exc))
        self._report(results)
        return int(exit_code_for_results(results))

    def _report(self, results: list[PublishResult]) -> None:
        if self.option("json"):
            document = json.dumps([result.to_dict() for result in results], indent=2)
            self.line(Formatter.escape(document))
        for result in results:
            line = f"{result.status:<10} {Path(result.file).name}"
            if result.package or result.slug_perm:
                line += f"  {result.package or result.slug_perm}"
            if result.promoted_to:
                line += f"  promoted to {result.promoted_package or result.promoted_to}"
            if result.error:
                line += f"  error: {result.error}"
            style = "error" if result.status == "failed" else "info"
            self.line_error(f"<{style}>{Formatter.escape(printable(line))}</>")


class CloudsmithPlugin(ApplicationPlugin):  # type: ignore[misc]
    """Adds ``poetry cloudsmith publish``."""

    @property
    def commands(self) -> list[type[Command]]:
        return [CloudsmithPublishCommand]
