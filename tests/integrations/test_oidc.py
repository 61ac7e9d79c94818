"""OIDC in CI: a generic token or the GitHub Actions runtime's, exchanged at the sandbox."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result

from pubsmith.errors import ConfigError
from pubsmith.oidc import oidc_plan
from pubsmith_sandbox.pytest_plugin import SandboxFixture
from tests.support.cli import invoke
from tests.support.tools import REQUEST_TOKEN, FakeActionsRuntime

WHEEL = (
    Path(__file__).resolve().parents[2]
    / "fixtures"
    / "python"
    / "acme_greeting-1.2.0-py3-none-any.whl"
)


pytestmark = pytest.mark.cloudsmith_sandbox(
    repos=["acme/a", "acme/b"], api_key="the-only-stored-key"
)


def publish_cli(sandbox: SandboxFixture, *extra: str, **env: str) -> Result:
    return invoke(
        "publish",
        str(WHEEL),
        "--repo",
        "acme/a",
        "--json",
        *extra,
        env={"CLOUDSMITH_API_HOST": sandbox.url, **env},
    )


@pytest.fixture
def debug_logging() -> Iterator[None]:
    """--debug adds a handler to the "pubsmith" logger; take it away again afterwards."""
    logger = logging.getLogger("pubsmith")
    handlers, level = list(logger.handlers), logger.level
    yield
    for handler in logger.handlers[len(handlers) :]:
        logger.removeHandler(handler)
    logger.setLevel(level)


@pytest.mark.usefixtures("debug_logging")
def test_a_generic_oidc_token_is_exchanged_for_a_key(sandbox: SandboxFixture) -> None:
    token = sandbox.mint_oidc_token("jenkins")
    result = publish_cli(
        sandbox, "--debug", CLOUDSMITH_OIDC_TOKEN=token, CLOUDSMITH_SERVICE_SLUG="release-bot"
    )
    assert "openid" in result.stderr  # the debug log is on, and shows the exchange
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["status"] == "published"
    assert sandbox.state()["requests"]["openid_create"] == 1
    # Even the debug log shows neither the identity token nor the key it bought.
    assert token not in result.output
    assert "oidc_token" not in result.stderr
    assert "sbx_" not in result.output


def test_github_actions_runtime_token_is_requested_and_exchanged(sandbox: SandboxFixture) -> None:
    with FakeActionsRuntime(sandbox.mint_oidc_token("repo:acme/app:ref:main")) as runtime:
        result = publish_cli(
            sandbox,
            GITHUB_ACTIONS="true",
            ACTIONS_ID_TOKEN_REQUEST_URL=runtime.url,
            ACTIONS_ID_TOKEN_REQUEST_TOKEN=REQUEST_TOKEN,
            CLOUDSMITH_SERVICE_SLUG="release-bot",
            CLOUDSMITH_OIDC_AUDIENCE="https://github.com/acme",
        )
    assert result.exit_code == 0, result.output
    [request] = runtime.requests
    assert request["authorization"] == f"Bearer {REQUEST_TOKEN}"
    assert request["query"] == {"api-version": ["2.0"], "audience": ["https://github.com/acme"]}
    assert sandbox.state()["requests"]["openid_create"] == 1
    assert REQUEST_TOKEN not in result.output


def test_the_runtime_refusing_says_to_grant_id_token_write(sandbox: SandboxFixture) -> None:
    with FakeActionsRuntime("unused", status=403) as runtime:
        result = publish_cli(
            sandbox,
            GITHUB_ACTIONS="true",
            ACTIONS_ID_TOKEN_REQUEST_URL=runtime.url,
            ACTIONS_ID_TOKEN_REQUEST_TOKEN=REQUEST_TOKEN,
            CLOUDSMITH_SERVICE_SLUG="bot",
        )
    assert result.exit_code == 3
    assert result.stderr.count("\n") == 1 and "id-token: write" in result.stderr


def test_a_token_cloudsmith_rejects_is_an_auth_error_naming_the_service(
    sandbox: SandboxFixture,
) -> None:
    forged = sandbox.mint_oidc_token("x", iss="https://token.actions.githubusercontent.com")
    result = publish_cli(sandbox, CLOUDSMITH_OIDC_TOKEN=forged, CLOUDSMITH_SERVICE_SLUG="bot")
    assert result.exit_code == 3, result.output
    assert result.stderr.count("\n") == 1
    assert "service account 'bot' in 'acme'" in result.stderr
    assert forged not in result.output


def test_a_configured_key_wins_over_oidc(sandbox: SandboxFixture) -> None:
    result = publish_cli(
        sandbox,
        CLOUDSMITH_API_KEY="the-only-stored-key",
        CLOUDSMITH_OIDC_TOKEN="never.used.token",
        CLOUDSMITH_SERVICE_SLUG="bot",
    )
    assert result.exit_code == 0, result.output
    assert "openid_create" not in sandbox.state()["requests"]


def test_package_commands_exchange_for_the_package_owner(sandbox: SandboxFixture) -> None:
    key_env = {"CLOUDSMITH_API_KEY": "the-only-stored-key"}
    [published] = json.loads(publish_cli(sandbox, **key_env).stdout)
    result = invoke(
        "promote",
        f"acme/a/{published['slug_perm']}",
        "--to",
        "b",
        env={
            "CLOUDSMITH_API_HOST": sandbox.url,
            "CLOUDSMITH_SERVICE_SLUG": "bot",
            "CLOUDSMITH_OIDC_TOKEN": sandbox.mint_oidc_token(),
        },
    )
    assert result.exit_code == 0, result.output
    assert sandbox.state()["requests"]["openid_create"] == 1


def test_no_exchange_for_a_dry_run(sandbox: SandboxFixture) -> None:
    result = publish_cli(
        sandbox, "--dry-run", CLOUDSMITH_OIDC_TOKEN="a.b.c", CLOUDSMITH_SERVICE_SLUG="bot"
    )
    assert result.exit_code == 0, result.output
    assert "openid_create" not in sandbox.state()["requests"]


@pytest.mark.parametrize(
    ("env", "org", "expected"),
    [
        ({}, "acme", None),
        ({"CLOUDSMITH_OIDC_TOKEN": "t"}, "acme", None),  # no service slug: OIDC not wanted
        (
            {"CLOUDSMITH_OIDC_TOKEN": "t", "CLOUDSMITH_SERVICE_SLUG": "s"},
            "acme",
            ("CLOUDSMITH_OIDC_TOKEN", "acme", "s", "cloudsmith"),
        ),
        (
            {"CLOUDSMITH_OIDC_TOKEN": "t", "CLOUDSMITH_SERVICE_SLUG": "s", "CLOUDSMITH_ORG": "org"},
            "acme",
            ("CLOUDSMITH_OIDC_TOKEN", "org", "s", "cloudsmith"),
        ),
        (
            {
                "GITHUB_ACTIONS": "true",
                "ACTIONS_ID_TOKEN_REQUEST_URL": "https://x",
                "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "r",
                "CLOUDSMITH_SERVICE_SLUG": "s",
                "CLOUDSMITH_WORKSPACE": "ws",
                "CLOUDSMITH_OIDC_AUDIENCE": "aud",
            },
            None,
            ("GitHub Actions", "ws", "s", "aud"),
        ),
    ],
)
def test_oidc_plan(env: dict[str, str], org: str | None, expected: tuple[str, ...] | None) -> None:
    plan = oidc_plan(env, org=org)
    if expected is None:
        assert plan is None
    else:
        assert plan is not None
        assert (plan.provider, plan.org, plan.service_slug, plan.audience) == expected
        assert "'t'" not in repr(plan)


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"CLOUDSMITH_SERVICE_SLUG": "s"}, "id-token: write"),
        ({"CLOUDSMITH_SERVICE_SLUG": "s", "CLOUDSMITH_OIDC_TOKEN": "t"}, "CLOUDSMITH_ORG"),
    ],
)
def test_oidc_plan_errors(env: dict[str, str], fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment):
        oidc_plan(env, org=None)
