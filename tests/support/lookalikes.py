"""Look-alikes of each format: small archives holding just the members a format is told
apart by, so a test can check that a plugin claims its own kind and no one else's.

``LOOKALIKES`` are the tar and zip kinds every plugin is checked against;
``ZIP_LOOKALIKES`` the zip formats (maven, p2, nuget, vsx, mcp, skills, swift) and gems,
with ``FORMAT_OF`` saying which format should claim each (``None``: no format should).
"""

from __future__ import annotations

from pathlib import Path

from pubsmith import Artifact
from tests.support.archives import Members, make_tar, make_zip

__all__ = ["FORMAT_OF", "LOOKALIKES", "ZIP_LOOKALIKES", "lookalike", "zip_lookalike"]

LOOKALIKES: dict[str, tuple[str, Members]] = {
    "npm": ("tgz", {"package/package.json": '{"name": "left", "version": "1.0.0"}'}),
    "helm": ("tgz", {"chart/Chart.yaml": "apiVersion: v2\nname: chart\nversion: 0.1.0\n"}),
    "dart": ("tgz", {"pubspec.yaml": "name: dartish\nversion: 1.0.0\n", "lib/a.dart": ""}),
    "cocoapods": ("tgz", {"Pod/Pod.podspec.json": '{"name": "Pod", "version": "1.0"}'}),
    "terraform": ("tgz", {"main.tf": 'variable "x" {}\n'}),
    "python-sdist": (
        "tgz",
        {
            "thing-1.0/PKG-INFO": "Metadata-Version: 2.1\nName: thing\nVersion: 1.0\n",
            # sdists of Rust, PHP or infrastructure helpers carry other formats' files too.
            "thing-1.0/Cargo.toml": '[package]\nname = "thing"\nversion = "1.0.0"\n',
            "thing-1.0/composer.json": '{"name": "a/thing"}',
            "thing-1.0/main.tf": "",
        },
    ),
    "cargo": (
        "tgz",
        {
            "crab-0.1.0/Cargo.toml": '[package]\nname = "crab"\nversion = "0.1.0"\n',
            "crab-0.1.0/Cargo.toml.orig": '[package]\nname = "crab"\nversion = "0.1.0"\n',
        },
    ),
    "cran": (
        "tgz",
        {"rpkg/DESCRIPTION": "Package: rpkg\nVersion: 0.1\n", "rpkg/NAMESPACE": "export(f)\n"},
    ),
    "hex": (
        "tar",
        {
            "VERSION": "3",
            "CHECKSUM": "0" * 64,
            "metadata.config": '{<<"name">>,<<"hexy">>}.\n{<<"version">>,<<"1.0.0">>}.\n',
            "contents.tar.gz": b"",
        },
    ),
    "composer": ("zip", {"composer.json": '{"name": "acme/thing", "version": "1.0.0"}'}),
    "go": ("zip", {"example.com/mod@v1.0.0/go.mod": "module example.com/mod\n"}),
    "luarocks": ("zip", {"thing-1.0-1.rockspec": 'package = "thing"\nversion = "1.0-1"\n'}),
    "wheel": ("zip", {"thing-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\n"}),
    "plain-zip": ("zip", {"readme.txt": "hello\n", "docs/guide.md": "# Guide\n"}),
    "plain-tgz": ("tgz", {"notes/readme.txt": "hello\n"}),
}


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


def lookalike(tmp_path: Path, kind: str) -> Artifact:
    """An :class:`Artifact` of the ``LOOKALIKES[kind]`` archive, written under ``tmp_path``."""
    container, members = LOOKALIKES[kind]
    if container == "zip":
        return Artifact(make_zip(tmp_path / f"{kind}.zip", members))
    compression = "gz" if container == "tgz" else None
    return Artifact(make_tar(tmp_path / f"{kind}.{container}", members, compression=compression))


def zip_lookalike(tmp_path: Path, kind: str) -> Artifact:
    """An :class:`Artifact` of the ``ZIP_LOOKALIKES[kind]`` archive, written under ``tmp_path``."""
    suffix, members = ZIP_LOOKALIKES[kind]
    path = tmp_path / f"{kind}.{suffix}"
    if suffix == "gem":
        return Artifact(make_tar(path, members, compression=None))
    return Artifact(make_zip(path, members))
