from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest

from pubsmith.errors import ArtifactError
from pubsmith.hashing import FileDigest, digest_file


def expected(data: bytes) -> FileDigest:
    md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
    return FileDigest(len(data), md5, hashlib.sha256(data).hexdigest())


@pytest.mark.parametrize("size", [0, 1, 1000, 3 * 1024 * 1024 + 17])
@pytest.mark.parametrize("buffer_size", [4096, 1024 * 1024])
def test_digest_matches_hashlib(tmp_path: Path, size: int, buffer_size: int) -> None:
    data = os.urandom(size)
    path = tmp_path / "file.bin"
    path.write_bytes(data)
    assert digest_file(path, buffer_size=buffer_size) == expected(data)


def test_digest_of_a_file_larger_than_the_default_buffer(tmp_path: Path) -> None:
    data = os.urandom(20 * 1024 * 1024 + 5)
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    assert digest_file(str(path)) == expected(data)


def test_file_is_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = os.urandom(5 * 1024 * 1024)
    path = tmp_path / "once.bin"
    path.write_bytes(data)
    opened: list[Path] = []
    real_open = Path.open

    def spy(self: Path, *args: Any, **kwargs: Any) -> Any:
        opened.append(self)
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", spy)
    assert digest_file(path, buffer_size=1024 * 1024) == expected(data)
    assert opened == [path]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match="no such file"):
        digest_file(tmp_path / "absent.whl")


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match="is a directory"):
        digest_file(tmp_path)
