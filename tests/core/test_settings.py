from __future__ import annotations

import pytest

from pubsmith.errors import ConfigError
from pubsmith.settings import DEFAULT_API_URL, Repository, Settings


def test_flags_win_over_environment() -> None:
    env = {"CLOUDSMITH_API_HOST": "https://env.example", "CLOUDSMITH_API_KEY": "env-key"}
    settings = Settings.resolve(api_url="https://flag.example/", api_key="flag-key", environ=env)
    assert settings.api_url == "https://flag.example"
    assert settings.api_key is not None and settings.api_key.reveal() == "flag-key"
    from_env = Settings.resolve(environ=env)
    assert from_env.api_url == "https://env.example"
    assert from_env.api_key is not None and from_env.api_key.reveal() == "env-key"


def test_defaults_and_missing_key() -> None:
    settings = Settings.resolve(environ={})
    assert settings.api_url == DEFAULT_API_URL
    with pytest.raises(ConfigError, match="no API key: set CLOUDSMITH_API_KEY or pass --api-key"):
        settings.require_key()


def test_the_key_never_shows_in_repr() -> None:
    settings = Settings.resolve(api_key="canary-5f3a9c", environ={})
    assert "canary-5f3a9c" not in repr(settings)
    assert "canary-5f3a9c" not in str(settings)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:9"])
def test_plain_http_is_allowed_to_loopback(url: str) -> None:
    Settings.resolve(api_url=url, environ={})


def test_plain_http_elsewhere_needs_explicit_permission() -> None:
    with pytest.raises(
        ConfigError, match="refusing to send the API key over plain HTTP to api.example"
    ):
        Settings.resolve(api_url="http://api.example", environ={})
    Settings.resolve(api_url="http://api.example", allow_http=True, environ={})


def test_url_without_scheme_means_https_and_nonsense_is_refused() -> None:
    assert Settings.resolve(api_url="api.example", environ={}).api_url == "https://api.example"
    with pytest.raises(ConfigError, match="must be http"):
        Settings.resolve(api_url="ftp://x", environ={})


@pytest.mark.parametrize("text", ["acme", "acme/", "/repo", "acme/repo/extra", "ac me/repo", ""])
def test_malformed_repo_is_refused(text: str) -> None:
    with pytest.raises(ConfigError, match="--repo must be OWNER/REPO"):
        Repository.parse(text)


def test_repo_parses() -> None:
    assert Repository.parse(" acme/my-repo.x ") == Repository("acme", "my-repo.x")
    assert str(Repository("a", "b")) == "a/b"
