"""R packages: ``R CMD build`` source tarballs and binary builds, named by ``<pkg>/DESCRIPTION``."""

from __future__ import annotations

import re

from pubsmith import Artifact, ArtifactError, FormatPlugin, Option, PackageInfo, Strength, hookimpl
from pubsmith_formats._markers import find_member, require_kind, safe_member_names
from pubsmith_formats._parse import DOCUMENT_BYTES

__all__ = ["CranFormat", "pubsmith_register_format"]

# `Built: R 4.3.1; aarch64-apple-darwin20; 2023-07-01 ...; unix`; the platform is empty for
# packages without compiled code.
_BUILT = re.compile(r"^R (?P<major>\d+)\.(?P<minor>\d+)(?:\.\d+)?;\s*(?P<platform>[^;]*);")
# CRAN names Apple silicon builds arm64 (big-sur-arm64), as macOS itself does.
_MAC_ARCHITECTURES = {"aarch64": "arm64", "x86_64": "x86_64"}


class CranFormat(FormatPlugin):
    PLUGIN_NAME = "cran"
    summary = "R packages (source .tar.gz from R CMD build; binary .tgz/.zip/.tar.gz builds)"
    options = (
        Option("r_version", "R version a binary was built for, e.g. 4.3 (default: from Built:)"),
        Option(
            "architecture", "CPU a macOS binary was built for, e.g. arm64 (default: from Built:)"
        ),
    )

    def recognise(self, artifact: Artifact) -> Strength:
        # R CMD build and R CMD INSTALL --build both write <pkg>/DESCRIPTION beside NAMESPACE.
        names = safe_member_names(artifact)
        present = set(names)
        if any(
            name.endswith("/DESCRIPTION")
            and name.count("/") == 1
            and name.replace("/DESCRIPTION", "/NAMESPACE") in present
            for name in names
        ):
            return Strength.MANIFEST
        return Strength.NONE

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        require_kind(artifact, ("tar", "zip"), "is not an R package (not a tar or zip archive)")
        member = find_member(
            artifact, r"[^/]+/DESCRIPTION$", "is not an R package: it has no <pkg>/DESCRIPTION"
        )
        raw = artifact.read(member, limit=DOCUMENT_BYTES)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")  # the other encoding R's DESCRIPTION files use
        try:
            description = _parse_dcf(text)
        except ValueError as exc:
            raise ArtifactError(artifact.path, f"{member} inside does not parse ({exc})") from None
        missing = [key for key in ("Package", "Version") if not description.get(key)]
        if missing:
            raise ArtifactError(artifact.path, f"{member} inside has no {' or '.join(missing)}")
        return PackageInfo(
            name=description["Package"],
            version=description["Version"],
            fields=_binary_fields(description.get("Built", "")),
        )


def _parse_dcf(text: str) -> dict[str, str]:
    """Fields of a Debian-control-style file, continuation lines joined by newlines."""
    fields: dict[str, str] = {}
    key = ""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if line[0] in " \t":
            if not key:
                raise ValueError(f"line {number} continues no field")
            fields[key] += "\n" + line.strip()
            continue
        key, colon, value = line.partition(":")
        if not colon or not key.strip() or " " in key.strip():
            raise ValueError(f"line {number} is not 'Field: value'")
        key = key.strip()
        fields[key] = value.strip()
    return fields


def _binary_fields(built: str) -> dict[str, str]:
    match = _BUILT.match(built)
    if match is None:
        return {}  # a source package: Cloudsmith wants neither field
    fields = {"r_version": f"{match['major']}.{match['minor']}"}
    cpu, _, rest = match["platform"].strip().partition("-")
    if "darwin" in rest and cpu in _MAC_ARCHITECTURES:
        fields["architecture"] = _MAC_ARCHITECTURES[cpu]
    return fields


@hookimpl
def pubsmith_register_format() -> type[FormatPlugin]:
    return CranFormat
