"""``pubsmith promote``, ``status``, ``tag``, ``resync`` and ``delete``: one package each."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import click

from pubsmith._text import printable
from pubsmith.cli.errors import echo_warning, handle_errors
from pubsmith.cli.exit_codes import ExitCode
from pubsmith.cli.options import Connection, connection_options
from pubsmith.errors import ConfigError, NotFoundError, ValidationError

if TYPE_CHECKING:
    from pubsmith.client import CloudsmithClient
    from pubsmith.packages import PackageRef

__all__ = [
    "delete_command",
    "promote_command",
    "resync_command",
    "status_command",
    "tag_command",
]

F = TypeVar("F", bound=Callable[..., Any])


def _api_options(command: F) -> F:
    """PACKAGE, --json and the connection flags every package command takes."""
    command = connection_options(command)
    command = click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")(
        command
    )
    return click.argument("package", metavar="OWNER/REPO/SLUG_PERM")(command)


@contextmanager
def _client(package: str, connection: Connection) -> Iterator[tuple[CloudsmithClient, PackageRef]]:
    from pubsmith.config import load_config
    from pubsmith.packages import PackageRef, connect

    ref = PackageRef.parse(package)
    config = load_config(flags=connection.flags, key_flag="--api-key")
    for warning in config.warnings:
        echo_warning(warning)
    with connect(
        config, org=ref.owner, allow_http=connection.allow_http, ca_bundle=connection.ca_bundle
    ) as client:
        yield client, ref


def _wait_options(command: F) -> F:
    command = click.option(
        "--wait-timeout",
        type=click.FloatRange(min=1),
        default=600.0,
        show_default=True,
        metavar="SECONDS",
        help="Longest wait for processing.",
    )(command)
    return click.option(
        "--no-wait", is_flag=True, help="Do not wait for Cloudsmith to process the package."
    )(command)


def _print(as_json: bool, data: Any, line: str) -> None:
    """``data`` exactly, as JSON, or ``line`` with what the server put in it made printable."""
    if as_json:
        click.echo(json.dumps(data, indent=2))
    else:
        click.echo(printable(line))


@click.command("promote")
@_api_options
@click.option("--to", "to", required=True, metavar="REPO", help="Destination (same owner).")
@click.option("--move", is_flag=True, help="Move instead of copy: the source goes away.")
@click.option("--republish", is_flag=True, help="Replace a package with the same version there.")
@_wait_options
@handle_errors
def promote_command(
    package: str,
    as_json: bool,
    connection: Connection,
    to: str,
    move: bool,
    republish: bool,
    no_wait: bool,
    wait_timeout: float,
) -> None:
    """Copy (or move) a package to another repository once it is synchronised.

    Waits for the source to finish processing, then for the copy, unless --no-wait.
    """
    from pubsmith.promote import promote

    if move and republish:
        raise ConfigError("--republish applies to copies only; drop it or --move")
    with _client(package, connection) as (client, ref):
        try:
            result = promote(
                client,
                ref,
                to,
                move=move,
                republish=republish,
                wait=not no_wait,
                timeout=wait_timeout,
            )
        except (NotFoundError, ValidationError):
            # A refused copy may only mean the destination is not there: that is exit 4.
            _check_destination(client, ref, to)
            raise
    state = "synchronised" if result.synchronised else "processing"
    verb = "moved" if move else "copied"
    copy = f"{result.destination}/{result.slug_perm}" if result.slug_perm else None
    _print(
        as_json,
        {**result.to_dict(), "package": copy},
        f"{verb} {result.source} to {copy or result.destination} ({state})",
    )


def _check_destination(client: CloudsmithClient, ref: PackageRef, to: str) -> None:
    """Raise exit code 4's error, naming it, when the destination does not exist."""
    from pubsmith.promote import destination_repo

    target = destination_repo(ref.owner, to)
    try:
        next(client.list_packages(ref.owner, target, page_size=1), None)
    except NotFoundError as exc:
        raise NotFoundError(
            exc.status_code,
            f"no repository {ref.owner}/{target}, or the key cannot see it",
            operation=f"promote {ref}",
            hint="check --to",
        ) from None


