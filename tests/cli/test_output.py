from __future__ import annotations

import io

from pubsmith.cli.output import ProgressDisplay, format_result, render_summary
from pubsmith.results import Progress, PublishResult


def test_plain_progress_prints_one_line_per_stage_change() -> None:
    stream = io.StringIO()
    display = ProgressDisplay(1, stream=stream, live=False)
    display(Progress("a.whl", "hashing"))
    display(Progress("a.whl", "uploading", 10, 100))
    display(Progress("a.whl", "uploading", 100, 100))
    display(Progress("a.whl", "processing", detail="Synchronising"))
    display(Progress("a.whl", "processing", detail="Synchronising"))
    display(Progress("a.whl", "done", detail="published"))
    assert stream.getvalue().splitlines() == [
        "uploading  a.whl",
        "processing a.whl (Synchronising)",
    ]


def test_live_progress_redraws_one_line_with_percentages() -> None:
    stream = io.StringIO()
    display = ProgressDisplay(2, stream=stream, live=True)
    display(Progress("dist/a.whl", "uploading", 50, 200))
    display(Progress("dist/b.tgz", "done", detail="published"))
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
