"""Debian packages: binary ``.deb`` archives and ``.dsc`` source packages.

``name`` and ``version`` are the ``Package`` (or ``Source``) and ``Version`` fields as
written, epoch and Debian revision included. A source package is published as its
``.dsc``, with the upstream (or native) tarball it names as ``sources_file`` and its
Debian packaging archive (``.debian.tar.*`` or ``.diff.gz``) as ``changes_file``: the
mapping Cloudsmith's API expects and its own CLI uses. The ``.changes`` upload
description that ``dpkg-genchanges`` writes is not part of the payload.
"""

from __future__ import annotations

from pathlib import Path

from pubsmith import Artifact, ArtifactError, FormatPlugin, Option, PackageInfo, Strength, hookimpl
from pubsmith_formats._deb822 import parse_paragraph, unwrap_clearsigned
from pubsmith_formats._parse import DOCUMENT_BYTES, read_file

__all__ = ["DebFormat", "pubsmith_register_format"]

_MAX_DSC_BYTES = 1024 * 1024
_TEXT_STARTS = (b"Format:", b"-----BEGIN PGP SIGNED MESSAGE-----")


class DebFormat(FormatPlugin):
    PLUGIN_NAME = "deb"
    summary = "Debian binary packages (.deb) and source packages (.dsc with its tarballs)"
    options = (
        Option("distribution", "Distribution and release, such as debian/bookworm", required=True),
        Option("component", "Component (channel), such as main; Cloudsmith's default is main"),
        Option("sources_file", "Source packages: the upstream or native tarball", type="file"),
        Option("changes_file", "Source packages: the .debian.tar.* or .diff.gz", type="file"),
    )

    def recognise(self, artifact: Artifact) -> Strength:
        head = artifact.head
        # The first ar member header names debian-binary (GNU ar may add a trailing slash).
        if artifact.kind == "ar":
            is_deb = head[8:24].rstrip(b" /") == b"debian-binary"
            return Strength.SIGNATURE if is_deb else Strength.NONE
        if not head.startswith(_TEXT_STARTS) or artifact.size > _MAX_DSC_BYTES:
            return Strength.NONE
        try:
            _dsc_fields(artifact)
        except ArtifactError:
            return Strength.NONE
        return Strength.MARKER  # dpkg-source's control file: Format, Source and its files

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        if artifact.kind == "ar":
            fields = _binary_fields(artifact)
            name_field = "package"
        elif artifact.head.startswith(_TEXT_STARTS):
            fields = _dsc_fields(artifact)
            name_field = "source"
        else:
            raise ArtifactError(artifact.path, "is neither a .deb (ar archive) nor a .dsc file")
        missing = [key for key in (name_field, "version") if not fields.get(key)]
        if missing:
            raise ArtifactError(artifact.path, f"has control data without {', '.join(missing)}")
        return PackageInfo(name=fields[name_field], version=fields["version"])

    def find_companions(self, artifact: Artifact) -> dict[str, Path]:
        if artifact.kind == "ar" or not self.recognise(artifact):
            return {}
        companions: dict[str, Path] = {}
        for filename in _dsc_files(artifact, _dsc_fields(artifact)):
            if filename.endswith(".asc"):
                continue  # a detached upstream signature has no payload field
            path = artifact.path.with_name(filename)
            if not path.is_file():
                problem = f"names {filename}, which is not beside it; put it next to the .dsc"
                raise ArtifactError(artifact.path, problem)
            if ".debian.tar." in filename or filename.endswith(".diff.gz"):
                companions["changes_file"] = path
            elif ".orig-" in filename:
                problem = f"names a second upstream tarball, {filename}; Cloudsmith takes one"
                raise ArtifactError(artifact.path, problem)
            else:
                companions["sources_file"] = path
        return companions


def _binary_fields(artifact: Artifact) -> dict[str, str]:
    names = artifact.names()
    if names[:1] != ["debian-binary"] or not artifact.read("debian-binary").startswith(b"2."):
        raise ArtifactError(artifact.path, "is an ar archive but not a .deb (no debian-binary)")
    member = next((name for name in names if name.startswith("control.tar")), None)
    if member is None:
        raise ArtifactError(artifact.path, "has no control.tar.* member; rebuild it with dpkg-deb")
    control_tar = artifact.nested(member)
    control = next((name for name in control_tar.names() if name in ("control", "./control")), None)
    if control is None:
        problem = f"has no control file in {member}; rebuild it with dpkg-deb"
        raise ArtifactError(artifact.path, problem)
    try:
        return parse_paragraph(control_tar.read_text(control, limit=DOCUMENT_BYTES))
    except ValueError as exc:
        raise ArtifactError(artifact.path, f"has an unparseable control file ({exc})") from None


def _dsc_fields(artifact: Artifact) -> dict[str, str]:
    """The fields of a .dsc; ``ArtifactError`` for anything else, a .changes included."""
    data = read_file(artifact.path, _MAX_DSC_BYTES, "a Debian source control file")
    try:
        fields = parse_paragraph(unwrap_clearsigned(data.decode("utf-8")))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ArtifactError(artifact.path, f"is not a Debian source control file ({exc})") from None
    if next(iter(fields), None) != "format" or "source" not in fields:
        raise ArtifactError(artifact.path, "is not a .dsc: it lacks a leading Format or a Source")
    if "distribution" in fields:
        raise ArtifactError(
            artifact.path, "is a .changes file, not a package; publish the .dsc or .deb it lists"
        )
    _dsc_files(artifact, fields)
    return fields


def _dsc_files(artifact: Artifact, fields: dict[str, str]) -> list[str]:
    listing = fields.get("checksums-sha256") or fields.get("files") or ""
    names = []
    for line in listing.splitlines():
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 3 or "/" in parts[2]:
            raise ArtifactError(artifact.path, f"has a malformed file entry {line.strip()!r}")
        names.append(parts[2])
    if not names:
        raise ArtifactError(artifact.path, "names no source files (no Checksums-Sha256 or Files)")
    return names


@hookimpl
def pubsmith_register_format() -> type[FormatPlugin]:
    return DebFormat
