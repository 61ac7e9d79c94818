"""The re-run decision table (shared/design/reruns.md), row by row."""

from __future__ import annotations

from typing import Any

import pytest

from pubsmith.reruns import decide, package_state, rank

OURS = "a" * 64
OTHER = "b" * 64


def package(
    state: str, sha256: str | None = OURS, slug: str = "p1", uploaded: str = "2026-12-01T10:00:00Z"
) -> dict[str, Any]:
    return {
        "slug_perm": slug,
        "checksum_sha256": sha256,
        "uploaded_at": uploaded,
        "is_sync_completed": state == "synchronised",
        "is_sync_failed": state == "failed",
        "is_quarantined": state == "quarantined",
    }


def test_nothing_there_is_published() -> None:
    assert decide([], OURS, republish=False).action == "publish"


@pytest.mark.parametrize("republish", [False, True])
def test_synchronised_with_the_same_content_is_skipped(republish: bool) -> None:
    decision = decide([package("synchronised")], OURS, republish=republish)
    assert (decision.action, decision.package) == ("skip", package("synchronised"))


def test_synchronised_with_other_content_is_a_conflict_unless_republishing() -> None:
    conflict = decide([package("synchronised", OTHER)], OURS, republish=False)
    assert conflict.action == "conflict"
    assert conflict.problem == (
        "already exists as p1 with different content; pass --republish to replace it"
    )
    assert decide([package("synchronised", OTHER)], OURS, republish=True).action == "publish"


@pytest.mark.parametrize("sha256", [OURS, None])
def test_processing_with_our_content_or_none_shown_yet_is_awaited(sha256: str | None) -> None:
    decision = decide([package("processing", sha256)], OURS, republish=False)
    assert decision.action == "await"


def test_processing_with_other_content_is_a_conflict_unless_republishing() -> None:
    conflict = decide([package("processing", OTHER)], OURS, republish=False)
    assert conflict.action == "conflict"
    assert "another upload of this package (p1, different content) is in progress" in (
        conflict.problem
    )
    assert decide([package("processing", OTHER)], OURS, republish=True).action == "publish"


@pytest.mark.parametrize("state", ["failed", "quarantined"])
@pytest.mark.parametrize("sha256", [OURS, OTHER])
def test_failed_is_published_again_replacing_every_failed_one(state: str, sha256: str) -> None:
    failed = [package(state, sha256, "old"), package("failed", OTHER, "older")]
    decision = decide(failed, OURS, republish=False)
    assert decision.action == "publish"
    assert set(decision.replaces) == {"old", "older"}


def test_the_synchronised_package_wins_over_processing_and_failed_ones() -> None:
    found = [
        package("failed", OURS, "f1"),
        package("processing", OURS, "p1"),
        package("synchronised", OURS, "s1"),
    ]
    decision = decide(found, OURS, republish=False)
    assert (decision.action, decision.package and decision.package["slug_perm"]) == ("skip", "s1")


def test_ranking_puts_the_newest_failed_package_first_among_failed_ones() -> None:
    old = package("failed", slug="old", uploaded="2026-11-01T00:00:00Z")
    new = package("failed", slug="new", uploaded="2026-12-01T00:00:00Z")
    processing = package("processing", slug="busy")
    assert [p["slug_perm"] for p in rank([old, new, processing])] == ["busy", "new", "old"]


def test_of_several_processing_packages_the_oldest_is_awaited() -> None:
    # Concurrent runs each made one: the first made is the one the others are duplicates of.
    late = package("processing", slug="late", uploaded="2026-12-01T10:00:01.500Z")
    first = package("processing", slug="first", uploaded="2026-12-01T10:00:00.250Z")
    decision = decide([late, first], OURS, republish=False)
    assert (decision.action, decision.package and decision.package["slug_perm"]) == (
        "await",
        "first",
    )


def test_states_are_read_from_the_status_flags() -> None:
    assert package_state(package("synchronised")) == "synchronised"
    assert package_state(package("failed")) == "failed"
    assert package_state(package("quarantined")) == "failed"
    assert package_state(package("processing")) == "processing"
