"""Every installed format together: each zip look-alike is detected as its own format only."""

from __future__ import annotations

from pathlib import Path

import pytest

from pubsmith import FormatDetectionError
from pubsmith.registry import FormatRegistry
from tests.support.lookalikes import FORMAT_OF, ZIP_LOOKALIKES, zip_lookalike


@pytest.mark.parametrize("kind", sorted(ZIP_LOOKALIKES))
def test_detection_settles_on_the_one_right_format(
    registry: FormatRegistry, tmp_path: Path, kind: str
) -> None:
    artifact = zip_lookalike(tmp_path, kind)
    expected = FORMAT_OF[kind]
    if expected is None:
        with pytest.raises(FormatDetectionError) as caught:
            registry.detect(artifact)
        assert caught.value.candidates == ()
    else:
        assert expected == registry.detect(artifact).PLUGIN_NAME
