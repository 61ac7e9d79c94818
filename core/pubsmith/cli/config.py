"""``pubsmith config``: each effective setting and where it came from, the key masked."""

from __future__ import annotations

import json
import os
from typing import Any

import click

from pubsmith._text import printable
from pubsmith.cli.errors import echo_warning, handle_errors

__all__ = ["config_command"]

_MASK = "****"


@click.command("config")
@click.option("--repo", metavar="OWNER/REPO", help="As `pubsmith publish --repo` would.")
@click.option("--api-url", metavar="URL", help="As `--api-url` would.")
@click.option("--api-key", metavar="KEY", help="As `--api-key` would (shown masked).")
@click.option("--timeout", type=float, metavar="SECONDS", help="As `--timeout` would.")
@click.option("--proxy", metavar="URL", help="As `--proxy` would (its password masked).")
@click.option("--json", "as_json", is_flag=True, help="Print the settings as JSON.")
@handle_errors
def config_command(
    repo: str | None,
    api_url: str | None,
    api_key: str | None,
    timeout: float | None,
    proxy: str | None,
    as_json: bool,
) -> None:
    """Show each effective setting and where it came from.

    Precedence: flag > environment > [tool.pubsmith] in pyproject.toml > your user
    config file > Cloudsmith CLI's credentials.ini / config.ini > default. Exits 2 when
    the settings are unsafe (a project file redirecting the key) or malformed.
    """
    from pubsmith.config import load_config, user_config_path
    from pubsmith.oidc import oidc_plan

    config = load_config(
        flags={
            "repo": repo,
            "api-url": api_url,
            "api-key": api_key,
            "timeout": timeout,
            "proxy": proxy,
        }
    )
    key = config.key()
    rows: list[tuple[str, str | None, str]] = [
        ("repo", _value(config.repo), _source(config.repo)),
        ("api-url", config.api_url.value, str(config.api_url.source)),
        ("api-key", _MASK if key else None, _source(key)),
        ("tags", _value(config.tags), _source(config.tags)),
        ("republish", _value(config.republish), _source(config.republish)),
        ("timeout", _value(config.timeout), _source(config.timeout)),
        *_proxy_rows(config.proxy),
    ]
    rows += [(key, item.value, str(item.source)) for key, item in config.format_options.items()]
    if key is None:
        owner = config.repo.value.partition("/")[0] if config.repo else None
        plan = oidc_plan(os.environ, org=owner)
        if plan is not None:
            rows[2] = (
                "api-key",
                None,
                f"OIDC exchange on use: {plan.provider} token for "
                f"service {plan.service_slug} in {plan.org}",
            )
    user_file = user_config_path()
    if as_json:
        document: dict[str, Any] = {
            name: {"value": value, "source": source or None} for name, value, source in rows
        }
        document["user_config"] = str(user_file)
        document["warnings"] = list(config.warnings)
        click.echo(json.dumps(document, indent=2))
    else:
        width = max(len(name) for name, _, _ in rows)
        for name, value, source in rows:
            shown = value if value is not None else "(not set)"
            line = f"{name:<{width}}  {shown}" + (f"  [{source}]" if source else "")
            click.echo(printable(line))  # values and paths come from files anyone may write
        state = "" if user_file.is_file() else " (does not exist)"
        click.echo(printable(f"user config file: {user_file}{state}"))
    for warning in config.warnings:
        echo_warning(warning)
    config.check()


def _proxy_rows(configured: Any) -> list[tuple[str, str | None, str]]:
    """The proxy per scheme, its password masked; NO_PROXY when set."""
    from pubsmith._proxy import ProxyRoutes

    explicit = configured.value if configured else None
    source = str(configured.source) if configured else "--proxy"
    routes = ProxyRoutes.resolve(os.environ, explicit, source)
    rows: list[tuple[str, str | None, str]] = [
        (f"proxy ({scheme})", url, where) for scheme, url, where in routes.describe()
    ] or [("proxy", None, "")]
    if routes.no_proxy:
        rows.append(("no-proxy", ",".join(routes.no_proxy), "NO_PROXY"))
    return rows


def _value(item: Any) -> str | None:
    if item is None:
        return None
    value = item.value
    if isinstance(value, tuple):
        return ",".join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _source(item: Any) -> str:
    return "" if item is None else str(item.source)
