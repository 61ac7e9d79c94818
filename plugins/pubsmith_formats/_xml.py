"""Untrusted XML (poms, nuspecs, vsixmanifests) parsed safely, namespaces ignored.

Each of these formats has shipped several schema namespaces over the years, so elements are
matched by local name only.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeElementTree
from defusedxml import DefusedXmlException

from pubsmith import ArtifactError

__all__ = ["child", "child_text", "local_name", "parse_xml"]


def parse_xml(data: bytes, path: Path, what: str) -> Element:
    """The root element of ``data``; ``what`` names the document in the error, if any."""
    try:
        return SafeElementTree.fromstring(data)
    except SafeElementTree.ParseError as exc:
        raise ArtifactError(path, f"{what} is not well-formed XML ({exc}); rebuild it") from None
    except DefusedXmlException:
        raise ArtifactError(
            path, f"{what} declares DTD entities, which are refused as unsafe; rebuild it without"
        ) from None


def local_name(tag: str) -> str:
    return tag.rpartition("}")[2]


def child(element: Element, name: str) -> Element | None:
    return next((item for item in element if local_name(item.tag) == name), None)


def child_text(element: Element | None, name: str) -> str | None:
    """The stripped text of ``element``'s child ``name``; None when absent or blank."""
    found = child(element, name) if element is not None else None
    text = (found.text or "").strip() if found is not None else ""
    return text or None
