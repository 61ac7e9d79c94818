"""Vagrant boxes: a tar (usually gzipped) holding ``metadata.json``, a Vagrantfile and disks.

Only the provider is inside a box; its name and version live in the catalogue a box is
added to, so the user gives them (``-o name=... -o version=...``).
"""

from __future__ import annotations

from pubsmith import Artifact, ArtifactError, FormatPlugin, Option, PackageInfo, Strength, hookimpl
from pubsmith_formats._parse import DOCUMENT_BYTES, parse_json

__all__ = ["VagrantFormat", "pubsmith_register_format"]


class VagrantFormat(FormatPlugin):
    PLUGIN_NAME = "vagrant"
    summary = "Vagrant boxes (.box: tar with metadata.json; name and version from -o)"
    options = (
        Option("name", "Box name, such as acme/bookworm64", required=True),
        Option("version", "Box version, such as 1.0.0", required=True),
        Option(
            "provider",
            "Provider, such as libvirt (default: metadata.json's)",
            required=True,
            read_from_file=True,
        ),
    )

    def recognise(self, artifact: Artifact) -> Strength:
        # A box's metadata.json names its provider; other tars' metadata.json files do not.
        try:
            found = artifact.kind == "tar" and bool(_provider(artifact))
        except ArtifactError:
            return Strength.NONE
        return Strength.MANIFEST if found else Strength.NONE

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        if artifact.kind != "tar":
            raise ArtifactError(artifact.path, "is not a Vagrant box (not a tar archive)")
        return PackageInfo(fields={"provider": _provider(artifact)})


def _provider(artifact: Artifact) -> str:
    # `tar cvzf x.box ./metadata.json ...`, as Vagrant's docs show, stores "./" prefixes.
    names = artifact.names()
    member = next((name for name in names if name.removeprefix("./") == "metadata.json"), None)
    if member is None:
        raise ArtifactError(artifact.path, "is not a Vagrant box (no metadata.json at its root)")
    data = artifact.read(member, limit=DOCUMENT_BYTES)
    metadata = parse_json(artifact, data, f"{member} inside")
    provider = metadata.get("provider") if isinstance(metadata, dict) else None
    if not isinstance(provider, str) or not provider:
        raise ArtifactError(
            artifact.path, 'has a metadata.json without "provider"; add one, such as "virtualbox"'
        )
    return provider


@hookimpl
def pubsmith_register_format() -> type[FormatPlugin]:
    return VagrantFormat
