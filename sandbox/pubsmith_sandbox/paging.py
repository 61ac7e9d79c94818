"""Pages of a list answer, as the API serves them: ``page`` and ``page_size`` in, the
``X-Pagination-*`` headers and a ``Link`` header out."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypeVar
from urllib.parse import urlencode

from pubsmith_sandbox.errors import NotFound
from pubsmith_sandbox.protocol import Request

__all__ = ["MAX_PAGE_SIZE", "page_of"]

MAX_PAGE_SIZE = 1000

T = TypeVar("T")


def page_of(request: Request, items: Sequence[T]) -> tuple[list[T], dict[str, str]]:
    """The requested page of ``items`` and the headers that describe it; a page past the
    last is a 404, as the API answers."""
    page = request.number("page", 1)
    page_size = min(request.number("page_size", 30), MAX_PAGE_SIZE)
    page_total = max(1, math.ceil(len(items) / page_size))
    if page > page_total:
        raise NotFound(404, "Invalid page.")
    headers = {
        "X-Pagination-Count": str(len(items)),
        "X-Pagination-Page": str(page),
        "X-Pagination-PageTotal": str(page_total),
        "X-Pagination-PageSize": str(page_size),
        "Link": _links(request, page, page_total, page_size),
    }
    return list(items[(page - 1) * page_size : page * page_size]), headers


def _links(request: Request, page: int, page_total: int, page_size: int) -> str:
    def url(number: int) -> str:
        query = {**request.query, "page": str(number), "page_size": str(page_size)}
        return f"<{request.api}{request.path}?{urlencode(query)}>"

    links = [f'{url(1)}; rel="first"']
    if page > 1:
        links.append(f'{url(page - 1)}; rel="prev"')
    if page < page_total:
        links.append(f'{url(page + 1)}; rel="next"')
    links.append(f'{url(page_total)}; rel="last"')
    return ", ".join(links)
