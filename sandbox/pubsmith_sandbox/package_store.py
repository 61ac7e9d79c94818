"""Package rows in the database, and the one place a package's processing is settled."""

from __future__ import annotations

import dataclasses
from typing import Any

from pubsmith_sandbox.clock import Clock
from pubsmith_sandbox.db import Database
from pubsmith_sandbox.records import PackageRecord
from pubsmith_sandbox.text import storable

__all__ = ["PackageStore"]

_COLUMNS = [name for name in PackageRecord.__dataclass_fields__ if name != "seq"]
_INSERT = "INSERT INTO packages ({}) VALUES ({})".format(  # noqa: S608 - our own column names
    ", ".join(_COLUMNS), ", ".join("?" for _ in _COLUMNS)
)
_UPDATE = "UPDATE packages SET {} WHERE slug_perm = ?".format(  # noqa: S608 - our own column names
    ", ".join(f"{name} = ?" for name in _COLUMNS if name != "slug_perm")
)


class PackageStore:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def insert(self, record: PackageRecord) -> None:
        self._db.execute(_INSERT, [record.as_row()[name] for name in _COLUMNS])

    def save(self, record: PackageRecord) -> None:
        row = record.as_row()
        values = [row[name] for name in _COLUMNS if name != "slug_perm"]
        self._db.execute(_UPDATE, [*values, record.slug_perm])

    def delete(self, slug_perm: str) -> None:
        self._db.execute("DELETE FROM packages WHERE slug_perm = ?", (slug_perm,))

    def by_slug_perm(self, slug_perm: str) -> PackageRecord | None:
        row = self._db.row("SELECT * FROM packages WHERE slug_perm = ?", (slug_perm,))
        return PackageRecord.from_row(row) if row else None

    def find(self, owner: str, repo: str, identifier: str) -> PackageRecord | None:
        """A package of the repository by ``slug_perm`` or by ``slug``."""
        row = self._db.row(
            "SELECT * FROM packages WHERE owner = ? AND repo = ? AND (slug_perm = ? OR slug = ?)",
            (owner, repo, identifier, identifier),
        )
        return PackageRecord.from_row(row) if row else None

    def slug_taken(self, slug: str) -> bool:
        return self._db.row("SELECT 1 FROM packages WHERE slug = ?", (slug,)) is not None

    def in_repo(self, owner: str, repo: str) -> list[PackageRecord]:
        rows = self._db.rows(
            "SELECT * FROM packages WHERE owner = ? AND repo = ? ORDER BY seq", (owner, repo)
        )
        return [PackageRecord.from_row(row) for row in rows]

    def everything(self) -> list[PackageRecord]:
        return [PackageRecord.from_row(row) for row in self._db.rows("SELECT * FROM packages")]

    def next_due(self) -> tuple[str, float] | None:
        """The pending package that falls due first: (slug_perm, due time)."""
        row = self._db.row(
            "SELECT slug_perm, due_at FROM packages WHERE state = 'pending' "
            "ORDER BY due_at, seq LIMIT 1"
        )
        return (row["slug_perm"], row["due_at"]) if row else None

    def settle(
        self,
        slug_perm: str,
        queued_at: float | None,
        reason: str | None,
        values: dict[str, Any],
        progress: int = 99,
    ) -> None:
        """Finish processing: completed, or failed with ``reason``; duplicates settled here.

        Nothing happens when the package is gone or was queued again since ``queued_at``
        (a resync, copy or move while it was being examined).
        """
        with self._db.transaction():
            current = self.by_slug_perm(slug_perm)
            if current is None or current.state != "pending":
                return
            if queued_at is not None and current.queued_at != queued_at:
                return
            merged = dataclasses.replace(
                current, **{key: value for key, value in values.items() if value is not None}
            )
            # A plugin's message may quote what it read, lone surrogates and all.
            reason = self._settle_duplicates(merged) if reason is None else storable(reason)
            self.save(
                dataclasses.replace(
                    merged,
                    state="failed" if reason else "completed",
                    status_reason=reason,
                    progress=progress if reason else 100,
                    finished_at=self._clock.now(),
                )
            )

    def _settle_duplicates(self, record: PackageRecord) -> str | None:
        # Only the completed packages of this file are read: a repository of thousands of
        # packages must not cost a scan of all of them for each package processed.
        rows = self._db.rows(
            "SELECT * FROM packages WHERE owner = ? AND repo = ? AND format = ? "
            "AND filename = ? AND state = 'completed' AND slug_perm != ? ORDER BY seq",
            (record.owner, record.repo, record.format, record.filename, record.slug_perm),
        )
        duplicates = [
            other
            for other in map(PackageRecord.from_row, rows)
            if (other.name, other.version) == (record.name, record.version)
        ]
        if duplicates and not record.payload.get("republish"):
            return (
                f"This package is a duplicate of {duplicates[0].slug} in {record.repo_slug} "
                "(same format, name, version and filename); republish it to overwrite that one."
            )
        for other in duplicates:
            self.delete(other.slug_perm)
        return None
