"""Every setting from every place a user may keep it, each value remembering its source.

Precedence, highest first:

1. flags (``--repo``, ``--api-url``, ``--api-key``, ``--proxy``, ``-o``), or a tool's own
   options (``hatch publish -o``);
2. the environment: ``CLOUDSMITH_REPO``, ``CLOUDSMITH_API_HOST``, ``CLOUDSMITH_API_KEY``,
   ``CLOUDSMITH_PROXY`` (or ``CLOUDSMITH_API_PROXY``, as Cloudsmith's CLI reads);
3. the project: ``[tool.pubsmith]`` in the nearest ``pyproject.toml`` from the working
   directory up (after a tool's own project table, such as ``[tool.hatch.publish.cloudsmith]``);
4. the user's ``pubsmith/config.toml`` in the user config directory (``PUBSMITH_CONFIG``
   names another file), after a tool's own user config;
5. Cloudsmith CLI's ``credentials.ini`` (``api_key``) and ``config.ini`` (``api_host``,
   ``proxy``);
6. the default API URL; for the key, the system keyring, then (see :mod:`pubsmith.oidc`)
   an OIDC exchange in CI; for the proxy, ``HTTPS_PROXY``, ``HTTP_PROXY``, ``ALL_PROXY``
   (see :mod:`pubsmith._proxy`). A proxy set for pubsmith wins over those, as ``-x`` and
   ``.curlrc`` do for curl; ``NO_PROXY`` applies to both.

A project file is written by whoever can commit to the project, so it is trusted with what
to publish but not with where the key goes: it may not hold a key or name a proxy (either
is ignored, with a warning), and its API URL must be the one the key is meant for.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import platformdirs

from pubsmith._urls import origin
from pubsmith.config_files import (
    Layer,
    Source,
    Sourced,
    cloudsmith_layers,
    find_project_file,
    project_layer,
    user_layer,
)
from pubsmith.config_values import coerce, format_options
from pubsmith.errors import ConfigError
from pubsmith.keyring_store import keyring_key
from pubsmith.oidc import exchange_for_key, oidc_plan
from pubsmith.secret import Secret
from pubsmith.settings import DEFAULT_API_URL, Settings

__all__ = ["Config", "Layer", "Source", "Sourced", "load_config", "user_config_path"]

DEFAULT = Source("default")
KEYRING = Source("system keyring")

# Each variable and the setting it holds, in precedence order: Cloudsmith's CLI's names.
_ENVIRONMENT = (
    ("CLOUDSMITH_REPO", "repo"),
    ("CLOUDSMITH_API_HOST", "api-url"),
    ("CLOUDSMITH_API_KEY", "api-key"),
    ("CLOUDSMITH_PROXY", "proxy"),
    ("CLOUDSMITH_API_PROXY", "proxy"),
)
# What a project file may not decide, and why: it would choose where the key goes.
_UNTRUSTED = {
    "api-key": "api-key in a project file is ignored: anyone who can read the project can "
    "read it; revoke that key, remove it, and use CLOUDSMITH_API_KEY or your user config "
    "instead",
    "proxy": "proxy in a project file is ignored: a proxy sees where your key goes; set it "
    "with --proxy, HTTPS_PROXY or your user config instead",
}


def user_config_path(environ: Mapping[str, str] | None = None) -> Path:
    """``PUBSMITH_CONFIG``, else ``pubsmith/config.toml`` in the user config directory."""
    env = os.environ if environ is None else environ
    explicit = env.get("PUBSMITH_CONFIG", "").strip()
    if explicit:
        return Path(explicit).expanduser()
    return platformdirs.user_config_path("pubsmith", appauthor=False) / "config.toml"


def cloudsmith_files(environ: Mapping[str, str], name: str, variable: str) -> list[Path]:
    """Where Cloudsmith's CLI looks for ``name``, the file it prefers first.

    Its directory-relative file (``./config.ini``) is left out: like a project file it is
    not the user's, and Cloudsmith's CLI itself distrusts it.
    """
    explicit = environ.get(variable, "").strip()
    if explicit:
        return [Path(explicit).expanduser()]
    app_dir = platformdirs.user_config_path("cloudsmith", appauthor=False, roaming=True)
    return [app_dir / name, Path("~/.cloudsmith").expanduser() / name]


@dataclass(frozen=True)
class Config:
    """The effective settings; build one with :func:`load_config`."""

    api_url: Sourced[str]
    trusted_api_url: Sourced[str]
    """The API URL the key is meant for: the effective one unless a project file set it."""
    api_key: Sourced[Secret] | None = None
    repo: Sourced[str] | None = None
    tags: Sourced[tuple[str, ...]] | None = None
    republish: Sourced[bool] | None = None
    timeout: Sourced[float] | None = None
    """Seconds one attempt of a request may take (``--timeout``); None: the default."""
    proxy: Sourced[str] | None = None
    """A proxy for every request; None: the environment's (``HTTPS_PROXY``...), if any."""
    format_options: Mapping[str, Sourced[str]] = field(default_factory=dict)
    """Per-format defaults as scoped options: ``{"deb.distribution": ...}``."""
    warnings: tuple[str, ...] = ()
    keyring_environ: Mapping[str, str] | None = field(default=None, repr=False, compare=False)
    """The environment to consult the system keyring with, when it may be; None: never."""
    key_flag: str | None = None
    """The flag that gives a key, for the message when there is none (``--api-key``)."""

    def key(self) -> Sourced[Secret] | None:
        """The configured key, else the one stored in the system keyring, or None.

        The keyring is a fallback: it is imported and asked only here, when no other key is
        configured and a key is needed, so a run with a key (or a dry run) never loads it.
        """
        if self.api_key is not None or self.keyring_environ is None:
            return self.api_key
        stored = keyring_key(self.api_url.value, self.keyring_environ)
        return Sourced(stored, KEYRING) if stored else None

    def check(self) -> None:
        """Refuse a project file that would send the key (or an OIDC token) elsewhere."""
        source = self.api_url.source
        if source.trusted or origin(httpx.URL(self.api_url.value)) == origin(
            httpx.URL(self.trusted_api_url.value)
        ):
            return
        raise ConfigError(
            f"{source}: api-url {self.api_url.value} would receive your API key, but the "
            f"key is meant for {self.trusted_api_url.value} ({self.trusted_api_url.source}); a "
            f"project file cannot redirect it: remove the URL from {source}, or set the "
            "URL yourself with --api-url, CLOUDSMITH_API_HOST or your user config "
            f"({user_config_path()})"
        )

    def options(self, given: Mapping[str, str] | None = None) -> dict[str, str]:
        """``given`` (flag) options over the configured per-format defaults.

        A flag names a field for every format unless scoped, so ``-o distribution=X``
        overrides a configured ``deb.distribution`` as well as a configured ``distribution``.
        """
        flags = dict(given or {})
        flag_fields = {key.rpartition(".")[2] for key in flags if "." not in key}
        merged = {
            key: item.value
            for key, item in self.format_options.items()
            if key not in flags and key.rpartition(".")[2] not in flag_fields
        }
        merged.update(flags)
        return merged

    def settings(
        self,
        *,
        allow_http: bool = False,
        ca_bundle: str | None = None,
        org: str | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Settings:
        """Settings to talk to the API with, after :meth:`check`.

        Without a configured key, an OIDC token from CI is exchanged for one (``org``
        defaults to the repository's owner); the key stays None when there is neither.
        """
        self.check()
        key = self.key()
        settings = Settings.resolve(
            api_url=self.api_url.value,
            api_key=key.value if key else None,
            allow_http=allow_http,
            ca_bundle=ca_bundle,
            timeout=self.timeout.value if self.timeout else None,
            proxy=self.proxy.value if self.proxy else None,
            proxy_source=str(self.proxy.source) if self.proxy else "--proxy",
            key_flag=self.key_flag,
            environ={},
        )
        if settings.api_key is not None:
            return settings
        env = os.environ if environ is None else environ
        owner = org or (self.repo.value.partition("/")[0] if self.repo else None)
        plan = oidc_plan(env, org=owner)
        if plan is None:
            return settings
        return dataclasses.replace(settings, api_key=exchange_for_key(plan, settings, env))


def load_config(
    *,
    flags: Mapping[str, Any] | None = None,
    flag_label: str = "--{key}",
    cwd: Path | None = None,
    environ: Mapping[str, str] | None = None,
    project_layers: Sequence[Layer] = (),
    user_layers: Sequence[Layer] = (),
    keyring: bool = True,
    key_flag: str | None = None,
) -> Config:
    """Resolve every setting in the documented precedence.

    ``flags`` uses the file keys (``repo``, ``api-url``, ``api-key``, ``tags``,
    ``republish``, ``timeout``, ``proxy``, ``formats``); None means not given;
    ``flag_label`` names each in messages (``"-o {key}"`` for a tool's options).
    ``project_layers`` and ``user_layers`` are a tool's own tables, read ahead of
    pubsmith's file at each level; mark project ones ``trusted=False``. ``key_flag`` is
    the caller's flag for a key, suggested when none is found.
    """
    env = os.environ if environ is None else environ
    layers = _layers(flags, flag_label, cwd or Path.cwd(), env, project_layers, user_layers)
    warnings = [
        f"{layer.source.path}: {_UNTRUSTED[key]}"
        for layer in layers
        for key in _UNTRUSTED
        if not layer.source.trusted and layer.values.get(key)
    ]
    layers = [_without_untrusted(layer) for layer in layers]
    api_url = _first(layers, "api-url") or Sourced(DEFAULT_API_URL, DEFAULT)
    trusted_url = _first([layer for layer in layers if layer.source.trusted], "api-url")
    return Config(
        api_url=api_url,
        trusted_api_url=trusted_url or Sourced(DEFAULT_API_URL, DEFAULT),
        api_key=_first(layers, "api-key"),
        repo=_first(layers, "repo"),
        tags=_first(layers, "tags"),
        republish=_first(layers, "republish"),
        timeout=_first(layers, "timeout"),
        proxy=_first(layers, "proxy"),
        format_options=format_options(layers),
        warnings=tuple(warnings),
        keyring_environ=env if keyring else None,
        key_flag=key_flag,
    )


def _layers(
    flags: Mapping[str, Any] | None,
    flag_label: str,
    cwd: Path,
    env: Mapping[str, str],
    project_layers: Sequence[Layer],
    user_layers: Sequence[Layer],
) -> list[Layer]:
    layers = [
        Layer(Source(flag_label.format(key=key)), {key: value})
        for key, value in (flags or {}).items()
    ]
    layers.extend(
        Layer(Source(variable), {key: env.get(variable)}) for variable, key in _ENVIRONMENT
    )
    layers.extend(project_layers)
    project_file = find_project_file(cwd)
    if project_file is not None:
        layers.append(project_layer(project_file))
    layers.extend(user_layers)
    user = user_layer(user_config_path(env))
    if user is not None:
        layers.append(user)
    layers.extend(
        cloudsmith_layers(
            cloudsmith_files(env, "config.ini", "CLOUDSMITH_CONFIG_FILE"),
            cloudsmith_files(env, "credentials.ini", "CLOUDSMITH_CREDENTIALS_FILE"),
            env.get("CLOUDSMITH_PROFILE"),
        )
    )
    return layers


def _without_untrusted(layer: Layer) -> Layer:
    if layer.source.trusted or not set(_UNTRUSTED) & set(layer.values):
        return layer
    return Layer(layer.source, {k: v for k, v in layer.values.items() if k not in _UNTRUSTED})


def _first(layers: Sequence[Layer], key: str) -> Any:
    for layer in layers:
        value = layer.values.get(key)
        if value is None or value == "":
            continue
        return Sourced(coerce(key, value, layer.source), layer.source)
    return None
