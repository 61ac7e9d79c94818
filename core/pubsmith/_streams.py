"""Byte streams read front to back, with every decompressed byte charged to a budget.

Nothing here ever asks a decompressor for "everything": each call is given the most it
may return, so a small input cannot make one call allocate gigabytes. The decoders'
own memory is capped too (an xz dictionary, a zstd window), since a hostile header can
ask for more of it than any real package uses.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import zlib
from collections.abc import Callable
from typing import BinaryIO, Protocol, cast

import zstandard

from pubsmith._budget import Budget, MiB, describe_size

__all__ = [
    "CHUNK",
    "CODEC_ERRORS",
    "XZ_MEMORY",
    "DataError",
    "Decompressing",
    "FileStream",
    "Inflating",
    "Readable",
    "Stream",
    "Unsupported",
    "Window",
    "unpacking",
]

CHUNK = 64 * 1024
# xz -9 (and -9e) needs 65 MiB to decompress: its 64 MiB dictionary plus state.
XZ_MEMORY = 80 * MiB
# An artifact's own zstd stream (a .nar.zst) runs its whole content through the window, so
# the window must fit the memory target: 32 MiB covers zstd levels up to 20. Archives
# inside an artifact stream at most ReadLimits.nested_bytes, so conda's level-22 info
# tars (128 MiB windows) cost no more than that.
ZSTD_WINDOW = 32 * MiB
NESTED_ZSTD_WINDOW = 128 * MiB
# Everything the codecs raise for damaged or cut-off data (gzip's BadGzipFile is an OSError).
CODEC_ERRORS = (EOFError, OSError, zlib.error, lzma.LZMAError, zstandard.ZstdError)


class DataError(Exception):
    """Bytes that are damaged or end early; the reader says what they belonged to."""


class Unsupported(Exception):
    """Data stored in a way pubsmith does not read (an encrypted zip member, say)."""


class Readable(Protocol):
    def read(self, size: int, /) -> bytes: ...


class Stream:
    """Bytes from front to back: ``read`` returns at most ``size``, ``b""`` at the end."""

    def __init__(self) -> None:
        self.position = 0

    def _read(self, size: int) -> bytes:
        raise NotImplementedError

    def read(self, size: int, /) -> bytes:
        data = self._read(size) if size > 0 else b""
        self.position += len(data)
        return data

    def read_full(self, size: int) -> bytes:
        """``size`` bytes, or fewer only where the stream ends."""
        parts = []
        while size > 0 and (data := self.read(min(size, CHUNK))):
            parts.append(data)
            size -= len(data)
        return b"".join(parts)

    def skip(self, size: int) -> None:
        while size > 0:
            data = self.read(min(size, CHUNK))
            if not data:
                raise DataError("it ends early")
            size -= len(data)

    def close(self) -> None:
        """Release what the stream holds open; reading after it is an error."""

    def __enter__(self) -> Stream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class FileStream(Stream):
    """``length`` bytes of a seekable file from ``start``; skipping seeks instead of reading."""

    def __init__(self, file: BinaryIO, start: int, length: int, *, owned: bool = True) -> None:
        super().__init__()
        self._file, self._start, self._length, self._owned = file, start, length, owned
        file.seek(start)

    def _read(self, size: int) -> bytes:
        self._file.seek(self._start + self.position)
        return self._file.read(min(size, self._length - self.position))

    def skip(self, size: int) -> None:
        if self.position + size > self._length:
            raise DataError("it ends early")
        self.position += size

    def close(self) -> None:
        if self._owned:
            self._file.close()


class Window(Stream):
    """The next ``length`` bytes of another stream: one member of a tar read front to back."""

    def __init__(self, inner: Stream, length: int) -> None:
        super().__init__()
        self._inner, self._length = inner, length

    def _read(self, size: int) -> bytes:
        data = self._inner.read(min(size, self._length - self.position))
        if not data and self.position < self._length:
            raise DataError("it ends early")
        return data

    def skip(self, size: int) -> None:
        if self.position + size > self._length:
            raise DataError("it ends early")
        self._inner.skip(size)
        self.position += size

    def close(self) -> None:
        self._inner.close()


class Inflating:
    """A raw deflate stream (a zip member) inflated at most ``size`` bytes per read."""

    def __init__(self, raw: Readable) -> None:
        self._raw = raw
        self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)

    def read(self, size: int, /) -> bytes:
        inflater = self._inflater
        while not inflater.eof:
            data = inflater.unconsumed_tail or self._raw.read(CHUNK)
            if not data:
                raise DataError("its compressed data ends early")
            if out := inflater.decompress(data, size):
                return out
        return b""


class _Decompressor(Protocol):
    @property
    def eof(self) -> bool: ...
    @property
    def needs_input(self) -> bool: ...
    @property
    def unused_data(self) -> bytes: ...

    def decompress(self, data: bytes, max_length: int = ...) -> bytes: ...


class Decompressing:
    """A bzip2 or xz stream decompressed at most ``size`` bytes per read.

    With ``streams``, concatenated streams are read as one (``pbzip2``, ``xz -T``), and
    whatever follows the last one is ignored, as the standard library's readers do.
    """

    def __init__(
        self, raw: Readable, make: Callable[[], _Decompressor], *, streams: bool = False
    ) -> None:
        self._raw, self._make, self._streams = raw, make, streams
        self._decompressor = make()

    def read(self, size: int, /) -> bytes:
        while True:
            decompressor = self._decompressor
            if decompressor.eof:
                if not self._streams:
                    return b""
                rest = decompressor.unused_data or self._raw.read(CHUNK)
                if not rest:
                    return b""
                self._decompressor = self._make()
                try:
                    out = self._decompressor.decompress(rest, size)
                except (OSError, lzma.LZMAError):
                    return b""  # trailing bytes that start no stream
            else:
                data = self._raw.read(CHUNK) if decompressor.needs_input else b""
                if decompressor.needs_input and not data:
                    raise DataError("its compressed data ends early")
                out = decompressor.decompress(data, size)
            if out:
                return out


class _Unpacking(Stream):
    """The decompressed form of another stream; every byte produced is charged."""

    def __init__(
        self, codec: Readable, inner: Stream, budget: Budget, nested: bool, what: str
    ) -> None:
        super().__init__()
        self._codec, self._inner, self._budget = codec, inner, budget
        self._nested, self._what = nested, what

    def _read(self, size: int) -> bytes:
        try:
            data = self._codec.read(size)
        except CODEC_ERRORS as exc:
            self._refuse_memory(str(exc))
            raise DataError(_detail(exc)) from None
        self._budget.unpack(len(data), nested=self._nested)
        return data

    def _refuse_memory(self, detail: str) -> None:
        if "Memory usage limit" in detail:
            self._budget.refuse(
                f"{self._what} is xz-compressed with a dictionary over "
                f"{describe_size(XZ_MEMORY)}, more than pubsmith allows; recompress it "
                "with xz -9 or less"
            )
        if "too much memory" in detail:
            window = NESTED_ZSTD_WINDOW if self._nested else ZSTD_WINDOW
            self._budget.refuse(
                f"{self._what} is zstd-compressed with a window over {describe_size(window)}, "
                "more than pubsmith allows; recompress it at a lower level"
            )

    def close(self) -> None:
        self._inner.close()


def _xz_decompressor() -> lzma.LZMADecompressor:
    return lzma.LZMADecompressor(memlimit=XZ_MEMORY)


def _detail(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or "its data is damaged"


def unpacking(
    inner: Stream, compression: str, budget: Budget, *, nested: bool, what: str
) -> Stream:
    """``inner`` decompressed (``gz``, ``bz2``, ``xz`` or ``zst``), charged to ``budget``.

    ``what`` names the data in messages about its compression, such as "it" or
    "control.tar.zst inside".
    """
    codec: Readable
    # Both readers below are typed for files; they only read from this one (GzipFile
    # seeks only to rewind, which nothing here asks of it).
    source = cast(BinaryIO, inner)
    if compression == "gz":
        codec = gzip.GzipFile(fileobj=source, mode="rb")
    elif compression == "bz2":
        codec = Decompressing(inner, bz2.BZ2Decompressor, streams=True)
    elif compression == "xz":
        codec = Decompressing(
            inner, lambda: lzma.LZMADecompressor(memlimit=XZ_MEMORY), streams=True
        )
    elif compression == "zst":
        window = NESTED_ZSTD_WINDOW if nested else ZSTD_WINDOW
        decompressor = zstandard.ZstdDecompressor(max_window_size=window)
        codec = decompressor.stream_reader(source, read_across_frames=True, closefd=False)
    else:
        raise ValueError(f"unknown compression {compression!r}")
    return _Unpacking(codec, inner, budget, nested, what)
