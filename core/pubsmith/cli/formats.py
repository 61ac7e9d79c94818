"""``pubsmith formats``: the installed format plugins and the options each takes."""

from __future__ import annotations

import json

import click

from pubsmith._text import printable
from pubsmith.cli.errors import handle_errors

__all__ = ["formats_command"]


@click.command("formats")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@handle_errors
def formats_command(as_json: bool) -> None:
    """List installed formats and their -o options."""
    from pubsmith.registry import FormatRegistry

    registry = FormatRegistry.load()
    if as_json:
        listing = [
            {
                "format": plugin.PLUGIN_NAME,
                "summary": plugin.summary,
                "options": [
                    {
                        "name": option.name,
                        "type": option.type,
                        "required": option.required,
                        "choices": list(option.choices),
                        "help": option.help,
                    }
                    for option in plugin.options
                ],
            }
            for plugin in registry
        ]
        click.echo(json.dumps(listing, indent=2))
        return
    # Third-party plugins write these texts: shown, never acted on by the terminal.
    for plugin in registry:
        click.echo(printable(f"{plugin.PLUGIN_NAME:<12} {plugin.summary}"))
        for option in plugin.options:
            flags: list[str] = [option.type]
            if option.required:
                flags.append("required")
            if option.choices:
                flags.append("one of " + "|".join(option.choices))
            click.echo(printable(f"    -o {option.name}=...  ({', '.join(flags)}) {option.help}"))
