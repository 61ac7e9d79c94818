"""``pubsmith formats``: the installed format plugins, where each comes from, its options."""

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
    """List installed formats, the plugin providing each, and their -o options."""
    from pubsmith.registry import FormatRegistry

    registrations = FormatRegistry.load().registrations()
    if as_json:
        listing = [
            {
                "format": registration.name,
                "summary": registration.plugin.summary,
                "distribution": registration.origin.distribution,
                "version": registration.origin.version,
                "builtin": registration.origin.builtin,
                "replaces": registration.replaces,
                "options": [
                    {
                        "name": option.name,
                        "type": option.type,
                        "required": option.required,
                        "read_from_file": option.read_from_file,
                        "choices": list(option.choices),
                        "help": option.help,
                    }
                    for option in registration.plugin.options
                ],
            }
            for registration in registrations
        ]
        click.echo(json.dumps(listing, indent=2))
        return
    # Third-party plugins write these texts: shown, never acted on by the terminal.
    for registration in registrations:
        plugin, origin = registration.plugin, registration.origin
        source = "" if origin.builtin else f"  [from {origin.label}]"
        if registration.replaces:
            source = f"  [from {origin.label}, replacing the builtin of {registration.replaces}]"
        click.echo(printable(f"{plugin.PLUGIN_NAME:<12} {plugin.summary}{source}"))
        for option in plugin.options:
            flags: list[str] = [option.type]
            if option.required and option.read_from_file:
                flags.append("read from the file; required if it does not state it")
            elif option.required:
                flags.append("required")
            if option.choices:
                flags.append("one of " + "|".join(option.choices))
            click.echo(printable(f"    -o {option.name}=...  ({', '.join(flags)}) {option.help}"))
