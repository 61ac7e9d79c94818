"""Untrusted XML (poms, nuspecs, vsixmanifests) parsed safely, namespaces ignored.

Each of these formats has shipped several schema namespaces over the years, so elements are
matched by local name only.
"""

from __future__ import annotations

import io
from pathlib import Path
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeElementTree
from defusedxml import DefusedXmlException

from pubsmith import ArtifactError

__all__ = ["child", "child_text", "local_name", "parse_xml", "root_element"]


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


def root_element(head: bytes, path: Path, what: str, *, whole: bool) -> Element:
    """The root element of a document from its first bytes, attributes only.

    For indexes that may be far larger than anything read whole (a p2 content.xml): the
    root's attributes are all that is wanted. ``whole`` says ``head`` is the entire
    document, so that a parse error is the document's fault, not the cut's.
    """
    try:
        for _, element in SafeElementTree.iterparse(io.BytesIO(head), events=("start",)):
            root: Element = element
            return root
    except SafeElementTree.ParseError as exc:
        if whole:
            problem = f"{what} is not well-formed XML ({exc}); rebuild it"
            raise ArtifactError(path, problem) from None
    except DefusedXmlException:
        raise ArtifactError(
            path, f"{what} declares DTD entities, which are refused as unsafe; rebuild it without"
        ) from None
    raise ArtifactError(path, f"{what} has no root element near its start; rebuild it")


def local_name(tag: str) -> str:
    return tag.rpartition("}")[2]


def child(element: Element, name: str) -> Element | None:
    return next((item for item in element if local_name(item.tag) == name), None)


def child_text(element: Element | None, name: str) -> str | None:
    """The stripped text of ``element``'s child ``name``; None when absent or blank."""
    found = child(element, name) if element is not None else None
    text = (found.text or "").strip() if found is not None else ""
    return text or None
