"""Look-alikes of the builtin formats: each holds just the members its format is told by.

A conforming plugin claims none of another format's look-alikes strongly enough to win it:
detection with every installed plugin still picks the format the look-alike is of, or, for
the ones of no format (a plain zip, a plain jar), picks nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pubsmith.testing._archives import Members, make_tar, make_zip

__all__ = ["Lookalike", "lookalikes"]

_CONTENT_TYPES = '<?xml version="1.0"?><Types/>'
_BUNDLE_MANIFEST = (
    "Manifest-Version: 1.0\r\nBundle-ManifestVersion: 2\r\n"
    "Bundle-SymbolicName: org.x.lib;singleton:=true\r\nBundle-Version: 1.0.0.v2024\r\n"
)


@dataclass(frozen=True)
class Lookalike:
    """One look-alike written to disk: its kind, and the format it is of (None: no format)."""

    kind: str
    format: str | None
    path: Path


# kind: (format it is of, container, file suffix, members). Containers: "zip", "tar", "tgz".
_SPECS: dict[str, tuple[str | None, str, str, Members]] = {
    "npm": ("npm", "tgz", "tgz", {"package/package.json": '{"name": "l", "version": "1.0.0"}'}),
    "helm": ("helm", "tgz", "tgz", {"chart/Chart.yaml": "apiVersion: v2\nname: c\nversion: 0.1\n"}),
    "dart": ("dart", "tgz", "tgz", {"pubspec.yaml": "name: d\nversion: 1.0.0\n", "lib/a.dart": ""}),
    "cocoapods": (
        "cocoapods",
        "tgz",
        "tgz",
        {"Pod/Pod.podspec.json": '{"name": "Pod", "version": "1.0"}'},
    ),
    "terraform": ("terraform", "tgz", "tgz", {"main.tf": 'variable "x" {}\n'}),
    "python-sdist": (
        "python",
        "tgz",
        "tgz",
        {
            "thing-1.0/PKG-INFO": "Metadata-Version: 2.1\nName: thing\nVersion: 1.0\n",
            # sdists of Rust, PHP or infrastructure helpers carry other formats' files too.
            "thing-1.0/Cargo.toml": '[package]\nname = "thing"\nversion = "1.0.0"\n',
            "thing-1.0/composer.json": '{"name": "a/thing"}',
            "thing-1.0/main.tf": "",
        },
    ),
    "npm-with-podspec": (
        "npm",
        "tgz",
        "tgz",
        {
            # React Native libraries ship a podspec inside their npm package.
            "package/package.json": '{"name": "react-native-thing", "version": "0.1.0"}',
            "package/RNThing.podspec": "Pod::Spec.new do |s|\nend\n",
        },
    ),
    "cargo": (
        "cargo",
        "tgz",
        "crate",
        {
            "crab-0.1.0/Cargo.toml": '[package]\nname = "crab"\nversion = "0.1.0"\n',
            "crab-0.1.0/Cargo.toml.orig": '[package]\nname = "crab"\nversion = "0.1.0"\n',
        },
    ),
    "cran": (
        "cran",
        "tgz",
        "tgz",
        {"rpkg/DESCRIPTION": "Package: rpkg\nVersion: 0.1\n", "rpkg/NAMESPACE": "export(f)\n"},
    ),
    "hex": (
        "hex",
        "tar",
        "tar",
        {
            "VERSION": "3",
            "CHECKSUM": "0" * 64,
            "metadata.config": '{<<"name">>,<<"hexy">>}.\n{<<"version">>,<<"1.0.0">>}.\n',
            "contents.tar.gz": b"",
        },
    ),
    "composer": ("composer", "zip", "zip", {"composer.json": '{"name": "acme/thing"}'}),
    "go": ("go", "zip", "zip", {"example.com/mod@v1.0.0/go.mod": "module example.com/mod\n"}),
    "luarocks": (
        "luarocks",
        "zip",
        "rock",
        {"thing-1.0-1.rockspec": 'package = "thing"\nversion = "1.0-1"\n'},
    ),
    "wheel": ("python", "zip", "whl", {"thing-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\n"}),
    "maven-jar": (
        "maven",
        "zip",
        "jar",
        {
            "META-INF/maven/org.x/lib/pom.properties": "groupId=org.x\nartifactId=lib\nversion=1\n",
            # maven-bundle-plugin makes jars that are OSGi bundles as well.
            "META-INF/MANIFEST.MF": _BUNDLE_MANIFEST,
        },
    ),
    "bundle-jar": ("p2", "zip", "jar", {"META-INF/MANIFEST.MF": _BUNDLE_MANIFEST}),
    "p2-repository": (
        "p2",
        "zip",
        "zip",
        {
            "artifacts.xml": "<?xml version='1.0'?>\n<repository name='Lib site' version='1'/>\n",
            "content.xml": "<?xml version='1.0'?>\n<repository name='Lib site' version='1'/>\n",
        },
    ),
    "nupkg": (
        "nuget",
        "zip",
        "nupkg",
        {
            "T.nuspec": "<package><metadata><id>T</id><version>1</version></metadata></package>",
            "[Content_Types].xml": _CONTENT_TYPES,
        },
    ),
    "vsix": (
        "vsx",
        "zip",
        "vsix",
        {
            "extension.vsixmanifest": "<PackageManifest/>",
            "extension/package.json": '{"name": "thing", "publisher": "acme", "version": "1.0.0"}',
            "[Content_Types].xml": _CONTENT_TYPES,
        },
    ),
    "mcpb": (
        "mcp",
        "zip",
        "mcpb",
        {"manifest.json": '{"name": "srv", "version": "1.0.0", "server": {"type": "node"}}'},
    ),
    "skill": (
        "skills",
        "zip",
        "zip",
        {"my-skill/SKILL.md": "---\nname: my-skill\ndescription: Does things.\n---\n"},
    ),
    "claude-plugin": (
        "skills",
        "zip",
        "zip",
        {".claude-plugin/plugin.json": '{"name": "my-plugin", "version": "0.1.0"}'},
    ),
    "swift": (
        "swift",
        "zip",
        "zip",
        {"Thing/Package.swift": "// swift-tools-version:5.9\n", "Thing/Sources/x.swift": ""},
    ),
    "gem": (
        "ruby",
        "tar",
        "gem",
        {"metadata.gz": b"", "data.tar.gz": b"", "checksums.yaml.gz": b""},
    ),
    "plain-zip": (None, "zip", "zip", {"readme.txt": "hello\n", "docs/guide.md": "# Guide\n"}),
    "plain-tgz": (None, "tgz", "tgz", {"notes/readme.txt": "hello\n"}),
    "plain-jar": (None, "zip", "jar", {"META-INF/MANIFEST.MF": "Manifest-Version: 1.0\r\n"}),
    "visual-studio-vsix": (None, "zip", "vsix", {"extension.vsixmanifest": "<PackageManifest/>"}),
    "manifest-json-zip": (None, "zip", "zip", {"manifest.json": '{"name": "a", "version": "1"}'}),
}


def lookalikes(directory: Path) -> list[Lookalike]:
    """Write every look-alike into ``directory`` (one file each) and return them."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, (owner, container, suffix, members) in _SPECS.items():
        path = directory / f"{kind}.{suffix}"
        if container == "zip":
            make_zip(path, members)
        else:
            make_tar(path, members, compress=container == "tgz")
        written.append(Lookalike(kind, owner, path))
    return written
