"""Look-alikes of the zip formats (maven, p2, nuget, vsx, mcp, skills, swift), and of gems.

Like ``lookalikes.LOOKALIKES``, each holds just the members its format is told apart by;
``FORMAT_OF`` says which format should claim it (``None``: no format should).
"""

from __future__ import annotations

from pathlib import Path

from lookalikes import Members, make_tar, make_zip

from pubsmith import Artifact

__all__ = ["FORMAT_OF", "ZIP_LOOKALIKES", "zip_lookalike"]

_CONTENT_TYPES = '<?xml version="1.0"?><Types/>'

ZIP_LOOKALIKES: dict[str, tuple[str, Members]] = {
    "maven-jar": (
        "jar",
        {"META-INF/maven/org.x/lib/pom.properties": "groupId=org.x\nartifactId=lib\nversion=1.0\n"},
    ),
    "bundle-jar": (
        "jar",
        {
            "META-INF/MANIFEST.MF": (
                "Manifest-Version: 1.0\r\nBundle-ManifestVersion: 2\r\n"
                "Bundle-SymbolicName: org.x.lib;singleton:=true\r\nBundle-Version: 1.0.0.v2024\r\n"
            )
        },
    ),
    "p2-repository": (
        "zip",
        {
            "artifacts.xml": "<?xml version='1.0'?>\n<repository name='Lib site' version='1'/>\n",
            "content.xml": "<?xml version='1.0'?>\n<repository name='Lib site' version='1'/>\n",
        },
    ),
    "plain-jar": (
        "jar",
        {"META-INF/MANIFEST.MF": "Manifest-Version: 1.0\r\nMain-Class: x.Main\r\n"},
    ),
    "nupkg": (
        "nupkg",
        {
            "Thing.nuspec": "<package><metadata><id>Thing</id><version>1.0.0</version></metadata></package>",
            "[Content_Types].xml": _CONTENT_TYPES,
        },
    ),
    "vsix": (
        "vsix",
        {
            "extension.vsixmanifest": "<PackageManifest/>",
            "extension/package.json": '{"name": "thing", "publisher": "acme", "version": "1.0.0"}',
            "[Content_Types].xml": _CONTENT_TYPES,
        },
    ),
    "visual-studio-vsix": ("vsix", {"extension.vsixmanifest": "<PackageManifest/>"}),
    "mcpb": (
        "mcpb",
        {"manifest.json": '{"name": "srv", "version": "1.0.0", "server": {"type": "node"}}'},
    ),
    "manifest-json-zip": ("zip", {"manifest.json": '{"name": "app", "version": "1.0.0"}'}),
    "skill": (
        "zip",
        {"my-skill/SKILL.md": "---\nname: my-skill\ndescription: Does things.\n---\n"},
    ),
    "claude-plugin": (
        "zip",
        {".claude-plugin/plugin.json": '{"name": "my-plugin", "version": "0.1.0"}'},
    ),
    "swift": (
        "zip",
        {"Thing/Package.swift": "// swift-tools-version:5.9\n", "Thing/Sources/x.swift": ""},
    ),
    "gem": ("gem", {"metadata.gz": b"", "data.tar.gz": b"", "checksums.yaml.gz": b""}),
}

FORMAT_OF: dict[str, str | None] = {
    "maven-jar": "maven",
    "bundle-jar": "p2",
    "p2-repository": "p2",
    "plain-jar": None,
    "nupkg": "nuget",
    "vsix": "vsx",
    "visual-studio-vsix": None,
    "mcpb": "mcp",
    "manifest-json-zip": None,
    "skill": "skills",
    "claude-plugin": "skills",
    "swift": "swift",
    "gem": "ruby",
}


def zip_lookalike(tmp_path: Path, kind: str) -> Artifact:
    """An :class:`Artifact` of the ``ZIP_LOOKALIKES[kind]`` archive, written under ``tmp_path``."""
    suffix, members = ZIP_LOOKALIKES[kind]
    path = tmp_path / f"{kind}.{suffix}"
    if suffix == "gem":
        return Artifact(make_tar(path, members, compress=False))
    return Artifact(make_zip(path, members))
