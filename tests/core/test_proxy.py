"""Which proxy a request takes: the environment as curl and requests read it, or --proxy."""

from __future__ import annotations

import httpx
import pytest

from pubsmith._proxy import ProxyRoutes, redact_proxy_url
from pubsmith.errors import ConfigError


def route(environ: dict[str, str], url: str, explicit: str | None = None) -> str | None:
    proxy = ProxyRoutes.resolve(environ, explicit).proxy_for(httpx.URL(url))
    return str(proxy) if proxy is not None else None


def test_each_scheme_takes_its_own_variable_lower_case_first() -> None:
    env = {
        "https_proxy": "http://lower:3128",
        "HTTPS_PROXY": "http://upper:3128",
        "HTTP_PROXY": "http://plain:8080",
    }
    assert route(env, "https://api.cloudsmith.io/v1/") == "http://lower:3128"
    assert route(env, "http://127.0.0.1:8000/") == "http://plain:8080"
    assert route({"HTTPS_PROXY": "http://upper:3128"}, "https://x.io/") == "http://upper:3128"


def test_all_proxy_stands_in_for_a_scheme_without_its_own() -> None:
    env = {"ALL_PROXY": "http://all:3128", "HTTP_PROXY": "http://plain:8080"}
    assert route(env, "https://x.io/") == "http://all:3128"
    assert route(env, "http://x.io/") == "http://plain:8080"
    assert route({}, "https://x.io/") is None


def test_a_proxy_without_a_scheme_is_http() -> None:
    assert route({"HTTPS_PROXY": "proxy.corp:3128"}, "https://x.io/") == "http://proxy.corp:3128"


@pytest.mark.parametrize(
    ("no_proxy", "url", "bypassed"),
    [
        ("*", "https://api.cloudsmith.io/", True),
        ("cloudsmith.io", "https://api.cloudsmith.io/", True),
        (".cloudsmith.io", "https://api.cloudsmith.io/", True),
        ("cloudsmith.io", "https://cloudsmith.io/", True),
        ("cloudsmith.io", "https://evilcloudsmith.io/", False),
        ("api.cloudsmith.io:443", "https://api.cloudsmith.io/", True),
        ("api.cloudsmith.io:8443", "https://api.cloudsmith.io/", False),
        ("127.0.0.1", "http://127.0.0.1:8000/", True),
        ("localhost, 10.0.0.0/8", "http://10.1.2.3/", True),
        ("10.0.0.0/8", "http://11.1.2.3/", False),
        ("::1", "http://[::1]:8000/", True),
        ("[::1]:8000", "http://[::1]:8000/", True),
        ("", "https://api.cloudsmith.io/", False),
        ("other.io", "https://api.cloudsmith.io/", False),
    ],
)
def test_no_proxy_names_hosts_domains_addresses_and_blocks(
    no_proxy: str, url: str, bypassed: bool
) -> None:
    env = {"HTTPS_PROXY": "http://proxy:3128", "HTTP_PROXY": "http://proxy:3128"}
    assert route({**env, "NO_PROXY": no_proxy}, url) == (None if bypassed else "http://proxy:3128")
    assert route({**env, "no_proxy": no_proxy}, url) == (None if bypassed else "http://proxy:3128")


def test_an_explicit_proxy_serves_every_scheme_and_wins_over_the_environment() -> None:
    env = {"HTTPS_PROXY": "http://env:3128", "NO_PROXY": "internal.corp"}
    assert route(env, "https://x.io/", "http://flag:3128") == "http://flag:3128"
    assert route(env, "http://x.io/", "http://flag:3128") == "http://flag:3128"
    assert route(env, "https://internal.corp/", "http://flag:3128") is None  # as curl -x


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("socks5://proxy:1080", "SOCKS proxies"),
        ("ftp://proxy:21", "a proxy is http(s)://"),
        ("http://", "a proxy is http(s)://"),
    ],
)
def test_an_unusable_proxy_is_one_line_naming_the_setting(value: str, problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        ProxyRoutes.resolve({"ALL_PROXY": value})
    assert str(caught.value).startswith(f"ALL_PROXY: {problem}")


def test_proxy_credentials_are_never_shown() -> None:
    url = "http://alice:hunter2-secret@proxy.corp:3128/"
    assert redact_proxy_url(url) == "http://alice:****@proxy.corp:3128/"
    assert redact_proxy_url("http://tokenonly@proxy:1/") == "http://****@proxy:1/"
    assert redact_proxy_url("http://proxy:1") == "http://proxy:1"
    routes = ProxyRoutes.resolve({"HTTPS_PROXY": url})
    assert routes.secrets() == ["hunter2-secret"]
    assert routes.describe() == [("https", "http://alice:****@proxy.corp:3128/", "HTTPS_PROXY")]
    with pytest.raises(ConfigError) as caught:
        ProxyRoutes.resolve({}, "socks5://alice:hunter2-secret@proxy:1080", "--proxy")
    assert "hunter2-secret" not in str(caught.value)
