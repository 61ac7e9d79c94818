"""--metadata-file: checked before any upload, attached once each package exists, a failed
attach reported with its package (which stays published); the official CLI's push-time
metadata against the same sandbox endpoints."""

from __future__ import annotations

import contextlib
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result

from pubsmith import __version__
from pubsmith.client import CloudsmithClient
from pubsmith.errors import ConfigError
from pubsmith.metadata import MAX_METADATA_SIZE, Metadata
from pubsmith_sandbox.pytest_plugin import SandboxFixture
from tests.support.cli import invoke
from tests.support.http_clients import http_client
from tests.support.loopback import Answer, Seen, serving
from tests.support.tools import peer_cli, peer_env

KEY = "metadata-key"
CYCLONEDX = "application/vnd.cyclonedx+json"
SBOM = {"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [{"name": "click"}]}
WHEEL = Path(__file__).resolve().parents[2] / "fixtures/python/acme_greeting-1.2.0-py3-none-any.whl"

pytestmark = pytest.mark.cloudsmith_sandbox(repos=["acme/staging"], api_key=KEY)


@pytest.fixture
def sbom(tmp_path: Path) -> Path:
    path = tmp_path / "sbom.cdx.json"
    path.write_text(json.dumps(SBOM))
    return path


def publish_cli(api: str, *args: str, **env: str) -> Result:
    return invoke(
        *("publish", str(WHEEL), "--repo", "acme/staging", "--json", *args),
        env={"CLOUDSMITH_API_HOST": api, "CLOUDSMITH_API_KEY": KEY, **env},
    )


@pytest.mark.parametrize(
    ("content", "content_type", "problem"),
    [
        ("{", CYCLONEDX, "not valid JSON"),
        ("[1, 2]", CYCLONEDX, "metadata must be a JSON object, not an array"),
        ('"text"', CYCLONEDX, "metadata must be a JSON object, not a string"),
        ("{}", None, "needs --metadata-type"),
        ("{}", "cyclonedx", "needs --metadata-type, the content's media type (not 'cyclonedx')"),
        (" " * (MAX_METADATA_SIZE + 1), CYCLONEDX, "larger than 16 MiB"),
    ],
)
def test_metadata_that_cannot_be_sent_is_refused_locally(
    tmp_path: Path, content: str, content_type: str | None, problem: str
) -> None:
    path = tmp_path / "meta.json"
    path.write_text(content)
    with pytest.raises(ConfigError) as caught:
        Metadata.load(path, content_type)
    assert str(caught.value).startswith(f"--metadata-file {path}")
    assert problem in str(caught.value)
    with pytest.raises(ConfigError, match="cannot read"):
        Metadata.load(tmp_path / "missing.json", CYCLONEDX)


def test_metadata_is_attached_to_each_package_once_it_exists(
    sandbox: SandboxFixture, sbom: Path
) -> None:
    result = publish_cli(sandbox.url, "--metadata-file", str(sbom), "--metadata-type", CYCLONEDX)
    assert result.exit_code == 0, result.output
    [document] = json.loads(result.stdout)
    assert document["metadata"]["status"] == "attached"
    with CloudsmithClient(sandbox.url, KEY) as client:
        [entry] = client.list_metadata(document["slug_perm"])
    assert entry["slug_perm"] == document["metadata"]["slug_perm"]
    assert entry["content"] == SBOM and entry["content_type"] == CYCLONEDX
    assert entry["classification"] == "sbom"
    assert entry["source_identity"] == f"pubsmith@{__version__}"
    requests = sandbox.state()["requests"]
    assert requests["metadata_validate"] == 1 and requests["metadata_create"] == 1


def test_content_the_server_refuses_stops_the_run_before_any_upload(
    sandbox: SandboxFixture, tmp_path: Path
) -> None:
    broken = tmp_path / "not-cyclonedx.json"
    broken.write_text(json.dumps({"specVersion": "1.5"}))
    result = publish_cli(sandbox.url, "--metadata-file", str(broken), "--metadata-type", CYCLONEDX)
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(f"error: --metadata-file {broken}: the server refused it as {CYCLONEDX}")
    assert "content.bomFormat" in line
    requests = sandbox.state()["requests"]
    assert "files_create" not in requests and "packages_upload_python" not in requests


@contextlib.contextmanager
def refusing_attach(sandbox: SandboxFixture) -> Iterator[str]:
    """The sandbox behind a front that refuses every metadata attach (a key without the
    permission, say) and passes everything else on."""
    with http_client(base_url=sandbox.url, timeout=60) as upstream:

        def answer(seen: Seen) -> Answer:
            if seen.method == "POST" and seen.path.startswith("/v2/metadata/packages/"):
                return 403, {}, b'{"detail": "You do not have permission to attach metadata."}'
            headers = {k: v for k, v in seen.headers.items() if k not in ("host", "content-length")}
            response = upstream.request(seen.method, seen.path, headers=headers, content=seen.body)
            return response.status_code, dict(response.headers), response.content

        with serving(answer) as front:
            yield front.url


def test_a_failed_attach_is_reported_with_its_package_which_stays_published(
    sandbox: SandboxFixture, sbom: Path
) -> None:
    with refusing_attach(sandbox) as api:
        result = publish_cli(
            api,
            "--metadata-file",
            str(sbom),
            "--metadata-type",
            CYCLONEDX,
            GITHUB_ACTIONS="true",
        )
    assert result.exit_code == 1, result.output
    [document] = json.loads(result.stdout)
    assert document["status"] == "published" and document["error"] is None
    assert document["metadata"]["status"] == "failed"
    assert "HTTP 403" in document["metadata"]["error"]
    assert sandbox.state()["packages"]["acme/staging"]["completed"] == 1  # not un-published
    [annotation] = [line for line in result.stderr.splitlines() if line.startswith("::")]
    assert annotation.startswith(f"::warning file={WHEEL},title=pubsmith%3A acme-greeting has no")
    assert "metadata not attached" in result.stderr


@pytest.mark.peer
def test_the_official_cli_attaches_push_time_metadata_to_the_sandbox(
    sandbox: SandboxFixture, sbom: Path, tmp_path: Path
) -> None:
    cli_path = peer_cli()
    notes = tmp_path / "notes.txt"
    notes.write_text("notes")
    push = [cli_path, "push", "raw", "acme/staging", str(notes), "--version", "1"]
    done = subprocess.run(
        [
            *push,
            *("--api-host", sandbox.url, "-k", KEY, "--wait-interval", "0.1"),
            *("--metadata-content-file", str(sbom), "--metadata-content-type", CYCLONEDX),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=peer_env(tmp_path),
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Metadata attached" in done.stdout + done.stderr
    with CloudsmithClient(sandbox.url, KEY) as client:
        [package] = client.list_packages("acme", "staging")
        [entry] = client.list_metadata(package["slug_perm"])
    assert entry["content"] == SBOM and entry["source_identity"].startswith("cloudsmith-cli@")
