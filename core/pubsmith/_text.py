"""Text from artifacts, file names and servers, made safe to show and checked before sending."""

from __future__ import annotations

import re

__all__ = ["is_utf8", "printable"]

# What a terminal or a log viewer acts on instead of showing: C0 and C1 controls (ESC starts
# screen-clearing and window-title sequences; BEL, BS, CR and NUL rewrite what is shown),
# the line and paragraph separators, the bidirectional overrides and isolates that reorder
# a line (so "txt.exe" can read as "exe.txt"), and lone surrogates: the undecodable bytes
# of a file name (Python holds byte 0xff as U+DCFF), which a strict stream cannot write.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str, limit: int | None = None) -> str:
    """``text`` with every character that would act on a terminal shown escaped instead.

    ``\\n``, ``\\r`` and ``\\t`` by name, an undecodable byte of a file name as ``\\xff``,
    other controls as ``\\x1b`` or ``\\u202e``; everything else, any script included, is
    left alone. The result is one line that shows what the text holds, cut to ``limit``
    characters (ending in "…") when one is given.
    """
    shown = _UNSAFE.sub(_escape, text)
    if limit is not None and len(shown) > limit:
        return shown[: limit - 1] + "…"
    return shown


def is_utf8(text: str) -> bool:
    """Whether ``text`` can be sent as UTF-8: False when it holds a lone surrogate, as a
    file name, argument or environment value with bytes that are not UTF-8 does."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"  # the byte os.fsdecode could not decode
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"
