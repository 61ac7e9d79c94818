"""Debian control data (deb822): the ``Field: value`` paragraphs of control, .dsc and .changes."""

from __future__ import annotations

__all__ = ["parse_paragraph", "unwrap_clearsigned"]

_SIGNED = "-----BEGIN PGP SIGNED MESSAGE-----"
_SIGNATURE = "-----BEGIN PGP SIGNATURE-----"


def parse_paragraph(text: str) -> dict[str, str]:
    """Fields of the first paragraph, keyed in lower case (deb822 names are case-blind).

    Continuation lines are joined with newlines, so multi-line fields such as ``Files``
    keep one entry per line. Raises ``ValueError`` on a line that is not a field.
    """
    fields: dict[str, str] = {}
    key: str | None = None
    for line in text.splitlines():
        if not line.strip():
            if fields:
                break
            continue
        if line.startswith("#"):
            continue
        if line[0] in " \t":
            if key is None:
                raise ValueError(f"continuation line before any field: {line.strip()!r}")
            fields[key] += "\n" + line.strip()
            continue
        name, colon, value = line.partition(":")
        if not colon or not name.strip() or " " in name.strip():
            raise ValueError(f"not a 'Field: value' line: {line.strip()[:60]!r}")
        key = name.strip().lower()
        fields[key] = value.strip()
    return fields


def unwrap_clearsigned(text: str) -> str:
    """The signed text of an OpenPGP clearsigned message, or ``text`` itself if unsigned.

    The signature is not verified: Cloudsmith checks what it needs. Raises ``ValueError``
    on a clearsigned message without its signature block.
    """
    lines = text.splitlines()
    if not lines or lines[0].strip() != _SIGNED:
        return text
    try:
        start = lines.index("", 1) + 1
        end = lines.index(_SIGNATURE, start)
    except ValueError:
        raise ValueError("has a clearsigned block without its signature") from None
    # Clearsigning dash-escapes lines that begin with "-" (RFC 9580, section 7.1).
    return "\n".join(line.removeprefix("- ") for line in lines[start:end])
