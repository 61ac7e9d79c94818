"""``pubsmith list OWNER/REPO [QUERY]``: find packages, in Cloudsmith's search syntax."""

from __future__ import annotations

import json

import click

from pubsmith._text import printable
from pubsmith.cli.errors import echo_warning, handle_errors
from pubsmith.cli.options import Connection, connection_options
from pubsmith.errors import ConfigError, ValidationError

__all__ = ["list_command"]


@click.command("list")
@click.argument("repository", metavar="OWNER/REPO")
@click.argument("query", nargs=-1)
@click.option(
    "--format", "-f", "format_name", metavar="FORMAT", help="Only packages of this format."
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    metavar="N",
    help="Stop after N packages [default: all, every page].",
)
@click.option("--json", "as_json", is_flag=True, help="Print the packages as JSON.")
@connection_options
@handle_errors
def list_command(
    repository: str,
    query: tuple[str, ...],
    format_name: str | None,
    limit: int | None,
    as_json: bool,
    connection: Connection,
) -> None:
    """List the packages of OWNER/REPO that QUERY matches, newest first.

    QUERY is Cloudsmith's search syntax: name:acme-greeting version:1.2.0, tag:latest,
    format:python, status:completed, version:>=1.2, filename:^acme, joined by AND (the
    default), OR and NOT, grouped with parentheses. Each package is shown as
    OWNER/REPO/SLUG_PERM, which status, tag, promote, resync and delete take.
    """
    from pubsmith.config import load_config
    from pubsmith.packages import connect, find_packages, package_summary, search_query
    from pubsmith.settings import Repository

    repo = Repository.parse(repository)
    config = load_config(flags=connection.flags, key_flag="--api-key")
    for warning in config.warnings:
        echo_warning(warning)
    text = search_query(" ".join(query), format_name)
    with connect(
        config, org=repo.owner, allow_http=connection.allow_http, ca_bundle=connection.ca_bundle
    ) as client:
        try:
            found = [
                package_summary(repo, package)
                for package in find_packages(client, repo, text, limit=limit)
            ]
        except ValidationError as exc:
            raise ConfigError(
                f"the API cannot read the query {text!r}: {exc.detail or exc}; see "
                "`pubsmith list --help` for the search syntax"
            ) from None
    if as_json:
        click.echo(json.dumps(found, indent=2))
        return
    for item in found:
        identity = " ".join(str(item[key]) for key in ("format", "name", "version") if item[key])
        line = f"{item['package']}  [{identity}]  {item['filename']}  {item['status'] or ''}"
        click.echo(printable(line.rstrip()))
    matched = f" matching {text!r}" if text else ""
    noun = "package" if len(found) == 1 else "packages"
    click.echo(printable(f"{len(found)} {noun} in {repo}{matched}"), err=True)
