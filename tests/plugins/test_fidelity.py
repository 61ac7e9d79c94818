"""A value goes into the payload only when the user, the artifact or a companion states it;
Cloudsmith (here the sandbox, which validates bodies with the official bindings) derives
the rest, as it does for its own CLI. And what companions state is read from the files the
user gives, wherever they lie."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from pubsmith import PublishResult, publish
from pubsmith.client import CloudsmithClient
from pubsmith.testing import make_zip
from pubsmith_sandbox.pytest_plugin import SandboxFixture


def publish_one(sandbox: SandboxFixture, path: Path | str, **kwargs: Any) -> PublishResult:
    [result] = publish(
        [path],
        repo=sandbox.repo_slug,
        api_url=sandbox.url,
        api_key=sandbox.api_key,
        **kwargs,
    )
    assert result.status == "published", result.error
    return result


def stored(sandbox: SandboxFixture, result: PublishResult) -> dict[str, Any]:
    with CloudsmithClient(sandbox.url, sandbox.api_key) as client:
        [package] = [
            package
            for package in client.list_packages(sandbox.owner, sandbox.repo)
            if package["slug_perm"] == result.slug_perm
        ]
    assert package["is_sync_completed"] is True, package["status_reason"]
    return package


def test_a_composer_zip_without_a_version_publishes(
    sandbox: SandboxFixture, fixtures_dir: Path
) -> None:
    result = publish_one(sandbox, fixtures_dir / "composer" / "acme-strings-1.4.0.zip")
    assert result.payload == {"package_file": result.payload["package_file"]}
    assert stored(sandbox, result)["name"] == "acme/strings"


def test_raw_without_a_name_sends_none_and_cloudsmith_names_it_after_the_file(
    sandbox: SandboxFixture, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("release notes\n")
    result = publish_one(sandbox, f"raw:{notes}", options={"version": "1.0"})
    assert "name" not in (result.payload or {})
    assert (result.name, result.version) == ("notes.txt", "1.0")
    package = stored(sandbox, result)
    assert (package["name"], package["version"]) == ("notes.txt", "1.0")


def test_a_jar_without_pom_properties_takes_its_coordinates_from_the_pom_given(
    sandbox: SandboxFixture, tmp_path: Path
) -> None:
    (tmp_path / "dist").mkdir()
    jar = make_zip(
        tmp_path / "dist" / "tool.jar", {"META-INF/MANIFEST.MF": "Manifest-Version: 1.0\n"}
    )
    pom = tmp_path / "build" / "pom.xml"
    pom.parent.mkdir()
    pom.write_text(
        '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>'
        "<groupId>org.acme</groupId><artifactId>tool</artifactId><version>2.1</version>"
        "</project>"
    )
    # Nothing inside says it is Maven's, so it is named: maven:FILE.
    result = publish_one(sandbox, f"maven:{jar}", options={"pom_file": str(pom)})
    assert (result.format, result.name, result.version) == ("maven", "tool", "2.1")
    assert result.payload is not None
    assert (result.payload["group_id"], result.payload["artifact_id"]) == ("org.acme", "tool")
    package = stored(sandbox, result)
    assert (package["name"], package["version"]) == ("tool", "2.1")


def test_a_conan_package_from_conans_cache_publishes_with_the_recipe_given(
    sandbox: SandboxFixture, fixtures_dir: Path, tmp_path: Path
) -> None:
    # conan upload leaves the package's three files in its download folder; the recipe is
    # elsewhere in the cache (conan cache path NAME/VERSION@USER/CHANNEL prints where).
    download = tmp_path / "p" / "b" / "acme-c191d619f99c6" / "d"
    download.mkdir(parents=True)
    for name in ("conan_package.tgz", "conaninfo.txt", "conanmanifest.txt"):
        shutil.copy(fixtures_dir / "conan" / name, download / name)
    recipe = tmp_path / "p" / "acme-0d9a9e1b1d5b2" / "e" / "conanfile.py"
    recipe.parent.mkdir(parents=True)
    shutil.copy(fixtures_dir / "conan" / "conanfile.py", recipe)
    options = {"metadata_file": str(recipe), "conan_prefix": "acme", "conan_channel": "stable"}
    result = publish_one(sandbox, download / "conan_package.tgz", options=options)
    assert (result.name, result.version) == ("acme-greeting", "1.0.0")
    package = stored(sandbox, result)
    assert (package["name"], package["version"]) == ("acme-greeting", "1.0.0")
