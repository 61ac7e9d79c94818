"""``pubsmith publish FILE...``."""

from __future__ import annotations

import json
import os
import sys

import click

from pubsmith.cli.collector import collect_from_now_on
from pubsmith.cli.errors import echo_error, echo_warning, handle_errors
from pubsmith.cli.exit_codes import ExitCode, exit_code_for_results
from pubsmith.cli.lines import format_result
from pubsmith.cli.logs import configure_logging
from pubsmith.cli.options import Connection, connection_options
from pubsmith.cli.output import colour_wanted, make_display, render_summary
from pubsmith.errors import ConfigError, PubsmithError
from pubsmith.results import PublishResult, counts_line

__all__ = ["publish_command"]


def _parse_options(values: tuple[str, ...]) -> dict[str, str]:
    options: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"expected KEY=VALUE, got {item!r}", param_hint="-o")
        options[key.strip()] = value
    return options


def _parse_size(text: str | None) -> int | None:
    if text is None:
        return None
    units = {"k": 1024, "m": 1024**2, "g": 1024**3}
    number, unit = (text[:-1], text[-1].lower()) if text[-1:].isalpha() else (text, "")
    try:
        size = int(float(number) * units.get(unit, 1)) if unit in units or not unit else -1
    except ValueError:
        size = -1
    if size < 5 * 1024**2:
        raise click.BadParameter(
            f"expected a size of at least 5M such as 8M or 1G, got {text!r}",
            param_hint="--chunk-size",
        )
    return size


