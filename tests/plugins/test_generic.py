from __future__ import annotations

from pathlib import Path

import pytest
from cloudsmith_api.models import GenericPackageUploadRequest

from pubsmith import Artifact, FormatDetectionError, OptionError, Strength
from pubsmith.planning import plan_package
from pubsmith.registry import FormatRegistry

SCRIPT = "acme-hello-1.0.0.sh"
FILEPATH = "tools/acme-hello/1.0.0/acme-hello-1.0.0.sh"


@pytest.fixture
def script(fixtures_dir: Path) -> Path:
    return fixtures_dir / "generic" / SCRIPT


def test_generic_never_claims_a_file(
    registry: FormatRegistry, fixtures_dir: Path, script: Path
) -> None:
    for path in (script, fixtures_dir / "deb" / "acme-hello_1.0.0-1_all.deb"):
        assert registry.get("generic").recognise(Artifact(path)) is Strength.NONE
    with pytest.raises(FormatDetectionError):
        registry.detect(Artifact(script))


def test_payload_from_options(registry: FormatRegistry, script: Path) -> None:
    options = {"filepath": FILEPATH, "name": "acme-hello", "version": "1.0.0"}
    plan = plan_package(registry, script, format_name="generic", options=options)
    assert (plan.format, plan.name, plan.version) == ("generic", "acme-hello", "1.0.0")
    request = GenericPackageUploadRequest(**plan.preview_payload())
    assert (request.filepath, request.name, request.version) == (FILEPATH, "acme-hello", "1.0.0")


def test_no_name_is_sent_unless_given_and_cloudsmith_names_it_after_the_file(
    registry: FormatRegistry, script: Path
) -> None:
    plan = plan_package(registry, script, format_name="generic", options={"filepath": FILEPATH})
    assert (plan.name, plan.version) == (SCRIPT, None)
    assert "name" not in plan.preview_payload()
    assert GenericPackageUploadRequest(**plan.preview_payload()).name is None


def test_missing_filepath_names_the_option(registry: FormatRegistry, script: Path) -> None:
    with pytest.raises(OptionError, match="-o filepath=") as caught:
        plan_package(registry, script, format_name="generic", options={"version": "1.0.0"})
    assert caught.value.key == "filepath"