@click.command("status")
@_api_options
@handle_errors
def status_command(
    package: str,
    as_json: bool,
    connection: Connection,
) -> None:
    """Show a package's processing status; exit 1 if processing failed, 4 if it is gone."""
    with _client(package, connection) as (client, ref):
        status = client.package_status(ref.owner, ref.repo, ref.slug)
    line = f"{ref}: {status.get('status_str') or 'unknown'}"
    if status.get("stage_str"):
        line += f" ({status['stage_str']})"
    if status.get("status_reason"):
        line += f": {' '.join(str(status['status_reason']).split())}"  # folded, then escaped
    _print(as_json, status, line)
    if status.get("is_sync_failed"):
        sys.exit(ExitCode.FAILED)


@click.command("tag")
@_api_options
@click.option("--add", "add", metavar="T1,T2", help="Add these tags.")
@click.option("--remove", "remove", metavar="T1,T2", help="Remove these tags.")
@click.option("--replace", "replace", metavar="T1,T2", help="Replace all (mutable) tags.")
@click.option("--clear", is_flag=True, help="Remove every mutable tag.")
@click.option("--immutable", is_flag=True, help="Tags added now can never be removed.")
@handle_errors
def tag_command(
    package: str,
    as_json: bool,
    connection: Connection,
    add: str | None,
    remove: str | None,
    replace: str | None,
    clear: bool,
    immutable: bool,
) -> None:
    """Add, remove, replace or clear a package's tags (exactly one of them)."""
    from pubsmith.packages import package_tags, tag_package

    chosen = {"add": add, "remove": remove, "replace": replace, "clear": "" if clear else None}
    given = [(action, value) for action, value in chosen.items() if value is not None]
    if len(given) != 1:
        raise ConfigError("pass exactly one of --add, --remove, --replace or --clear")
    action, value = given[0]
    tags = [tag.strip() for tag in value.split(",") if tag.strip()]
    with _client(package, connection) as (client, ref):
        tagged = tag_package(client, ref, action, tags, immutable=immutable)
    now = package_tags(tagged)
    _print(
        as_json,
        {"package": str(ref), "tags": now, "tags_by_type": tagged.get("tags") or {}},
        f"{ref}: tags {', '.join(now) if now else '(none)'}",
    )


@click.command("resync")
@_api_options
@_wait_options
@handle_errors
def resync_command(
    package: str,
    as_json: bool,
    connection: Connection,
    no_wait: bool,
    wait_timeout: float,
) -> None:
    """Ask Cloudsmith to process a package again, and wait for it unless --no-wait."""
    from pubsmith.polling import wait_for_sync

    with _client(package, connection) as (client, ref):
        status = client.resync_package(ref.owner, ref.repo, ref.slug)
        if not no_wait:
            status = wait_for_sync(client, ref.owner, ref.repo, ref.slug, timeout=wait_timeout)
    _print(as_json, status, f"{ref}: resynced ({status.get('status_str') or 'queued'})")


@click.command("delete")
@_api_options
@click.option("--yes", "-y", is_flag=True, help="Delete without asking.")
@handle_errors
def delete_command(
    package: str,
    as_json: bool,
    connection: Connection,
    yes: bool,
) -> None:
    """Delete a package for good."""
    if not yes:
        if not sys.stdin.isatty():
            raise ConfigError(f"pass --yes to delete {package} without a prompt")
        if not click.confirm(f"Delete {package} for good?", err=True):
            click.echo(printable(f"kept {package}"), err=True)  # as rm -i: no is no error
            return
    with _client(package, connection) as (client, ref):
        client.delete_package(ref.owner, ref.repo, ref.slug)
    _print(as_json, {"package": str(ref), "deleted": True}, f"deleted {ref}")
