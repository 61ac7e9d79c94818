"""The helpers builtin plugins share: member names made once per artifact."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import pytest

from pubsmith import Artifact
from pubsmith.registry import FormatRegistry
from pubsmith.testing import make_tar
from pubsmith_formats import _markers
from pubsmith_formats._markers import member_names, safe_member_names


class CountingArtifact(Artifact):
    """An Artifact that counts how often its listing is asked for."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.listings = 0

    def names(self) -> list[str]:
        self.listings += 1
        return super().names()


def test_names_are_cleaned_once_however_often_they_are_asked_for(tmp_path: Path) -> None:
    path = make_tar(tmp_path / "pkg.tgz", {"./package/package.json": "{}", "./package/a.js": ""})
    artifact = CountingArtifact(path)
    first = safe_member_names(artifact)
    assert first == ["package/package.json", "package/a.js"]
    first.append("changed by a caller")
    assert member_names(artifact) == safe_member_names(artifact) == first[:2]
    assert artifact.listings == 1
    # Another artifact of the same file is listed afresh.
    assert member_names(CountingArtifact(path)) == first[:2]


def test_detection_cleans_a_tars_names_once_for_all_plugins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {f"package/lib/f{index}.js": "" for index in range(50)}
    path = make_tar(tmp_path / "pkg.tgz", {"package/package.json": "{}", **files})
    registry = FormatRegistry.load()
    cached = CountingArtifact(path)
    assert registry.detect(cached).PLUGIN_NAME == "npm"
    # The same detection with nothing remembered: npm, helm, dart, terraform, cocoapods,
    # cargo, hex, cran and conda each clean the names again.
    monkeypatch.setattr(_markers, "_NAMES", _Forgetful())
    uncached = CountingArtifact(path)
    assert registry.detect(uncached).PLUGIN_NAME == "npm"
    assert uncached.listings - cached.listings >= 8


def test_the_cache_does_not_keep_artifacts_alive(tmp_path: Path) -> None:
    artifact = Artifact(make_tar(tmp_path / "pkg.tgz", {"package/package.json": "{}"}))
    member_names(artifact)
    gone = weakref.ref(artifact)
    del artifact
    gc.collect()
    assert gone() is None


class _Forgetful(weakref.WeakKeyDictionary[Artifact, tuple[str, ...]]):
    def __setitem__(self, key: Artifact, value: tuple[str, ...]) -> None:
        pass