@click.command("publish")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option(
    "--repo",
    "-r",
    metavar="OWNER/REPO",
    help="Repository to publish to (not needed with --dry-run).",
)
@click.option(
    "--format",
    "-f",
    "format_name",
    metavar="FORMAT",
    help="Format of the files not written FORMAT:FILE; detected from content when absent.",
)
@click.option(
    "--distribution",
    "-d",
    metavar="SLUG",
    help="Distribution, for deb, rpm and alpine (e.g. debian/bookworm).",
)
@click.option(
    "-o",
    "options",
    multiple=True,
    metavar="KEY=VALUE",
    help="Set a payload field the format declares (see `pubsmith formats`).",
)
@click.option("--tags", metavar="T1,T2", help="Comma-separated tags for every package.")
@click.option(
    "--republish", is_flag=True, help="Replace a package with the same name, version and file."
)
@click.option(
    "--skip-existing", is_flag=True, help="Skip files already published with the same content."
)
@click.option("--dry-run", is_flag=True, help="Contact no server; show what would be published.")
@click.option(
    "--check",
    is_flag=True,
    help="Have the server validate every package, then stop: nothing is uploaded.",
)
@click.option(
    "--promote-to",
    metavar="REPO",
    help="Then copy each package, once synchronised, to REPO (same owner): publish to staging.",
)
@click.option("--no-wait", is_flag=True, help="Do not wait for Cloudsmith to process the packages.")
@click.option(
    "--resync-failed",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    metavar="N",
    help="Ask Cloudsmith to process a package whose processing failed again, up to N times.",
)
@click.option(
    "--wait-timeout",
    type=click.FloatRange(min=1),
    default=600.0,
    show_default=True,
    metavar="SECONDS",
    help="Longest wait for processing, per package.",
)
@click.option(
    "--concurrency",
    "-j",
    type=click.IntRange(1, 64),
    default=4,
    show_default=True,
    help="Packages published at once.",
)
@click.option(
    "--chunk-size",
    metavar="SIZE",
    help="Multipart chunk size (at least 5M, e.g. 8M, 1G); larger files are sent in parallel "
    "parts [default: 100M].",
)
@click.option(
    "--metadata-file",
    "--metadata-content-file",
    "metadata_file",
    type=click.Path(dir_okay=False),
    metavar="PATH",
    help="Attach this JSON document (an SBOM, build info) to every package published.",
)
@click.option(
    "--metadata-type",
    "--metadata-content-type",
    "metadata_type",
    metavar="TYPE",
    help="The document's media type, such as application/vnd.cyclonedx+json or "
    "application/spdx+json (needed with --metadata-file).",
)
@click.option(
    "--metadata-source-identity",
    metavar="TEXT",
    help="Who made the metadata [default: pubsmith@VERSION].",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print results as JSON on stdout (human output goes to stderr).",
)
@click.option("--quiet", "-q", is_flag=True, help="Print only errors.")
@connection_options
@click.option(
    "--verbose",
    "-v",
    count=True,
    help="Log requests (-v) or also headers and bodies, secrets redacted (-vv).",
)
@click.option("--debug", is_flag=True, help="Same as -vv.")
@handle_errors
def publish_command(
    files: tuple[str, ...],
    repo: str | None,
    format_name: str | None,
    distribution: str | None,
    options: tuple[str, ...],
    tags: str | None,
    republish: bool,
    skip_existing: bool,
    dry_run: bool,
    check: bool,
    promote_to: str | None,
    no_wait: bool,
    resync_failed: int,
    wait_timeout: float,
    concurrency: int,
    chunk_size: str | None,
    metadata_file: str | None,
    metadata_type: str | None,
    metadata_source_identity: str | None,
    as_json: bool,
    quiet: bool,
    connection: Connection,
    verbose: int,
    debug: bool,
) -> None:
    """Publish FILES to a Cloudsmith repository.

    Each file's format is detected from its content. Write FORMAT:FILE (raw:notes.txt,
    generic:tools/x.bin) to name one file's format, which wins over --format; FILES
    no format recognises then publish in the same call as the rest. An existing file
    whose name merely looks like FORMAT:FILE is taken as it is.

    Exit codes: 0 all published or skipped; 1 some package failed; 2 bad usage or input
    (nothing sent); 3 bad API key; 4 unknown repository; 5 network or server failure.
    """
    from pubsmith.config import load_config
    from pubsmith.metadata import Metadata
    from pubsmith.options import PublishOptions
    from pubsmith.publishing import plan, run
    from pubsmith.settings import Settings
    from pubsmith.summary import annotation_lines, append_step_summary

    # Loaded: all a run needs but the plugins, which planning loads with collection on, as
    # it reads artifacts by the thousand.
    collect_from_now_on()
    config = load_config(
        flags={
            "repo": repo,
            "tags": tags,
            "republish": republish or None,
            **connection.flags,
        },
        key_flag="--api-key",
    )
    known = [config.api_key.value.reveal()] if config.api_key else []
    redacting = configure_logging(2 if debug else verbose, secrets=known)

    def settings() -> Settings:
        # Resolved only once something is sent; a key found then (keyring, OIDC) is
        # scrubbed from the log like a configured one.
        resolved = config.settings(allow_http=connection.allow_http, ca_bundle=connection.ca_bundle)
        if resolved.api_key is not None:
            redacting.secrets.append(resolved.api_key.reveal())
        return resolved

    for warning in config.warnings:
        echo_warning(warning)
    if metadata_type and not metadata_file:
        raise ConfigError("--metadata-type describes --metadata-file: pass the file too")
    parsed_options = _parse_options(options)
    options_object = PublishOptions(
        repo=config.repo.value if config.repo else None,
        format=format_name,
        options=config.options(parsed_options),
        distribution=distribution,
        tags=config.tags.value if config.tags else (),
        republish=bool(config.republish and config.republish.value),
        skip_existing=skip_existing,
        dry_run=dry_run,
        check=check,
        wait=not no_wait,
        wait_timeout=wait_timeout,
        resync_failed=resync_failed,
        promote_to=promote_to,
        concurrency=concurrency,
        chunk_size=_parse_size(chunk_size),
        metadata=Metadata.load(metadata_file, metadata_type, metadata_source_identity)
        if metadata_file
        else None,
    )
    publish_plan = plan(files, options_object)
    display = (
        None
        if quiet or (as_json and not sys.stderr.isatty())
        else make_display(len(publish_plan.packages))
    )
    try:
        results = run(publish_plan, settings=settings, on_event=display)
    finally:
        if display is not None:
            display.close()
    if as_json:
        click.echo(json.dumps([result.to_dict() for result in results], indent=2))
    try:
        append_step_summary(results)
    except PubsmithError as exc:
        echo_warning(str(exc))
    if os.environ.get("GITHUB_ACTIONS") == "true":
        for line in annotation_lines(results):
            click.echo(line, err=True)
    _report(
        results, quiet=quiet, dry_run=dry_run, as_json=as_json, live=bool(display and display.live)
    )
    unattached = any((result.metadata or {}).get("status") == "failed" for result in results)
    code = exit_code_for_results(results)
    sys.exit(ExitCode.FAILED if code == ExitCode.OK and unattached else code)


def _report(
    results: list[PublishResult], *, quiet: bool, dry_run: bool, as_json: bool, live: bool
) -> None:
    """The end of the run on stderr: each result (unless a live display showed them), counts."""
    shared = {result.error for result in results if not result.ok}
    if results and all(not result.ok for result in results) and len(shared) == 1:
        # One cause failed everything (a wrong key, an unknown repository): say it once.
        echo_error(str(shared.pop()))
    elif not quiet:
        if dry_run and not as_json:
            for result in results:
                click.echo(format_result(result), err=True)
                click.echo(
                    f"           payload: {json.dumps(result.payload, sort_keys=True)}", err=True
                )
            click.echo(counts_line(results), err=True)
        else:
            render_summary(results, lines=not live, colour=colour_wanted(sys.stderr))
    else:
        for result in results:
            if not result.ok:
                echo_error(f"{result.file}: {result.error}")
            elif result.metadata and result.metadata.get("status") == "failed":
                echo_error(f"{result.file}: metadata not attached: {result.metadata.get('error')}")
