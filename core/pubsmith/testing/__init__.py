"""A conformance kit for format plugins: what pubsmith's own builtins are tested with.

Give each check a real artifact of your format (a :class:`Sample`) and a scratch folder; a
check raises :class:`ConformanceError`, an ``AssertionError``, saying what your plugin does
that the contract does not allow. With pytest::

    from pathlib import Path

    from pubsmith.testing import Sample, check_lookalikes_refused, check_sample

    SAMPLE = Sample("widget", Path("tests/data/demo-1.0.zip"), "demo", "1.0",
                    options={"distribution": "widgets/v2"})

    def test_widget_conforms(tmp_path):
        check_sample(SAMPLE, tmp_path)
        check_lookalikes_refused("widget", tmp_path / "lookalikes")

The checks: the sample is detected as its format (:func:`check_detected`), read with its
name and version (:func:`check_metadata`), makes a payload the ``cloudsmith-api`` model of
the format accepts (:func:`check_payload`; install ``pubsmith[testing]``), and damaged
copies of it are refused with an ``ArtifactError`` (:func:`check_damage_refused`); and no
look-alike of another format is detected as yours (:func:`check_lookalikes_refused`).
"""

from __future__ import annotations

from pubsmith.testing._archives import corrupted_copy, make_tar, make_zip, truncated_copy
from pubsmith.testing._checks import (
    Sample,
    check_damage_refused,
    check_detected,
    check_lookalikes_refused,
    check_metadata,
    check_payload,
    check_sample,
)
from pubsmith.testing._lookalikes import Lookalike, lookalikes
from pubsmith.testing._models import ConformanceError, upload_model, validate_payload

__all__ = [
    "ConformanceError",
    "Lookalike",
    "Sample",
    "check_damage_refused",
    "check_detected",
    "check_lookalikes_refused",
    "check_metadata",
    "check_payload",
    "check_sample",
    "corrupted_copy",
    "lookalikes",
    "make_tar",
    "make_zip",
    "truncated_copy",
    "upload_model",
    "validate_payload",
]
