"""``pubsmith publish FILE...``."""

from __future__ import annotations

import json
import sys

import click

from pubsmith._text import printable
from pubsmith.cli.errors import echo_error, echo_warning, handle_errors
from pubsmith.cli.exit_codes import exit_code_for_results
from pubsmith.cli.logs import configure_logging
from pubsmith.cli.output import ProgressDisplay, render_summary
from pubsmith.errors import PubsmithError

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
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="Longest time one request may take, connecting to the end of its answer "
    "[default 120; an upload adds 1 s per 16 KiB it sends].",
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
    help="Multipart chunk size (e.g. 8M, 100M); larger files are sent in parallel parts.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print results as JSON on stdout (human output goes to stderr).",
)
@click.option("--quiet", "-q", is_flag=True, help="Print only errors.")
@click.option(
    "--api-url",
    metavar="URL",
    help="API URL [env: CLOUDSMITH_API_HOST; default https://api.cloudsmith.io].",
)
@click.option(
    "--api-key",
    metavar="KEY",
    help="API key [env: CLOUDSMITH_API_KEY]. Prefer the environment: flags show in process lists.",
)
@click.option(
    "--allow-http", is_flag=True, help="Allow plain http:// to a host other than loopback."
)
@click.option(
    "--ca-bundle",
    type=click.Path(exists=True, dir_okay=False),
    help="CA bundle to verify the API's TLS certificate.",
)
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
    timeout: float | None,
    concurrency: int,
    chunk_size: str | None,
    as_json: bool,
    quiet: bool,
    api_url: str | None,
    api_key: str | None,
    allow_http: bool,
    ca_bundle: str | None,
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
    from pubsmith.options import PublishOptions
    from pubsmith.publishing import plan, run
    from pubsmith.settings import Settings
    from pubsmith.summary import append_step_summary

    config = load_config(
        flags={
            "repo": repo,
            "api-url": api_url,
            "api-key": api_key,
            "tags": tags,
            "republish": republish or None,
            "timeout": timeout,
        }
    )
    known = [config.api_key.value.reveal()] if config.api_key else []
    redacting = configure_logging(2 if debug else verbose, secrets=known)

    def settings() -> Settings:
        # Resolved only once something is sent; a key found then (keyring, OIDC) is
        # scrubbed from the log like a configured one.
        resolved = config.settings(allow_http=allow_http, ca_bundle=ca_bundle)
        if resolved.api_key is not None:
            redacting.secrets.append(resolved.api_key.reveal())
        return resolved

    for warning in config.warnings:
        echo_warning(warning)
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
    )
    publish_plan = plan(files, options_object)
    display = (
        None
        if quiet or (as_json and not sys.stderr.isatty())
        else ProgressDisplay(len(publish_plan.packages))
    )
    try:
        results = run(
            publish_plan,
            settings=settings,
            on_event=display,
        )
    finally:
        if display is not None:
            display.close()
    if as_json:
        click.echo(json.dumps([result.to_dict() for result in results], indent=2))
    try:
        append_step_summary(results)
    except PubsmithError as exc:
        echo_warning(str(exc))
    shared = {result.error for result in results if not result.ok}
    if results and all(not result.ok for result in results) and len(shared) == 1:
        # One cause failed everything (a wrong key, an unknown repository): say it once.
        echo_error(str(shared.pop()))
    elif not quiet:
        if dry_run and not as_json:
            for result in results:
                identity = f"{result.format} {result.name} {result.version}"
                click.echo(printable(f"planned    {result.file}  [{identity}]"), err=True)
                click.echo(
                    f"           payload: {json.dumps(result.payload, sort_keys=True)}", err=True
                )
        else:
            render_summary(results)
    elif any(not result.ok for result in results):
        for result in results:
            if not result.ok:
                echo_error(f"{result.file}: {result.error}")
    sys.exit(exit_code_for_results(results))
