from __future__ import annotations

import io

from pubsmith.cli.output import ProgressDisplay, format_result, render_summary
from pubsmith.events import Finished, Retrying, StageChanged, Throttled, Transferred
from pubsmith.results import PublishResult


def test_plain_progress_prints_one_line_per_stage_change() -> None:
    stream = io.StringIO()
    display = ProgressDisplay(1, stream=stream, live=False)
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
    display = ProgressDisplay(1, stream=stream, live=False)
    display(Retrying("create raw package in acme/x", "HTTP 503", 2, 8, 1.5))
    display(Throttled(12.0))
    assert stream.getvalue().splitlines() == [
        "retrying  create raw package in acme/x after HTTP 503: attempt 2 of 8 in 1.5 s",
        "waiting   12.0 s for the API's rate limit",
    ]


def test_live_progress_redraws_one_line_with_percentages() -> None:
    stream = io.StringIO()
    display = ProgressDisplay(2, stream=stream, live=True)
    display(StageChanged("dist/a.whl", "transfer"))
    display(Transferred("dist/a.whl", 50, 200))
    display(StageChanged("dist/b.tgz", "done", "published"))
    display(Finished(PublishResult("dist/b.tgz", status="published")))
    display.close()
    text = stream.getvalue()
    assert "\n" not in text
    assert "[1/2 done]" in text
    assert "a.whl 25%" in text
    assert text.endswith("\r\x1b[2K")


def test_result_line_and_summary() -> None:
    ok = PublishResult("a.whl", "python", "a", "1", "published", slug_perm="xyz")
    bad = PublishResult("b.deb", "deb", "b", "2", "failed", error="processing failed:\nbad control")
    assert format_result(ok) == "published  a.whl  [python a 1]  slug_perm=xyz"
    assert format_result(bad).endswith("error: processing failed:\\nbad control")
    stream = io.StringIO()
    render_summary([ok, bad], stream)
    assert stream.getvalue().splitlines()[-1] == "2 files: 1 failed, 1 published"
