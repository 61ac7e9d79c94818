"""The ``pubsmith`` command: the only place that prints errors and picks exit codes.

Subcommands are imported when invoked, so ``pubsmith --version`` loads neither the
plugins, nor the HTTP client, nor the sandbox.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from pubsmith._version import __version__

__all__ = ["main"]

_COMMANDS = {
    "publish": ("pubsmith.cli.publish", "publish_command"),
    "formats": ("pubsmith.cli.formats", "formats_command"),
    "sandbox": ("pubsmith.cli.sandbox", "sandbox_command"),
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in _COMMANDS:
            return None
        module_name, attribute = _COMMANDS[cmd_name]
        command: click.Command = getattr(importlib.import_module(module_name), attribute)
        return command


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    __version__, "--version", prog_name="pubsmith", message="%(prog)s %(version)s"
)
def cli() -> None:
    """Publish packages of every format to Cloudsmith."""


def main(argv: list[str] | None = None) -> Any:
    return cli.main(args=argv, prog_name="pubsmith")
