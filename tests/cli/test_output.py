"""The displays: plain lines and heartbeats off a terminal, rich bars on one, result lines."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator

import pytest
from rich.console import Console

from pubsmith.cli.lines import format_result
from pubsmith.cli.live import LiveDisplay
from pubsmith.cli.logs import configure_logging
from pubsmith.cli.output import (
    PlainDisplay,
    colour_wanted,
    format_bytes,
    make_display,
    render_summary,
)
from pubsmith.events import Finished, Retrying, StageChanged, Throttled, Transferred
from pubsmith.results import PublishResult
from tests.support.clocks import FakeClock

MB = 1_000_000
ESC = "\x1b"


class Terminal(io.StringIO):
    """A stream that says it is a terminal, to see which display is picked for one."""

    def isatty(self) -> bool:
        return True


def published(file: str = "dist/a.whl", **fields: object) -> PublishResult:
    values: dict[str, object] = {
        "format": "python",
        "name": "a",
        "version": "1",
        "status": "published",
        "slug_perm": "xyz",
        "repository": "acme/staging",
        **fields,
    }
    return PublishResult(file, **values)  # type: ignore[arg-type]


def test_plain_progress_prints_one_line_per_stage_change() -> None:
    stream = io.StringIO()
    display = PlainDisplay(1, stream=stream, clock=FakeClock(1000.0))
    display(StageChanged("a.whl", "preflight"))
    display(StageChanged("a.whl", "queued"))
    display(StageChanged("a.whl", "transfer"))
    display(Transferred("a.whl", 10, 100))
    display(Transferred("a.whl", 100, 100))
    display(StageChanged("a.whl", "create"))
    display(StageChanged("a.whl", "await", "Synchronising"))
    display(StageChanged("a.whl", "await", "Synchronising"))
    display(StageChanged("a.whl", "done", "published"))
    display(Finished(PublishResult("a.whl", status="published")))
    assert stream.getvalue().splitlines() == [
        "checking   a.whl",
        "uploading  a.whl",
        "creating   a.whl",
        "processing a.whl (Synchronising)",
    ]


def test_retries_and_rate_limit_pauses_are_said_as_such() -> None:
    stream = io.StringIO()
    display = PlainDisplay(1, stream=stream)
    display(Retrying("create raw package in acme/x", "HTTP 503", 2, 8, 1.5))
    display(Throttled(12.0))
    assert stream.getvalue().splitlines() == [
        "retrying  create raw package in acme/x after HTTP 503: attempt 2 of 8 in 1.5 s",
        "waiting   12.0 s for the API's rate limit",
    ]


def test_a_long_transfer_and_wait_get_a_heartbeat_at_most_every_30_seconds() -> None:
    clock, stream = FakeClock(1000.0), io.StringIO()
    display = PlainDisplay(1, stream=stream, clock=clock)
    display(StageChanged("big.bin", "transfer"))
    clock.now += 10
    display(Transferred("big.bin", 50 * MB, 300 * MB))
    display.tick()
    assert stream.getvalue().splitlines() == ["uploading  big.bin"]  # 10 s: too soon
    clock.now += 20
    display(Transferred("big.bin", 150 * MB, 300 * MB))
    display.tick()  # 30 s since the last line: 150 MB in 30 s
    clock.now += 29
    display(Transferred("big.bin", 210 * MB, 300 * MB))
    display.tick()  # 29 s since the heartbeat: nothing
    clock.now += 1
    display.tick()  # 30 s: 60 MB more in 30 s
    display(StageChanged("big.bin", "await", "Awaiting Synchronisation"))
    clock.now += 30
    display(StageChanged("big.bin", "await", "Synchronising"))
    display.tick()
    assert stream.getvalue().splitlines()[1:] == [
        "uploading  big.bin  150.0 MB of 300.0 MB (50%), 5.0 MB/s",
        "uploading  big.bin  210.0 MB of 300.0 MB (70%), 2.0 MB/s",
        "processing big.bin (Awaiting Synchronisation)",
        "processing big.bin (Synchronising), 30 s so far",
    ]
    display(StageChanged("big.bin", "done", "published"))
    clock.now += 300
    display.tick()
    assert len(stream.getvalue().splitlines()) == 5  # nothing more once it is done


def test_plain_output_holds_no_escape_codes_whatever_the_names_hold() -> None:
    stream = io.StringIO()
    display = PlainDisplay(1, stream=stream, clock=FakeClock(1000.0))
    hostile = "dist/\x1b[2J\x1b]0;owned\x07.whl"
    for stage in ("preflight", "transfer", "await"):
        display(StageChanged(hostile, stage, "\x1b[31mred"))  # type: ignore[arg-type]
    display(Retrying("upload \x1b[2J", "\x9b1m", 2, 8, 1.0))
    display.close()
    render_summary([published(hostile, error=None, name="\x1b[2J")], stream)
    assert ESC not in stream.getvalue() and "\x9b" not in stream.getvalue()
    assert "\\x1b[2J" in stream.getvalue()


@pytest.mark.parametrize(
    ("environ", "terminal", "expected"),
    [
        ({}, False, False),
        ({}, True, True),
        ({"NO_COLOR": "1"}, True, False),
        ({"FORCE_COLOR": "1"}, False, True),
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False, False),
        ({"FORCE_COLOR": "0"}, False, False),
        ({"TERM": "dumb"}, True, False),
    ],
)
def test_colour_follows_no_color_force_color_and_term(
    environ: dict[str, str], terminal: bool, expected: bool
) -> None:
    stream = Terminal() if terminal else io.StringIO()
    assert colour_wanted(stream, environ) is expected


def test_force_color_colours_plain_lines_and_nothing_else_does() -> None:
    plain, forced = io.StringIO(), io.StringIO()
    for stream, colour in ((plain, False), (forced, True)):
        PlainDisplay(1, stream=stream, colour=colour)(Throttled(2.0))
        render_summary([published()], stream, colour=colour)
    assert ESC not in plain.getvalue()
    assert "\x1b[33mwaiting" in forced.getvalue() and "\x1b[32mpublished" in forced.getvalue()


def test_the_display_is_live_only_on_a_terminal_that_is_not_dumb(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TERM", "xterm-256color")
    for stream, kind in (
        (io.StringIO(), PlainDisplay),
        (Terminal(), LiveDisplay),
    ):
        display = make_display(1, stream)
        display.close()
        assert isinstance(display, kind)
    monkeypatch.setenv("TERM", "dumb")
    display = make_display(1, Terminal())
    display.close()
    assert isinstance(display, PlainDisplay)


def _live(buffer: io.StringIO, total: int = 2) -> LiveDisplay:
    console = Console(file=buffer, force_terminal=True, width=140, color_system=None)
    return LiveDisplay(total, stream=buffer, console=console)


def test_the_live_display_shows_bytes_rate_and_state_and_prints_results_above() -> None:
    buffer = io.StringIO()
    display = _live(buffer)
    try:
        display(StageChanged("dist/big.bin", "transfer"))
        for sent in range(0, 301, 30):
            display(Transferred("dist/big.bin", sent * MB, 300 * MB))
            display._live.refresh()
        display(StageChanged("dist/big.bin", "await", "Synchronising"))
        display._live.refresh()
        display(Retrying("create raw package in acme/x", "HTTP 503", 2, 8, 1.5))
        display(StageChanged("dist/b.whl", "done", "published"))
        display(Finished(published("dist/b.whl", web_url="https://cloudsmith.io/x")))
    finally:
        display.close()
    text = buffer.getvalue()
    assert re.search(r"\d+\.\d/300\.0 MB", text), text
    assert re.search(r"\d+(\.\d)? [MG]B/s", text), text
    assert "processing (Synchronising)" in text
    assert "pubsmith: 0 of 2 done, 1 in flight" in text
    lines = text.splitlines()
    assert any(
        line.endswith(
            "retrying  create raw package in acme/x after HTTP 503: attempt 2 of 8 in 1.5 s"
        )
        for line in lines
    )
    assert any(
        "published  dist/b.whl  [python a 1]  acme/staging/xyz  https://cloudsmith.io/x" in line
        for line in lines
    )


@pytest.fixture
def pubsmith_logger() -> Iterator[logging.Logger]:
    """The pubsmith logger as :func:`configure_logging` leaves it, restored afterwards."""
    logger = logging.getLogger("pubsmith")
    level, handlers = logger.level, list(logger.handlers)
    yield logger
    logger.setLevel(level)
    logger.handlers[:] = handlers


def test_log_lines_print_above_the_live_display_not_inside_it(
    pubsmith_logger: logging.Logger,
) -> None:
    buffer = io.StringIO()
    configure_logging(1)
    display = _live(buffer)
    try:
        display(StageChanged("dist/big.bin", "transfer"))
        display(Transferred("dist/big.bin", 5 * MB, 300 * MB))
        display._live.refresh()
        logging.getLogger("pubsmith.http").info("POST /files/acme/x/ -> 202 (0.01 s)")
        display._live.refresh()
    finally:
        display.close()
    [line] = [line for line in buffer.getvalue().splitlines() if "POST /files" in line]
    assert line.endswith("pubsmith.http INFO POST /files/acme/x/ -> 202 (0.01 s)")
    assert "MB" not in line and "big.bin" not in line  # not glued to a bar


def test_result_line_names_the_package_as_the_package_commands_take_it() -> None:
    ok = published(
        promoted_to="acme/prod",
        promoted_slug_perm="abc",
        web_url="https://cloudsmith.io/~acme/repos/staging/packages/detail/python/a/1/",
    )
    assert format_result(ok) == (
        "published  dist/a.whl  [python a 1]  acme/staging/xyz  promoted to acme/prod/abc  "
        "https://cloudsmith.io/~acme/repos/staging/packages/detail/python/a/1/"
    )
    bad = PublishResult("b.deb", "deb", "b", "2", "failed", error="processing failed:\nbad control")
    assert format_result(bad).endswith("error: processing failed:\\nbad control")
    unnamed = PublishResult("notes.txt", "raw", None, None, "planned")
    assert format_result(unnamed) == "planned    notes.txt  [raw]"  # never "None"
    unattached = published(metadata={"status": "failed", "slug_perm": None, "error": "HTTP 422"})
    assert format_result(unattached).endswith("metadata not attached: HTTP 422")


def test_the_summary_counts_in_words() -> None:
    stream = io.StringIO()
    render_summary([published()], stream)
    assert stream.getvalue().splitlines()[-1] == "1 file: 1 published"
    stream = io.StringIO()
    render_summary([published(), published("b.deb", status="failed", error="x")], stream)
    assert stream.getvalue().splitlines()[-1] == "2 files: 1 failed, 1 published"
    stream = io.StringIO()
    render_summary([published()], stream, lines=False)
    assert stream.getvalue() == "1 file: 1 published\n"


def test_bytes_are_shown_in_decimal_units_as_twine_shows_them() -> None:
    assert [format_bytes(n) for n in (999, 1000, 314_572_800, 2_500_000_000)] == [
        "999 bytes",
        "1.0 kB",
        "314.6 MB",
        "2.5 GB",
    ]
