"""Hugging Face models: a model folder (``config.json`` beside weights) packed as a tar.

Cloudsmith documents no single-file layout for models, so recognition is a content
marker, not a spec: a tar (any compression) whose root, or single top folder, holds a
``config.json`` JSON object and at least one weights file (``*.safetensors``, ``*.bin``,
...). The name is that top folder's name (or the config's ``_name_or_path``); a model
folder carries no version.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from pubsmith import Artifact, ArtifactError, FormatPlugin, PackageInfo, Strength, hookimpl
from pubsmith_formats._parse import DOCUMENT_BYTES, parse_json

__all__ = ["HuggingfaceFormat", "pubsmith_register_format"]

_WEIGHTS = (".safetensors", ".bin", ".pt", ".pth", ".h5", ".msgpack", ".onnx", ".gguf")


class HuggingfaceFormat(FormatPlugin):
    PLUGIN_NAME = "huggingface"
    summary = "Hugging Face models (a tar.gz of a folder with config.json and weights)"

    def recognise(self, artifact: Artifact) -> Strength:
        # A config.json beside weights is a convention, not a manifest: any tar may hold one.
        try:
            found = artifact.kind == "tar" and _config_member(artifact) is not None
        except ArtifactError:
            return Strength.NONE
        return Strength.CONTAINER if found else Strength.NONE

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        member = _config_member(artifact) if artifact.kind == "tar" else None
        if member is None:
            raise ArtifactError(
                artifact.path,
                "is not a Hugging Face model archive (no config.json beside *.safetensors "
                "or *.bin weights in a tar)",
            )
        config = parse_json(
            artifact, artifact.read(member, limit=DOCUMENT_BYTES), f"{member} inside"
        )
        if not isinstance(config, dict):
            raise ArtifactError(artifact.path, "has a config.json that is not a JSON object")
        folder = PurePosixPath(member).parent.name
        name_or_path = config.get("_name_or_path")
        if not folder and isinstance(name_or_path, str):
            folder = PurePosixPath(name_or_path).name
        return PackageInfo(name=folder or None)


def _config_member(artifact: Artifact) -> str | None:
    """The config.json at the root or one folder down that has weights beside it."""
    names = artifact.names()
    # Paths are made only of the few names that can matter: a model's folder may hold
    # tens of thousands of files, and any tar is asked whether it is a model.
    weighted = {_path(name).parent for name in names if name.endswith(_WEIGHTS)}
    for name in names if weighted else ():
        if not name.endswith("config.json"):
            continue
        path = _path(name)
        if path.name == "config.json" and len(path.parts) <= 2 and path.parent in weighted:
            return name
    return None


def _path(name: str) -> PurePosixPath:
    return PurePosixPath(name.removeprefix("./"))


@hookimpl
def pubsmith_register_format() -> type[FormatPlugin]:
    return HuggingfaceFormat
