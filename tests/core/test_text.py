"""printable(): every character a terminal would act on is shown escaped, nothing else."""

from __future__ import annotations

import os

import pytest

from pubsmith._answers import one_line
from pubsmith._text import is_utf8, printable


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[2J", "\\x1b[2J"),  # clear screen
        ("\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07"),  # window title (OSC ... BEL)
        ("a\nerror: forged", "a\\nerror: forged"),
        ("ok\rgone", "ok\\rgone"),
        ("tab\there", "tab\\there"),
        ("\x00\x08\x7f", "\\x00\\x08\\x7f"),
        ("\x9b2J\x85", "\\x9b2J\\x85"),  # C1: a one-character CSI, NEL
        ("a\u2028b\u2029c", "a\\u2028b\\u2029c"),
        ("invoice\u202etxt.exe", "invoice\\u202etxt.exe"),  # shows as invoiceexe.txt
        ("\u2066x\u2069\u200f\u061c", "\\u2066x\\u2069\\u200f\\u061c"),
        (os.fsdecode(b"caf\xe9.txt"), "caf\\xe9.txt"),  # an undecodable byte of a name
        ("\ud800", "\\ud800"),
    ],
)
def test_control_characters_are_shown_escaped(text: str, shown: str) -> None:
    assert printable(text) == shown
    assert printable(text).isprintable()


@pytest.mark.parametrize(
    "text", ["acme-greeting 1.2.0", "Ünïcödé", "名前", "مرحبا", "emoji 👍🏽", "C:\\path\\x1b", ""]
)
def test_everything_else_is_left_alone(text: str) -> None:
    assert printable(text) == text


def test_utf8_is_what_has_no_lone_surrogate() -> None:
    assert is_utf8("Ünïcödé 名前")
    assert not is_utf8(os.fsdecode(b"1\xff"))


def test_server_text_is_folded_to_one_line_then_escaped() -> None:
    assert one_line("bad\n  package\x1b[2J\tnow") == "bad package\\x1b[2J now"
    assert one_line("x" * 300, 10) == "x" * 9 + "…"
    assert one_line("abcd\x1b" * 3, 14) == "abcd\\x1babcd…"  # never half an escape
