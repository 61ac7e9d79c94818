"""The sandbox's SQLite database: one file, one connection, one lock, WAL journal.

One connection behind a lock is plenty for a test server and keeps every write ordered;
uploads never go through it (their bytes live in files), so the lock is held briefly.
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["Database"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS repos (owner TEXT NOT NULL, name TEXT NOT NULL,
    slug_perm TEXT, settings TEXT, created_at REAL, deleted_at REAL,
    PRIMARY KEY (owner, name));
CREATE TABLE IF NOT EXISTS uploads (
    identifier TEXT PRIMARY KEY, owner TEXT NOT NULL, repo TEXT NOT NULL,
    filename TEXT NOT NULL, method TEXT NOT NULL, md5_expected TEXT, sha256_expected TEXT,
    state TEXT NOT NULL, size INTEGER, md5 TEXT, sha256 TEXT, reason TEXT,
    created_at REAL NOT NULL, finished_at REAL);
CREATE TABLE IF NOT EXISTS parts (
    identifier TEXT NOT NULL, part_number INTEGER NOT NULL, size INTEGER NOT NULL,
    etag TEXT NOT NULL, offset INTEGER, PRIMARY KEY (identifier, part_number));
CREATE TABLE IF NOT EXISTS packages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, slug_perm TEXT NOT NULL UNIQUE,
    slug TEXT NOT NULL UNIQUE, owner TEXT NOT NULL, repo TEXT NOT NULL,
    format TEXT NOT NULL, name TEXT, version TEXT, filename TEXT NOT NULL,
    upload TEXT NOT NULL, files TEXT NOT NULL, payload TEXT NOT NULL,
    tags TEXT NOT NULL, tags_immutable TEXT NOT NULL, state TEXT NOT NULL,
    status_reason TEXT, progress INTEGER NOT NULL DEFAULT 0, uploaded_at REAL NOT NULL,
    queued_at REAL NOT NULL, due_at REAL NOT NULL, finished_at REAL, size INTEGER,
    md5 TEXT, sha1 TEXT, sha256 TEXT, sha512 TEXT);
CREATE INDEX IF NOT EXISTS packages_by_repo ON packages (owner, repo);
CREATE INDEX IF NOT EXISTS packages_by_file ON packages (owner, repo, format, filename);
CREATE INDEX IF NOT EXISTS packages_pending ON packages (state, due_at);
CREATE TABLE IF NOT EXISTS counters (kind TEXT NOT NULL, name TEXT NOT NULL,
    count INTEGER NOT NULL, PRIMARY KEY (kind, name));
CREATE TABLE IF NOT EXISTS credentials_seen (endpoint TEXT NOT NULL, header TEXT NOT NULL,
    fingerprint TEXT NOT NULL, seen_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS metadata (slug_perm TEXT PRIMARY KEY, package TEXT NOT NULL,
    content_type TEXT NOT NULL, classification TEXT NOT NULL, source_kind TEXT NOT NULL,
    source_identity TEXT NOT NULL, content TEXT NOT NULL, created_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS metadata_by_package ON metadata (package);
CREATE TABLE IF NOT EXISTS short_lived_keys (key_hash TEXT PRIMARY KEY,
    expires_at REAL NOT NULL);
"""

_ADDED_COLUMNS = {
    "parts": {"offset": "INTEGER"},
    "repos": {"slug_perm": "TEXT", "settings": "TEXT", "created_at": "REAL", "deleted_at": "REAL"},
}


class Database:
    """The state file ``DIR/sandbox.sqlite3``; every method is safe from any thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._depth = 0
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        # Durability across power loss is not worth an fsync per request in a test server.
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(_SCHEMA)
        # A data directory from before these columns were added keeps working.
        for table, columns in _ADDED_COLUMNS.items():
            have = {row["name"] for row in self._conn.execute(f"PRAGMA table_info({table})")}
            for column, kind in columns.items():
                if column not in have:
                    self._conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Hold the lock and one transaction; nested uses join the outer one."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self._conn
                finally:
                    self._depth -= 1
                return
            self._conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")
            finally:
                self._depth = 0

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def row(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        with self._lock:
            result: sqlite3.Row | None = self._conn.execute(sql, params).fetchone()
            return result

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one write in its own transaction; returns the number of rows changed."""
        with self.transaction() as conn:
            return conn.execute(sql, params).rowcount

    def secret(self) -> bytes:
        """The signing secret of this data directory, made on first use and kept."""
        with self.transaction() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'secret'").fetchone()
            if row is None:
                value = secrets.token_hex(32)
                conn.execute("INSERT INTO meta (key, value) VALUES ('secret', ?)", (value,))
                return bytes.fromhex(value)
            return bytes.fromhex(row["value"])

    def bump(self, kind: str, name: str, by: int = 1) -> None:
        self.execute(
            "INSERT INTO counters (kind, name, count) VALUES (?, ?, ?) "
            "ON CONFLICT (kind, name) DO UPDATE SET count = count + excluded.count",
            (kind, name, by),
        )

    def counters(self, kind: str) -> dict[str, int]:
        rows = self.rows("SELECT name, count FROM counters WHERE kind = ? ORDER BY name", (kind,))
        return {row["name"]: row["count"] for row in rows}
