"""The ``pubsmith`` command: the only place that prints errors and picks exit codes.

Subcommands are imported when invoked, so ``pubsmith --version`` loads neither the
plugins, nor the HTTP client, nor the sandbox.
"""

from __future__ import annotations

import difflib
import importlib
import sys
from typing import Any

import click

from pubsmith._version import __version__
from pubsmith.cli.collector import collect_from_now_on, freeze_for_exit, hold_collection
from pubsmith.cli.errors import echo_error

__all__ = ["main"]

# click 8.2 reports a bare group call as an error that carries the help text.
_NO_ARGS: tuple[type[click.ClickException], ...] = tuple(
    getattr(click.exceptions, name)
    for name in ("NoArgsIsHelpError",)
    if hasattr(click.exceptions, name)
)

_COMMANDS = {
    "publish": ("pubsmith.cli.publish", "publish_command"),
    "formats": ("pubsmith.cli.formats", "formats_command"),
    "sandbox": ("pubsmith_sandbox.cli", "sandbox_command"),
    "config": ("pubsmith.cli.config", "config_command"),
    "promote": ("pubsmith.cli.manage", "promote_command"),
    "status": ("pubsmith.cli.manage", "status_command"),
    "tag": ("pubsmith.cli.manage", "tag_command"),
    "resync": ("pubsmith.cli.manage", "resync_command"),
    "delete": ("pubsmith.cli.manage", "delete_command"),
    "list": ("pubsmith.cli.listing", "list_command"),
}
# Commands that load more once running (publish: the plugins its files need), and say
# themselves when their start-up is over.
_STARTING_UP_THEMSELVES = frozenset({"publish"})


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in _COMMANDS:
            return None
        module_name, attribute = _COMMANDS[cmd_name]
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name.partition(".")[0]:
                raise
            return _not_installed(cmd_name, exc.name)
        command: click.Command = getattr(module, attribute)
        if cmd_name not in _STARTING_UP_THEMSELVES:
            collect_from_now_on()
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if args and name not in _COMMANDS and not name.startswith("-"):
            close = difflib.get_close_matches(name, list(_COMMANDS), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            ctx.fail(f"no command {name!r}{hint}; commands: {', '.join(sorted(_COMMANDS))}")
        return super().resolve_command(ctx, args)


def _not_installed(name: str, module: str) -> click.Command:
    """A stand-in for a command whose distribution is not installed: it says what to install."""
    distribution = module.replace("_", "-")

    @click.command(
        name,
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
        add_help_option=False,
        help=f"(not installed: pip install {distribution})",
    )
    def command() -> None:
        echo_error(
            f"`pubsmith {name}` needs {distribution}, which is not installed; "
            f"install it with: pip install 'pubsmith[{name}]'"
        )
        sys.exit(2)

    return command


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    __version__, "--version", prog_name="pubsmith", message="%(prog)s %(version)s"
)
def cli() -> None:
    """Publish packages of every format to Cloudsmith."""


def main(argv: list[str] | None = None) -> Any:
    """Run the command line; with ``argv`` None (the ``pubsmith`` command), the process is
    pubsmith's own, and its garbage collector runs as :mod:`pubsmith.cli.collector` says."""
    # httpx imports its own command-line client, and with it rich's syntax highlighting and
    # pygments, whenever they are installed: a tenth of a second of CPU at every start of a
    # command that never uses it. The command owns its process, so it declines that module
    # (``httpx.main`` becomes httpx's stub); ``import pubsmith`` as a library leaves it be.
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]  # None: not importable
    owned = argv is None
    if owned:
        hold_collection()
    try:
        return _run(argv)
    finally:
        if owned:
            freeze_for_exit()


def _run(argv: list[str] | None) -> Any:
    try:
        result = cli.main(args=argv, prog_name="pubsmith", standalone_mode=False)
    except _NO_ARGS as exc:
        exc.show()  # `pubsmith` alone: the help is the answer
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        # One line like every other error, rather than click's usage block.
        context = getattr(exc, "ctx", None)
        hint = f"; see '{context.command_path} -h'" if context is not None else ""
        echo_error(exc.format_message().rstrip(".") + hint)
        sys.exit(exc.exit_code)
    except click.Abort:
        echo_error("interrupted")
        sys.exit(130)
    if isinstance(result, int):
        sys.exit(result)  # click's own exits (--help, --version) come back as a code
    return result
