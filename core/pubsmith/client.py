"""Every request pubsmith makes, through one class over one ``httpx.Client``.

The API key goes only to the API's own origin and to a multipart parts endpoint the
policy in :func:`~pubsmith._urls.may_carry_key` allows, never to presigned upload URLs,
and redirects are never followed, so it cannot be carried anywhere else. Retries follow
:class:`~pubsmith.retry.RetryPolicy`; a request that creates something is repeated only
when the server provably did not process it.
"""

from __future__ import annotations

import os
import ssl
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpcore
import httpx

from pubsmith._bodies import FileBody, Progress, file_size, multipart_body
from pubsmith._deadline import DeadlineBackend
from pubsmith._exchange import Call, Exchange
from pubsmith._proxy import ProxyRoutes
from pubsmith._urls import (
    Origin,
    check_key_target,
    normalise_api_url,
    origin,
    tls_context,
    upload_url,
)
from pubsmith.errors import ConfigError, ServerError
from pubsmith.events import EventSink
from pubsmith.retry import DEFAULT_REQUEST_TIMEOUT, RateLimiter, RetryPolicy
from pubsmith.secret import Secret
from pubsmith.settings import Settings

__all__ = ["DEFAULT_TIMEOUT", "CloudsmithClient"]

DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0, pool=120.0)
MAX_CONNECTIONS = 32
_REPO_HINT = "check --repo OWNER/REPO exists and the key can see it"
_PACKAGE_HINT = (
    "the package or its repository does not exist (deleted?), or the key cannot see it; "
    "`pubsmith list OWNER/REPO` shows what is there"
)
_UPLOAD_HINT = "the upload has expired or was aborted: publish the file again"
_TAG_ACTIONS = ("Add", "Clear", "Replace", "Remove")
# After an attempt whose answer was lost, a refusal to take the file again means the lost
# attempt delivered it; if it did not, creating the package says so.
_UPLOADED_BEFORE = frozenset({400, 409})


