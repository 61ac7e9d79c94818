"""How much planning may unpack and hold for one artifact, and the account kept against it.

Planning reads metadata out of files nobody here built, before anything is sent. Every
limit below is far above what a real package needs and far below what a hostile one
would make pubsmith allocate: together they keep planning any single file under about
150 MiB of memory and a few seconds, whatever is inside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from pubsmith.errors import ArtifactLimitError

__all__ = ["Budget", "MiB", "ReadLimits", "describe_size"]

MiB = 1024 * 1024


def describe_size(count: int) -> str:
    """``256 KiB``, ``16 MiB``, ``1.5 GiB``: a limit as a person would say it."""
    for unit, size in (("GiB", 1024 * MiB), ("MiB", MiB)):
        if count >= size:
            return f"{count / size:.3g} {unit}"
    return f"{count / 1024:.3g} KiB"


@dataclass(frozen=True)
class ReadLimits:
    """The limits of what planning reads from one artifact.

    ``member_bytes`` caps one metadata member read whole (a package.json, a METADATA, a
    control file), checked while it streams, not from what the archive declares.
    ``header_bytes`` caps the extensions of one tar header (pax records, GNU long names,
    sparse maps). ``members`` and ``name_bytes`` cap an archive's listing, which is held
    in memory. ``unpacked_bytes`` and ``unpacked_ratio`` cap everything decompressed while
    planning one file: the larger of the two, so a 5 GiB box may still be listed while a
    30 KiB file cannot unpack to gigabytes. ``nested_bytes`` caps what archives inside the
    artifact (a deb's control.tar, a conda's info tar, a p2 content.jar) unpack to: they
    hold metadata only, and a zstd window grows with what streams through it.
    """

    member_bytes: int = 16 * MiB
    header_bytes: int = 1 * MiB
    members: int = 100_000
    name_bytes: int = 16 * MiB
    unpacked_bytes: int = 256 * MiB
    unpacked_ratio: int = 200
    nested_bytes: int = 64 * MiB


class Budget:
    """The account of one artifact's reading, shared by every archive nested inside it.

    The first limit it refuses is kept as :attr:`refusal`: a plugin's ``recognise`` may
    swallow the error, and detection then reports it instead of "not recognised".
    """

    def __init__(self, path: Path, limits: ReadLimits, size: int) -> None:
        self.path = path
        self.limits = limits
        self.unpack_limit = max(limits.unpacked_bytes, limits.unpacked_ratio * size)
        self.unpacked = 0
        self.nested_unpacked = 0
        self.refusal: ArtifactLimitError | None = None

    def refuse(self, problem: str) -> NoReturn:
        error = ArtifactLimitError(self.path, problem)
        if self.refusal is None:
            self.refusal = error
        raise error

    def unpack(self, count: int, *, nested: bool) -> None:
        """Charge ``count`` decompressed bytes; refuse once a limit is passed."""
        self.unpacked += count
        if self.unpacked > self.unpack_limit:
            self.refuse(
                f"unpacks to more than {describe_size(self.unpack_limit)} while its metadata "
                "is read, far more than a package does; check where it came from"
            )
        if nested:
            self.nested_unpacked += count
            if self.nested_unpacked > self.limits.nested_bytes:
                self.refuse(
                    f"holds archives that unpack to more than "
                    f"{describe_size(self.limits.nested_bytes)} of metadata, far more than a "
                    "package does; check where it came from"
                )

    def too_large(self, what: str, limit: int) -> NoReturn:
        """Refuse a member (``what``, such as ``package.json inside``) over ``limit`` bytes."""
        self.refuse(
            f"{what} is implausibly large (over {describe_size(limit)}); "
            "check where the file came from"
        )
