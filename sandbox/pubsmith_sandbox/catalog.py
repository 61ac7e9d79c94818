"""What the sandbox knows about Cloudsmith's formats and distributions.

The 31 formats are those with an upload model in the official bindings; the distributions
are a realistic subset (a few releases each) for the formats that need one.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DISTROS", "FORMATS", "Distro", "FormatInfo", "distribution_choices", "model_name"]


@dataclass(frozen=True)
class FormatInfo:
    slug: str
    name: str
    extensions: tuple[str, ...]


@dataclass(frozen=True)
class Distro:
    slug: str
    name: str
    format: str
    versions: tuple[tuple[str, str], ...]
    """(slug, name) of each release."""


_FORMATS = (
    ("alpine", "Alpine", (".apk",)),
    ("cargo", "Cargo", (".crate",)),
    ("cocoapods", "CocoaPods", (".tar.gz",)),
    ("composer", "Composer", (".zip",)),
    ("conan", "Conan", (".tgz",)),
    ("conda", "Conda", (".conda", ".tar.bz2")),
    ("cran", "CRAN", (".tar.gz", ".zip", ".tgz")),
    ("dart", "Dart", (".tar.gz",)),
    ("deb", "Debian", (".deb", ".dsc")),
    ("docker", "Docker", (".tar", ".tar.gz")),
    ("generic", "Generic", ()),
    ("go", "Go", (".zip",)),
    ("helm", "Helm", (".tgz",)),
    ("hex", "Hex", (".tar",)),
    ("huggingface", "Hugging Face", (".tar.gz",)),
    ("luarocks", "LuaRocks", (".rock", ".rockspec")),
    ("maven", "Maven", (".jar", ".pom", ".war", ".aar")),
    ("mcp", "MCP", (".mcpb",)),
    ("nix", "Nix", (".nar", ".nar.xz", ".narinfo")),
    ("npm", "npm", (".tgz",)),
    ("nuget", "NuGet", (".nupkg", ".snupkg")),
    ("p2", "P2", (".jar", ".zip")),
    ("python", "Python", (".whl", ".tar.gz", ".zip")),
    ("raw", "Raw", ()),
    ("rpm", "Red Hat", (".rpm",)),
    ("ruby", "Ruby", (".gem",)),
    ("skills", "Skills", (".zip",)),
    ("swift", "Swift", (".zip",)),
    ("terraform", "Terraform", (".tar.gz",)),
    ("vagrant", "Vagrant", (".box",)),
    ("vsx", "VSX", (".vsix",)),
)

FORMATS: dict[str, FormatInfo] = {slug: FormatInfo(slug, name, ext) for slug, name, ext in _FORMATS}

_ANY = ("any-version", "Any Version")

DISTROS: tuple[Distro, ...] = (
    Distro(
        "alpine",
        "Alpine Linux",
        "alpine",
        (("v3.18", "v3.18"), ("v3.19", "v3.19"), ("v3.20", "v3.20"), ("edge", "Edge"), _ANY),
    ),
    Distro(
        "debian",
        "Debian",
        "deb",
        (("bullseye", "11 Bullseye"), ("bookworm", "12 Bookworm"), ("trixie", "13 Trixie"), _ANY),
    ),
    Distro(
        "ubuntu",
        "Ubuntu",
        "deb",
        (
            ("focal", "20.04 Focal Fossa"),
            ("jammy", "22.04 Jammy Jellyfish"),
            ("noble", "24.04 Noble Numbat"),
            _ANY,
        ),
    ),
    Distro("el", "Enterprise Linux", "rpm", (("7", "7"), ("8", "8"), ("9", "9"), _ANY)),
    Distro("fedora", "Fedora", "rpm", (("39", "39"), ("40", "40"), ("41", "41"), _ANY)),
    Distro("any-distro", "Any Distribution", "deb", (_ANY,)),
    Distro("any-distro", "Any Distribution", "rpm", (_ANY,)),
)


def model_name(format_slug: str) -> str:
    """The bindings' request model for a format's package upload."""
    return f"{format_slug[0].upper()}{format_slug[1:]}PackageUploadRequest"


def distribution_choices(format_slug: str) -> list[str]:
    """Every ``distro/version`` slug a package of ``format_slug`` may name."""
    return [
        f"{distro.slug}/{version}"
        for distro in DISTROS
        if distro.format == format_slug
        for version, _ in distro.versions
    ]
