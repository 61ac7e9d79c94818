"""The web pages behind ``self_webapp_url``: a package's page and a repository's list.

Plain HTML, no script and nothing fetched from elsewhere. Every value shown comes from a
package (its name can hold ``<script>``, quotes or a terminal escape), so each is escaped
and its control and format characters are written out, to be seen rather than obeyed.

Like ``/_sandbox/``, the pages are not API operations: no key (Cloudsmith asks a browser
to log in for a private repository; the sandbox has no logins), no faults, not counted.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from pubsmith_sandbox.errors import BadRequest
from pubsmith_sandbox.protocol import HtmlPage, Request, Response, Route
from pubsmith_sandbox.serializers import package_json, status_json
from pubsmith_sandbox.text import storable
from pubsmith_sandbox.web_urls import PACKAGE_PAGE, REPO_PAGE, package_page_url

if TYPE_CHECKING:
    from pubsmith_sandbox.app import SandboxApp

__all__ = ["page_routes", "visible"]

PAGE_SIZE = 100
_CHECKSUMS = ("md5", "sha1", "sha256", "sha512")
_STYLE = (
    "body{font-family:sans-serif;margin:2em;max-width:72em}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;"
    "text-align:left;vertical-align:top}code{word-break:break-all}dt{font-weight:bold}"
)


def visible(value: object) -> str:
    """``value`` as HTML text: escaped, with each control or format character (an escape,
    a bidi override, a zero-width space) shown as ``\\xNN`` or ``\\uNNNN``."""
    text = storable(str(value))
    shown = "".join(
        (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")
        if unicodedata.category(char) in ("Cc", "Cf")
        else char
        for char in text
    )
    return html.escape(shown, quote=True)


def page_routes(app: SandboxApp) -> list[Route]:
    pages = _Pages(app)
    return [
        Route("GET", REPO_PAGE, "web_repo", pages.repo, control=True),
        Route("GET", PACKAGE_PAGE, "web_package", pages.package, control=True),
    ]


class _Pages:
    def __init__(self, app: SandboxApp) -> None:
        self._app = app

    def repo(self, request: Request) -> Response:
        owner, repo = request.params["owner"], request.params["repo"]
        if not self._app.repo_exists(owner, repo):
            return _not_found(request)
        records = self._app.packages.store.in_repo(owner, repo)
        pages = max(1, -(-len(records) // PAGE_SIZE))
        page = min(_page_number(request), pages)
        now = self._app.clock.now()
        rows = []
        for record in records[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]:
            status = status_json(record, request.api, now)
            url = package_page_url(
                request.api, record.owner, record.repo, record.format, record.slug_perm
            )
            rows.append(
                [
                    f'<a href="{visible(url)}">{visible(record.name or record.filename)}</a>',
                    visible(record.version or ""),
                    visible(record.format),
                    visible(status["status_str"]),
                ]
            )
        body = [
            f"<h1>{visible(owner)}/{visible(repo)}</h1>",
            f"<p>{len(records)} package(s).</p>",
            _table(("Name", "Version", "Format", "Status"), rows),
        ]
        if pages > 1:
            links = [
                f'<a href="?page={number}">{number}</a>' if number != page else str(number)
                for number in range(1, pages + 1)
            ]
            body.append(f"<p>Page {' '.join(links)}</p>")
        return _page(200, f"{owner}/{repo}", body)

    def package(self, request: Request) -> Response:
        params = request.params
        record = self._app.packages.store.find(
            params["owner"], params["repo"], params["identifier"]
        )
        if record is None or record.format != params["format"]:
            return _not_found(request)
        data = package_json(record, request.api, self._app.clock.now())
        reference = f"{record.owner}/{record.repo}/{record.slug_perm}"
        facts: list[tuple[str, str]] = [
            ("Name", visible(data["display_name"])),
            ("Version", visible(record.version or "")),
            ("Format", visible(record.format)),
            ("Status", visible(data["status_str"])),
        ]
        if record.status_reason:
            facts.append(("Reason", visible(record.status_reason)))
        facts += [
            ("Uploaded", visible(data["uploaded_at"])),
            ("Tags", _tags(record.tags, record.tags_immutable)),
            ("Reference", f"<code>{visible(reference)}</code>"),
            ("API", f'<a href="{visible(data["self_url"])}">{visible(data["self_url"])}</a>'),
        ]
        files = [
            [
                visible(item["filename"]),
                f"{visible(item['size'])} bytes",
                _checksums(item),
            ]
            for item in data["files"]
        ]
        title = f"{data['display_name']} {record.version or ''}".strip()
        body = [
            f"<h1>{visible(title)}</h1>",
            "<dl>" + "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in facts) + "</dl>",
            "<h2>Files</h2>",
            _table(("File", "Size", "Checksums"), files),
        ]
        return _page(200, f"{title} in {record.owner}/{record.repo}", body)


def _page_number(request: Request) -> int:
    """The ``page`` asked for; a page that cannot be, like a link gone stale, is the first."""
    try:
        return request.number("page", 1)
    except BadRequest:
        return 1


def _tags(tags: Iterable[str], immutable: Iterable[str]) -> str:
    shown = [visible(tag) for tag in tags] + [f"{visible(tag)} (immutable)" for tag in immutable]
    return ", ".join(shown) or "none"


def _checksums(item: dict[str, Any]) -> str:
    lines = [
        f"{name.upper()} <code>{visible(item[f'checksum_{name}'])}</code>"
        for name in _CHECKSUMS
        if item.get(f"checksum_{name}")
    ]
    return "<br>".join(lines) or "none"


def _table(headings: Iterable[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{heading}</th>" for heading in headings)
    cells = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{cells}</table>"


def _not_found(request: Request) -> Response:
    body = [
        "<h1>Not found</h1>",
        f"<p>The sandbox has nothing at <code>{visible(request.path)}</code>.</p>",
    ]
    return _page(404, "Not found", body)


def _page(status: int, title: str, body: list[str]) -> Response:
    text = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{visible(title)} · pubsmith sandbox</title><style>{_STYLE}</style></head>"
        "<body>" + "\n".join(body) + "</body></html>\n"
    )
    return Response(status, HtmlPage(text))
