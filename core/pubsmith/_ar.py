"""The members of a Unix ``ar`` archive (a ``.deb``), listed from their headers alone."""

from __future__ import annotations

from typing import BinaryIO, NamedTuple

from pubsmith._budget import Budget
from pubsmith._streams import DataError

__all__ = ["ArMember", "index_ar"]

_MAGIC = b"!<arch>\n"
_HEADER = 60


class ArMember(NamedTuple):
    offset: int
    size: int


def index_ar(file: BinaryIO, length: int, budget: Budget) -> dict[str, ArMember]:
    """Member name to where its data lies, read from the headers without loading any data."""
    if file.read(len(_MAGIC)) != _MAGIC:
        raise DataError("it does not start like an ar archive")
    members: dict[str, ArMember] = {}
    while header := file.read(_HEADER):
        if len(header) < _HEADER or header[58:60] != b"`\n":
            raise DataError(f"the header after {len(members)} members is damaged")
        name = header[:16].decode("ascii", "replace").strip().rstrip("/")
        try:
            size = int(header[48:58].decode("ascii").strip())
        except ValueError:
            raise DataError(f"the header of {name} has a malformed size") from None
        offset = file.tell()
        if size < 0 or offset + size > length:
            raise DataError(f"it is truncated inside {name}")
        if len(members) >= budget.limits.members:
            budget.refuse(
                f"has more than {budget.limits.members:,} members, more than pubsmith reads "
                "in a package; check where the file came from"
            )
        members[name] = ArMember(offset, size)
        file.seek(size + size % 2, 1)
    return members
