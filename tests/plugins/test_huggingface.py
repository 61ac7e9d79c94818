from __future__ import annotations

from pathlib import Path

import pytest

from pubsmith import Artifact, ArtifactError, OptionError, Strength
from pubsmith.planning import plan_package
from pubsmith.registry import FormatRegistry
from pubsmith.testing import make_tar

MODEL = "acme-tiny-model.tar.gz"
CONFIG = b'{"model_type": "bert"}'


@pytest.fixture
def model_path(fixtures_dir: Path) -> Path:
    return fixtures_dir / "huggingface" / MODEL


def test_flat_archive_takes_its_name_from_the_config(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    path = make_tar(
        tmp_path / "m.tar.gz",
        {
            "./config.json": b'{"_name_or_path": "acme/flat-model"}',
            "./pytorch_model.bin": b"\0" * 8,
        },
    )
    assert registry.detect(Artifact(path)).PLUGIN_NAME == "huggingface"
    assert registry.get("huggingface").read_metadata(Artifact(path)).name == "flat-model"


def test_huggingface_takes_no_options(registry: FormatRegistry, model_path: Path) -> None:
    with pytest.raises(OptionError, match="'name'"):
        plan_package(registry, model_path, options={"name": "x"})


@pytest.mark.parametrize(
    "members",
    [
        {"model/config.json": CONFIG},
        {"model/config.json": CONFIG, "model/weights/model.safetensors": b"\0"},
        {"a/b/config.json": CONFIG, "a/b/model.safetensors": b"\0"},
        {"package/package.json": b"{}", "package/model.bin": b"\0"},
    ],
)
def test_archives_without_config_beside_weights_are_not_claimed(
    registry: FormatRegistry, tmp_path: Path, members: dict[str, bytes]
) -> None:
    path = make_tar(tmp_path / "x.tar.gz", members)
    assert registry.get("huggingface").recognise(Artifact(path)) is Strength.NONE
    with pytest.raises(ArtifactError, match="not a Hugging Face model archive"):
        registry.get("huggingface").read_metadata(Artifact(path))


@pytest.mark.parametrize(
    ("config", "problem"),
    [(b"{bad", "config.json inside is not valid JSON"), (b"[1]", "not a JSON object")],
)
def test_bad_config_says_what_is_wrong(
    registry: FormatRegistry, tmp_path: Path, config: bytes, problem: str
) -> None:
    path = make_tar(tmp_path / "m.tar.gz", {"m/config.json": config, "m/model.safetensors": b"\0"})
    with pytest.raises(ArtifactError, match=problem):
        registry.get("huggingface").read_metadata(Artifact(path))


def test_truncated_archive_is_rejected(
    registry: FormatRegistry, model_path: Path, tmp_path: Path
) -> None:
    path = tmp_path / MODEL
    path.write_bytes(model_path.read_bytes()[:200])
    with pytest.raises(ArtifactError, match="corrupt|truncated") as caught:
        plan_package(registry, path, format_name="huggingface")
    assert caught.value.path == path
