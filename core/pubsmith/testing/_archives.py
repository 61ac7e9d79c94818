"""Small archives written in tests, and damaged copies of real ones."""

from __future__ import annotations

import gzip
import io
import random
import tarfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

__all__ = ["Members", "corrupted_copy", "make_tar", "make_zip", "truncated_copy"]

Members = Mapping[str, "str | bytes"]

# Damage starts past the first bytes, so magic numbers still say what kind of file it is:
# the plugin has to notice the damage, not merely a file of another kind.
_KEEP_HEAD = 512


def make_tar(path: Path, members: Members, *, compress: bool = True) -> Path:
    """A tar (gzip-compressed unless ``compress`` is false) holding ``members`` at ``path``."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        for name, value in members.items():
            data = _data(value)
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    raw = buffer.getvalue()
    path.write_bytes(gzip.compress(raw, mtime=0) if compress else raw)
    return path


def make_zip(path: Path, members: Members) -> Path:
    """A zip holding ``members`` at ``path``."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, value in members.items():
            archive.writestr(name, _data(value))
    return path


def truncated_copy(source: Path, target: Path, keep: float = 0.5) -> Path:
    """``source`` cut to the first ``keep`` share of its bytes, as a broken download is."""
    data = source.read_bytes()
    target.write_bytes(data[: max(1, int(len(data) * keep))])
    return target


def corrupted_copy(source: Path, target: Path, *, seed: int = 0) -> Path:
    """``source`` with everything after its first bytes replaced by noise of the same length.

    Small files keep only their first half. The noise is seeded, so a failure repeats.
    """
    data = source.read_bytes()
    keep = min(_KEEP_HEAD, len(data) // 2)
    noise = random.Random(seed).randbytes(len(data) - keep)  # noqa: S311 - not for secrets
    target.write_bytes(data[:keep] + noise)
    return target


def _data(value: str | bytes) -> bytes:
    return value.encode() if isinstance(value, str) else value
