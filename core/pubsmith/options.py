"""What a publish run is asked to do: one frozen object, checked once.

The CLI, the hatch publisher, the Poetry plugin and library callers all describe a run with
a :class:`PublishOptions` (as twine's ``Settings`` does for an upload); where and with which
key to send is :class:`~pubsmith.settings.Settings`, kept apart so options can be built,
logged and shared without a credential.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from pubsmith.errors import ConfigError
from pubsmith.metadata import Metadata
from pubsmith.settings import Repository

__all__ = ["MAX_CONCURRENCY", "MIN_CHUNK_SIZE", "PublishOptions"]

MIN_CHUNK_SIZE = 5 * 1024 * 1024
"""The smallest multipart part S3-style storage accepts (but the last)."""
MAX_CONCURRENCY = 64


@dataclass(frozen=True)
class PublishOptions:
    """How to publish: which repository, which format options, what to do on a re-run.

    ``options`` are ``-o`` values: ``key`` for every format that declares it,
    ``FORMAT.key`` for one format. ``dry_run`` contacts no server and ``check`` stops after
    the server has validated every package (a server-side dry run); at most one of them.
    ``wait_timeout`` bounds each package's wait for processing; ``resync_failed`` asks the
    server to process a package whose processing failed again, up to that many times.
    """

    repo: str | None = None
    format: str | None = None
    options: Mapping[str, str] = field(default_factory=dict)
    distribution: str | None = None
    tags: Sequence[str] = ()
    republish: bool = False
    skip_existing: bool = False
    dry_run: bool = False
    check: bool = False
    wait: bool = True
    wait_timeout: float = 600.0
    resync_failed: int = 0
    promote_to: str | None = None
    concurrency: int = 4
    chunk_size: int | None = None
    resume: bool = True
    """Keep a multipart upload cut short for the next run to finish (state in the user cache)."""
    metadata: Metadata | None = None
    """Attached to every package this run creates (not to those skipped): checked by the
    server before any upload, attached once each package exists."""

    def __post_init__(self) -> None:
        # Frozen means frozen: a caller's dict or list changed later must not change us.
        options = dict(self.options)
        if self.distribution:
            options["distribution"] = self.distribution
        object.__setattr__(self, "options", MappingProxyType(options))
        if isinstance(self.tags, str):
            raise ConfigError(f"tags must be a list of tags, not the string {self.tags!r}")
        object.__setattr__(self, "tags", tuple(tag.strip() for tag in self.tags if tag.strip()))
        if self.dry_run and self.check:
            raise ConfigError("--dry-run and --check exclude each other: pick one")
        if not 1 <= self.concurrency <= MAX_CONCURRENCY:
            raise ConfigError(
                f"concurrency must be 1 to {MAX_CONCURRENCY}, not {self.concurrency!r}"
            )
        if not self.wait_timeout > 0:
            raise ConfigError(f"wait timeout must be seconds above 0, not {self.wait_timeout!r}")
        if self.resync_failed < 0:
            raise ConfigError(f"resync attempts must be 0 or more, not {self.resync_failed!r}")
        if self.chunk_size is not None and self.chunk_size < MIN_CHUNK_SIZE:
            raise ConfigError(
                f"chunk size must be at least 5M (S3's smallest part), not {self.chunk_size}"
            )

    @property
    def repository(self) -> Repository | None:
        """``repo`` parsed; :class:`ConfigError` if it is not ``OWNER/REPO``."""
        return Repository.parse(self.repo) if self.repo else None