class CloudsmithClient:
    """Cloudsmith's API and upload endpoints, as methods returning parsed JSON.

    ``api_url`` is ``https://api.cloudsmith.io`` or any base ending in a version such as
    ``.../v1``. Given ``http``, the client uses it as is and leaves closing it to the
    caller; otherwise it builds one on first use (keep-alive pool of
    :data:`MAX_CONNECTIONS`, connection-setup retries, :data:`DEFAULT_TIMEOUT`,
    ``verify`` as TLS verification or a CA bundle path) and :meth:`close` closes it.
    ``request_timeout`` bounds each attempt of a request as a whole (see
    :class:`~pubsmith.retry.RetryPolicy`); give it or a ``policy``, not both. On a
    given ``http`` that deadline is checked between the chunks sent and received; on the
    client's own, every socket wait ends by it too, so not even an answer's headers can
    trickle in forever. ``on_event`` is told of retries and rate-limit pauses
    (:mod:`pubsmith.events`). Methods are safe to call from many threads at once.

    Requests go through the proxies of :class:`~pubsmith._proxy.ProxyRoutes`: ``proxy``
    (a URL for every scheme) or, without it, ``HTTPS_PROXY``, ``HTTP_PROXY``,
    ``ALL_PROXY`` and ``NO_PROXY`` from ``environ`` (default: the process environment);
    pass ``environ={}`` for none. Neither applies to a given ``http``.
    """

    def __init__(
        self,
        api_url: str,
        api_key: Secret | str | None,
        *,
        http: httpx.Client | None = None,
        policy: RetryPolicy | None = None,
        rate_limiter: RateLimiter | None = None,
        verify: bool | str = True,
        timeout: httpx.Timeout | None = None,
        request_timeout: float | None = None,
        on_event: EventSink | None = None,
        proxy: str | ProxyRoutes | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        if policy is not None and request_timeout is not None:
            raise ValueError("give request_timeout in the policy when passing one")
        self.proxies = (
            proxy
            if isinstance(proxy, ProxyRoutes)
            else ProxyRoutes.resolve(os.environ if environ is None else environ, proxy)
        )
        self.api_url = normalise_api_url(api_url)
        self._origin: Origin = origin(httpx.URL(self.api_url))
        self._key = Secret.coerce(api_key)
        self._http = http
        self._owns_http = http is None
        # A bad CA bundle is a settings error: report it before any request is attempted.
        self._verify = tls_context(verify) if http is None else verify
        self._timeout = timeout or DEFAULT_TIMEOUT
        self._lock = threading.Lock()
        self._exchange = Exchange(
            self._client,
            self._key,
            self._origin,
            policy or RetryPolicy(request_timeout=request_timeout or DEFAULT_REQUEST_TIMEOUT),
            rate_limiter or RateLimiter(),
            on_event,
            proxy_for=self.proxies.proxy_for if http is None else None,
            secrets=self.proxies.secrets(),
        )

    @classmethod
    def from_settings(
        cls, settings: Settings, *, key_required: bool = True, on_event: EventSink | None = None
    ) -> CloudsmithClient:
        """A client for ``settings``: its API, key, TLS, timeout and proxy.

        Raises :class:`~pubsmith.errors.ConfigError` when there is no key and one is
        required, or when the proxy is unusable.
        """
        proxies = ProxyRoutes.resolve(os.environ, settings.proxy, settings.proxy_source)
        return cls(
            settings.api_url,
            settings.require_key() if key_required else settings.api_key,
            verify=settings.ca_bundle or True,
            request_timeout=settings.timeout,
            on_event=on_event,
            proxy=proxies,
        )

    @property
    def policy(self) -> RetryPolicy:
        """The retry policy, for callers that repeat whole steps the same way."""
        return self._exchange.policy

    def __repr__(self) -> str:
        return f"CloudsmithClient({self.api_url!r}, api_key={self._key!r})"

    def __enter__(self) -> CloudsmithClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the ``httpx.Client`` if this client built it."""
        with self._lock:
            if self._owns_http and self._http is not None:
                self._http.close()
                self._http = None

    def _client(self) -> httpx.Client:
        with self._lock:
            if self._http is None:
                self._http = httpx.Client(
                    transport=_SchemeTransports(self._verify, self.proxies),
                    timeout=self._timeout,
                    follow_redirects=False,
                )
            return self._http

    # -- API endpoints ---------------------------------------------------------------

    def _url(self, *segments: str) -> httpx.URL:
        return httpx.URL(self.api_url + "".join(f"/{quote(s, safe='')}" for s in segments) + "/")

    def _api(self, method: str, url: httpx.URL, operation: str, **options: Any) -> Any:
        return self._exchange.json(Call(method, url, operation, **options))

    def _object(
        self, method: str, url: httpx.URL, operation: str, **options: Any
    ) -> dict[str, Any]:
        data = self._api(method, url, operation, **options)
        if not isinstance(data, dict):
            raise ServerError(200, "the answer is not a JSON object", operation=operation)
        return data

    def user_self(self) -> dict[str, Any]:
        """The user the API key belongs to (``authenticated`` is false for no key)."""
        return self._object("GET", self._url("user", "self"), "look up the API key's user")

    def files_validate(
        self,
        owner: str,
        repo: str,
        *,
        filename: str,
        method: str,
        md5: str | None = None,
        sha256: str | None = None,
    ) -> None:
        body = _file_request(filename, method, md5, sha256)
        url = self._url("files", owner, repo, "validate")
        self._api(
            "POST",
            url,
            f"validate upload of {filename} to {owner}/{repo}",
            json=body,
            not_found_hint=_REPO_HINT,
        )

    def files_create(
        self,
        owner: str,
        repo: str,
        *,
        filename: str,
        method: str,
        md5: str | None = None,
        sha256: str | None = None,
    ) -> dict[str, Any]:
        """Start a file upload; the answer holds ``identifier`` and ``upload_*`` details.

        Raises :class:`~pubsmith.errors.AmbiguousResultError` when it may have started
        an upload whose answer was lost.
        """
        body = _file_request(filename, method, md5, sha256)
        return self._object(
            "POST",
            self._url("files", owner, repo),
            f"request upload of {filename} to {owner}/{repo}",
            json=body,
            idempotent=False,
            not_found_hint=_REPO_HINT,
        )

    def files_info(self, owner: str, repo: str, identifier: str) -> dict[str, Any]:
        return self._object(
            "GET",
            self._url("files", owner, repo, identifier, "info"),
            f"read upload {identifier} in {owner}/{repo}",
            not_found_hint=_UPLOAD_HINT,
        )

    def files_complete(
        self,
        owner: str,
        repo: str,
        identifier: str,
        *,
        filename: str,
        sha256: str,
        resumed: bool = False,
    ) -> dict[str, Any] | None:
        """Join the parts of a multipart upload; None when a retry found it already done.

        ``sha256`` is the whole file's checksum, for the server to check the joined parts
        against: it is known only once the parts are sent, hashed while they were.
        ``resumed`` says an earlier, interrupted run may have completed it already.
        """
        body = {
            "upload_id": identifier,
            "complete": True,
            **_file_request(filename, "put_parts", None, sha256),
        }
        data = self._api(
            "POST",
            self._url("files", owner, repo, identifier, "complete"),
            f"complete upload {identifier} in {owner}/{repo}",
            json=body,
            not_found_hint=_UPLOAD_HINT,
            done_on_retry=frozenset({400, 404}),
            sent_before=resumed,
        )
        return data if isinstance(data, dict) else None

    def files_abort(self, owner: str, repo: str, identifier: str) -> None:
        self._api(
            "POST",
            self._url("files", owner, repo, identifier, "abort"),
            f"abort upload {identifier} in {owner}/{repo}",
            json={"upload_id": identifier},
            not_found_hint=_UPLOAD_HINT,
            done_on_retry=frozenset({404}),
        )

    def validate_upload(self, owner: str, repo: str, fmt: str, payload: Mapping[str, Any]) -> None:
        self._api(
            "POST",
            self._url("packages", owner, repo, "validate-upload", fmt),
            f"validate {fmt} package for {owner}/{repo}",
            json=dict(payload),
            not_found_hint=_REPO_HINT,
        )

    def create_package(
        self, owner: str, repo: str, fmt: str, payload: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Create a package; never repeated once it may have reached the server.

        Raises :class:`~pubsmith.errors.AmbiguousResultError` when the package may exist
        although no answer said so: look it up before creating it again.
        """
        return self._object(
            "POST",
            self._url("packages", owner, repo, "upload", fmt),
            f"create {fmt} package in {owner}/{repo}",
            json=dict(payload),
            idempotent=False,
            not_found_hint=_REPO_HINT,
        )

    def _package(self, owner: str, repo: str, slug: str, *action: str) -> httpx.URL:
        return self._url("packages", owner, repo, slug, *action)

    def package_status(self, owner: str, repo: str, slug: str) -> dict[str, Any]:
        return self._object(
            "GET",
            self._package(owner, repo, slug, "status"),
            f"read status of package {slug} in {owner}/{repo}",
            not_found_hint=_PACKAGE_HINT,
        )

    def read_package(self, owner: str, repo: str, slug: str) -> dict[str, Any]:
        return self._object(
            "GET",
            self._package(owner, repo, slug),
            f"read package {slug} in {owner}/{repo}",
            not_found_hint=_PACKAGE_HINT,
        )

    def list_packages(
        self, owner: str, repo: str, *, query: str | None = None, page_size: int = 100
    ) -> Iterator[dict[str, Any]]:
        """Every package matching ``query`` (Cloudsmith's search syntax), page by page."""
        operation = f"list packages in {owner}/{repo}"
        page = 1
        while True:
            params: dict[str, str | int] = {"page": page, "page_size": page_size}
            if query:
                params["query"] = query
            url = self._url("packages", owner, repo).copy_merge_params(params)
            response, data = self._exchange.json_with_headers(
                Call("GET", url, operation, not_found_hint=_REPO_HINT)
            )
            if not isinstance(data, list):
                raise ServerError(
                    response.status_code, "the answer is not a JSON list", operation=operation
                )
            yield from (item for item in data if isinstance(item, dict))
            total = response.headers.get("x-pagination-pagetotal", "")
            if not data or (page >= int(total) if total.isdigit() else len(data) < page_size):
                return
            page += 1

    def delete_package(self, owner: str, repo: str, slug: str) -> None:
        self._api(
            "DELETE",
            self._package(owner, repo, slug),
            f"delete package {slug} from {owner}/{repo}",
            not_found_hint=_PACKAGE_HINT,
            done_on_retry=frozenset({404}),
        )

    def copy_package(
        self, owner: str, repo: str, slug: str, *, to_repo: str, republish: bool = False
    ) -> dict[str, Any]:
        """Copy to ``to_repo``, a repository name under the same owner."""
        return self._object(
            "POST",
            self._package(owner, repo, slug, "copy"),
            f"copy package {slug} from {owner}/{repo} to {to_repo}",
            json={"destination": to_repo, "republish": republish},
            idempotent=False,
            not_found_hint=_PACKAGE_HINT,
        )

    def move_package(self, owner: str, repo: str, slug: str, *, to_repo: str) -> dict[str, Any]:
        """Move to ``to_repo``, a repository name under the same owner."""
        return self._object(
            "POST",
            self._package(owner, repo, slug, "move"),
            f"move package {slug} from {owner}/{repo} to {to_repo}",
            json={"destination": to_repo},
            idempotent=False,
            not_found_hint=_PACKAGE_HINT,
        )

    def tag_package(
        self,
        owner: str,
        repo: str,
        slug: str,
        *,
        action: str,
        tags: Sequence[str],
        is_immutable: bool = False,
    ) -> dict[str, Any]:
        """Add, Clear, Replace or Remove ``tags`` (``action`` in any letter case)."""
        verb = action.capitalize()
        if verb not in _TAG_ACTIONS:
            choices = ", ".join(_TAG_ACTIONS)
            raise ConfigError(f"tag action must be one of {choices}, not {action!r}")
        return self._object(
            "POST",
            self._package(owner, repo, slug, "tag"),
            f"tag package {slug} in {owner}/{repo}",
            json={"action": verb, "tags": list(tags), "is_immutable": is_immutable},
            not_found_hint=_PACKAGE_HINT,
        )

    def resync_package(self, owner: str, repo: str, slug: str) -> dict[str, Any]:
        return self._object(
            "POST",
            self._package(owner, repo, slug, "resync"),
            f"resync package {slug} in {owner}/{repo}",
            not_found_hint=_PACKAGE_HINT,
        )

    # -- v2 endpoints ----------------------------------------------------------------

    def _v2(self, *segments: str) -> httpx.URL:
        # v2 lives beside v1 on the API's host: https://api.cloudsmith.io/v2/...
        base = self.api_url.removesuffix("/v1")
        return httpx.URL(base + "/v2" + "".join(f"/{quote(s, safe='')}" for s in segments) + "/")

    def validate_metadata(self, content: Mapping[str, Any], content_type: str) -> None:
        """Have the server check metadata against ``content_type``'s schema; nothing is kept.

        Raises :class:`~pubsmith.errors.ValidationError` when it does not conform.
        """
        self._api(
            "POST",
            self._v2("metadata", "validate"),
            f"validate {content_type} metadata",
            json={"content": dict(content), "content_type": content_type},
        )

    def attach_metadata(
        self,
        package_slug_perm: str,
        content: Mapping[str, Any],
        *,
        content_type: str,
        source_identity: str,
    ) -> dict[str, Any]:
        """Attach a metadata entry to a package; the answer is the entry (its ``slug_perm``).

        Never repeated once it may have reached the server: a second entry would be a copy.
        """
        return self._object(
            "POST",
            self._v2("metadata", "packages", package_slug_perm),
            f"attach {content_type} metadata to package {package_slug_perm}",
            json={
                "content": dict(content),
                "content_type": content_type,
                "source_identity": source_identity,
            },
            idempotent=False,
            not_found_hint="the package is gone, or the key cannot see it",
        )

    def list_metadata(self, package_slug_perm: str) -> list[dict[str, Any]]:
        """The metadata entries attached to a package."""
        data = self._api(
            "GET",
            self._v2("metadata", "packages", package_slug_perm),
            f"list metadata of package {package_slug_perm}",
        )
        items = data.get("results", []) if isinstance(data, dict) else data
        return [item for item in items or [] if isinstance(item, dict)]

    def exchange_oidc_token(self, org: str, *, oidc_token: Secret, service_slug: str) -> Secret:
        """A short-lived API key for ``service_slug`` in ``org``, for a CI's OIDC token.

        Sent without any API key; the token is never logged, even with ``--debug``.
        """
        data = self._object(
            "POST",
            self._url("openid", org),
            f"exchange the OIDC token for service {service_slug} in {org}",
            json={"oidc_token": oidc_token.reveal(), "service_slug": service_slug},
            with_key=False,
            log_body=False,
            not_found_hint=f"check the organisation {org!r} (CLOUDSMITH_ORG)",
        )
        token = data.get("token")
        if not isinstance(token, str) or not token.strip():
            raise ServerError(
                200,
                "the OIDC exchange answered without a token",
                operation=f"exchange the OIDC token in {org}",
            )
        return Secret(token.strip())

    # -- Upload endpoints ------------------------------------------------------------

    def upload_post(
        self, url: str, fields: Mapping[str, Any], path: Path, progress: Progress | None = None
    ) -> None:
        """POST ``fields`` then the file as ``multipart/form-data`` to a presigned URL.

        The body is streamed from disk with an exact ``Content-Length``. ``progress``
        gets file byte counts as they are sent, possibly from a worker thread; a retry
        first reports the bytes of the failed attempt back as one negative count.
        """
        target = upload_url(url)
        body, content_type = multipart_body(fields, path, file_size(path), progress)
        self._exchange.send(
            Call(
                "POST",
                target,
                f"upload of {path.name} to {target.host}",
                headers={"Content-Type": content_type},
                body=body,
                with_key=False,
                api=False,
                done_on_retry=_UPLOADED_BEFORE,
            )
        )

    def upload_put(
        self, url: str, headers: Mapping[str, Any], path: Path, progress: Progress | None = None
    ) -> None:
        """PUT the file as the raw body to a presigned URL, with the server's ``headers``.

        ``progress`` behaves as in :meth:`upload_post`.
        """
        target = upload_url(url)
        sent = {"Content-Type": "application/octet-stream"}
        sent.update(
            (str(name), str(value))
            for name, value in headers.items()
            if str(name).lower() not in ("x-api-key", "content-length")
        )
        body = FileBody(path, 0, file_size(path), progress=progress)
        self._exchange.send(
            Call(
                "PUT",
                target,
                f"upload of {path.name} to {target.host}",
                headers=sent,
                body=body,
                with_key=False,
                api=False,
                done_on_retry=_UPLOADED_BEFORE,
            )
        )

    def check_parts_url(self, url: str) -> None:
        """Raise :class:`~pubsmith.errors.UploadError` naming the host unless a parts URL
        may receive the API key: the API's own origin, or over https a host of the API's
        registrable domain (for a loopback API, its own origin only)."""
        check_key_target(upload_url(url), self._origin, "the parts upload")

    def upload_part(
        self,
        url: str,
        *,
        upload_id: str,
        part_number: int,
        path: Path,
        offset: int,
        length: int,
        progress: Progress | None = None,
    ) -> None:
        """PUT bytes ``offset`` to ``offset + length`` of the file as one multipart part.

        The parts endpoint needs the API key, so it is sent here, where
        :meth:`check_parts_url` allows it; anywhere else the part is refused before a
        byte is sent. ``progress`` behaves as in :meth:`upload_post`.
        """
        self.check_parts_url(url)
        target = upload_url(url).copy_merge_params(
            {"upload_id": upload_id, "part_number": part_number}
        )
        body = FileBody(path, offset, length, progress=progress)
        self._exchange.send(
            Call(
                "PUT",
                target,
                f"upload of part {part_number} of {path.name}",
                headers={"Content-Type": "application/octet-stream"},
                body=body,
                api=False,
            )
        )


class _SchemeTransports(httpx.BaseTransport):
    """Each request on a transport for its scheme and proxy, built at its first use.

    Loading the CA bundle takes tens of milliseconds, most of what a run against a loopback
    sandbox spends before its first request; plain HTTP never needs it. Through a proxy,
    ``https://`` is tunnelled with ``CONNECT`` and ``http://`` forwarded; every transport's
    sockets, the proxy's included, wait no longer than the current request's deadline.
    """

    def __init__(
        self, verify: bool | str | ssl.SSLContext, proxies: ProxyRoutes | None = None
    ) -> None:
        self._verify = verify
        self._proxies = proxies or ProxyRoutes()
        self._transports: dict[tuple[bool, str | None], httpx.HTTPTransport] = {}
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        secure = request.url.scheme == "https"
        proxy = self._proxies.proxy_for(request.url)
        key = (secure, str(proxy) if proxy is not None else None)
        with self._lock:
            transport = self._transports.get(key)
            if transport is None:
                transport = self._transports[key] = self._transport(secure, proxy)
        return transport.handle_request(request)

    def close(self) -> None:
        with self._lock:
            for transport in self._transports.values():
                transport.close()
            self._transports.clear()

    def _transport(self, secure: bool, proxy: httpx.URL | None) -> httpx.HTTPTransport:
        # A plain transport trusts no certificate: were it ever asked for TLS, it would
        # refuse every server.
        context = self._context() if secure else ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        limits = httpx.Limits(
            max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_CONNECTIONS
        )
        transport = httpx.HTTPTransport(retries=2, verify=context, limits=limits)
        # httpx has no way to name the network backend of the pool it builds: the same
        # pool again, over sockets that never wait past the current request's deadline.
        # retries=2 is connection setup only: safe for every request.
        common: dict[str, Any] = {
            "ssl_context": context,
            "max_connections": limits.max_connections,
            "max_keepalive_connections": limits.max_keepalive_connections,
            "keepalive_expiry": limits.keepalive_expiry,
            "retries": 2,
            "network_backend": DeadlineBackend(),
        }
        if proxy is None:
            transport._pool = httpcore.ConnectionPool(**common)
            return transport
        described = httpx.Proxy(proxy)
        transport._pool = httpcore.HTTPProxy(
            proxy_url=httpcore.URL(
                scheme=proxy.raw_scheme, host=proxy.raw_host, port=proxy.port, target=proxy.raw_path
            ),
            proxy_auth=described.raw_auth,
            proxy_headers=described.headers.raw,
            # An https:// proxy is verified as the API is: against --ca-bundle if given.
            proxy_ssl_context=self._context() if proxy.scheme == "https" else None,
            **common,
        )
        return transport

    def _context(self) -> ssl.SSLContext:
        verify = self._verify
        return verify if isinstance(verify, ssl.SSLContext) else httpx.create_ssl_context(verify)


def _file_request(
    filename: str, method: str, md5: str | None, sha256: str | None
) -> dict[str, str]:
    checksums = {"md5_checksum": md5, "sha256_checksum": sha256}
    return {
        "filename": filename,
        **{key: value for key, value in checksums.items() if value},
        "method": method,
    }
