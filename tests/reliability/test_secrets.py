"""Secrets: a canary key run through every command and failure path at the highest verbosity.

The canary must appear nowhere: not on stdout or stderr, not in any file written under the
home, config, cache or temporary directories, not in a log file, and never on an upload
endpoint (the sandbox records credential headers seen there). It must also never reach a
host it was not meant for: a plain-HTTP remote, a redirect target, or an API URL that a
project's pyproject.toml tries to set.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pubsmith.client import CloudsmithClient
from pubsmith.errors import UploadError
from pubsmith.retry import RetryPolicy
from pubsmith_sandbox.pytest_plugin import SandboxFixture
from tests.support.cli import error_lines, pubsmith, start_pubsmith
from tests.support.http_clients import http_get
from tests.support.loopback import Answer, LoopbackServer, Seen, forwarding, serving
from tests.support.sandbox_api import calm

CANARY = "pubsmith-canary-7Xq2Lm9Ze4"
WRONG_CANARY = "pubsmith-canary-wrong-Vb81Qa"
REPO = "acme/secret"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
WHEEL = FIXTURES / "python" / "acme_greeting-1.2.0-py3-none-any.whl"
SDIST = FIXTURES / "python" / "acme_greeting-1.2.0.tar.gz"
VERBOSITY = ["--debug", "-vv"]

# Every test that runs pubsmith as its own process is marked e2e; the key policy's rows
# against loopback servers, at the end, run in this process.
pytestmark = pytest.mark.cloudsmith_sandbox(repos=[REPO], api_key=CANARY, sync_seconds=0.1)


@dataclass
class Places:
    """Everywhere a run could write: HOME, XDG config and cache, TMPDIR and the cwd."""

    root: Path

    @property
    def cwd(self) -> Path:
        return self.root / "work"

    def env(self, **extra: str) -> dict[str, str]:
        return {
            "HOME": str(self.root / "home"),
            "XDG_CONFIG_HOME": str(self.root / "config"),
            "XDG_CACHE_HOME": str(self.root / "cache"),
            "TMPDIR": str(self.root / "tmp"),
            **extra,
        }

    def leaks(self, *more: Path) -> list[Path]:
        """Files whose name or content holds either canary."""
        found = []
        for top in (self.root, *more):
            for path in top.rglob("*"):
                if path.is_symlink() or not path.is_file() or path.is_fifo():
                    continue
                data = path.read_bytes()
                if any(c.encode() in data or c in str(path) for c in (CANARY, WRONG_CANARY)):
                    found.append(path)
        return found


@pytest.fixture
def places(tmp_path: Path) -> Places:
    for name in ("home", "config", "cache", "tmp", "work"):
        (tmp_path / "places" / name).mkdir(parents=True)
    return Places(tmp_path / "places")


@pytest.fixture(autouse=True)
def _no_credential_reaches_an_upload_endpoint(request: pytest.FixtureRequest) -> Iterator[None]:
    """After every test with a sandbox: no run sent a credential to a presigned endpoint."""
    if "sandbox" not in request.fixturenames:
        yield
        return
    sandbox = request.getfixturevalue("sandbox")  # set up first, so torn down after this
    yield
    assert sandbox.state()["credentials_seen"] == []


def no_leak(completed: subprocess.CompletedProcess[str], places: Places, *more: Path) -> None:
    for secret in (CANARY, WRONG_CANARY):
        assert secret not in completed.stdout
        assert secret not in completed.stderr
    assert places.leaks(*more) == []
    # httpx's own request log would show presigned URLs whole; pubsmith keeps it quiet.
    assert "HTTP Request:" not in completed.stderr
    assert "Traceback" not in completed.stderr


def run(
    places: Places, *args: str, api: str, key: str = CANARY
) -> subprocess.CompletedProcess[str]:
    env = places.env(CLOUDSMITH_API_HOST=api, CLOUDSMITH_API_KEY=key)
    completed = pubsmith(*args, env=env, cwd=places.cwd)
    no_leak(completed, places)
    return completed


@pytest.mark.e2e
@pytest.mark.parametrize("verbosity", VERBOSITY)
@pytest.mark.slow
def test_publishing_through_faults_single_and_multipart_leaks_nothing(
    sandbox: SandboxFixture, places: Places, verbosity: str
) -> None:
    big = places.cwd / "bundle.bin"
    big.write_bytes(os.urandom(11 * 1024 * 1024))
    sandbox.configure(error_rate=0.2, reset_after_rate=0.1, seed=7)
    try:
        wheel = run(
            places, "publish", str(WHEEL), "--repo", REPO, "--republish", verbosity, api=sandbox.url
        )
        parts = run(
            places,
            "publish",
            str(big),
            "--repo",
            REPO,
            "--republish",
            "--format",
            "raw",
            "-o",
            "version=1",
            "--chunk-size",
            "5M",
            verbosity,
            api=sandbox.url,
        )
    finally:
        calm(sandbox)
    assert wheel.returncode == 0, wheel.stderr
    assert parts.returncode == 0, parts.stderr
    assert "X-Api-Key: ****" in wheel.stderr  # the debug log shows the header, masked
    assert sum(sandbox.state()["faults"].values()) > 0  # the faults really hit
    assert sandbox.state()["requests"]["sandbox_upload_part"] >= 3
    assert sandbox.state()["credentials_seen"] == []


@pytest.mark.e2e
@pytest.mark.parametrize("verbosity", VERBOSITY)
def test_dry_run_and_processing_failure_leak_nothing(
    sandbox: SandboxFixture, places: Places, verbosity: str
) -> None:
    dry = run(
        places,
        "publish",
        str(SDIST),
        "--repo",
        REPO,
        "--dry-run",
        "--json",
        verbosity,
        api=sandbox.url,
    )
    assert dry.returncode == 0, dry.stderr
    sandbox.configure(fail_processing=["acme_greeting-1.2.0.tar.gz"])
    try:
        failed = run(
            places, "publish", str(SDIST), "--repo", REPO, "--republish", verbosity, api=sandbox.url
        )
    finally:
        sandbox.configure(fail_processing=[])
    assert failed.returncode == 1
    assert "sandbox fault injected" in failed.stderr


def reflecting(seen: Seen) -> Answer:
    """A server that quotes the credentials it was sent back in its error."""
    key = seen.headers.get("x-api-key", "")
    body = f'{{"detail": "key {key} refused", "fields": {{"api_key": ["{key} is bad"]}}}}'
    return 400, {"Content-Type": "application/json"}, body.encode()


SERVERS = {
    "html": lambda seen: (200, {"Content-Type": "text/html"}, b"<title>Portal</title>"),
    "broken-json": lambda seen: (200, {"Content-Type": "application/json"}, b'{"detail": '),
    "huge-error": lambda seen: (400, {"Content-Type": "text/plain"}, b"y" * (33 * 1024 * 1024)),
    "reflecting": reflecting,
}


@pytest.mark.e2e
@pytest.mark.parametrize("verbosity", VERBOSITY)
@pytest.mark.parametrize("kind", sorted(SERVERS))
def test_misbehaving_servers_get_nothing_back_out(
    places: Places, kind: str, verbosity: str
) -> None:
    with serving(SERVERS[kind]) as server:
        completed = run(places, "publish", str(WHEEL), "--repo", REPO, verbosity, api=server.url)
    assert completed.returncode != 0
    assert len(error_lines(completed.stderr)) == 1
    # Only the API itself ever got the key: these stand in for it.
    assert all(seen.path.startswith(("/files/", "/packages/")) for seen in server.seen)


@pytest.mark.e2e
@pytest.mark.parametrize("verbosity", VERBOSITY)
def test_refused_keys_and_unknown_repositories_leak_nothing(
    sandbox: SandboxFixture, places: Places, verbosity: str
) -> None:
    wrong = run(
        places, "publish", str(WHEEL), "--repo", REPO, verbosity, api=sandbox.url, key=WRONG_CANARY
    )
    unknown = run(
        places, "publish", str(WHEEL), "--repo", "acme/elsewhere", verbosity, api=sandbox.url
    )
    assert (wrong.returncode, unknown.returncode) == (3, 4)


@pytest.mark.e2e
@pytest.mark.slow
def test_other_commands_leak_nothing(sandbox: SandboxFixture, places: Places) -> None:
    published = run(
        places, "publish", str(WHEEL), "--repo", REPO, "--republish", "--json", api=sandbox.url
    )
    assert published.returncode == 0, published.stderr
    slug = published.stdout.split('"slug_perm": "')[1].split('"')[0]
    for args in (
        ["--version"],
        ["formats"],
        ["formats", "--json"],
        ["config"],
        ["status", f"{REPO}/{slug}", "--json"],
        ["status", f"{REPO}/nosuchslug"],
        ["publish", "--help"],
    ):
        run(places, *args, api=sandbox.url)


@pytest.mark.e2e
def test_the_sandbox_command_leaks_nothing(places: Places) -> None:
    data = places.root / "sandbox-data"
    process = start_pubsmith(
        "sandbox",
        "--port",
        "0",
        "--data",
        str(data),
        "--repo",
        REPO,
        env=places.env(PUBSMITH_SANDBOX_API_KEY=CANARY),
        cwd=places.cwd,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        refused = http_get(f"{url}/packages/{REPO}/", headers={"X-Api-Key": WRONG_CANARY})
        accepted = http_get(f"{url}/packages/{REPO}/", headers={"X-Api-Key": CANARY})
        assert (refused.status_code, accepted.status_code) == (401, 200)
        for answer in (refused, accepted):
            assert CANARY not in answer.text and WRONG_CANARY not in answer.text
    finally:
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=30)
    completed = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    no_leak(completed, places, data)


@pytest.mark.e2e
def test_a_library_user_logging_everything_to_a_file_sees_no_key(
    sandbox: SandboxFixture, places: Places
) -> None:
    log = places.root / "tmp" / "release.log"
    script = textwrap.dedent(f"""
        import logging
        from pubsmith.publishing import publish
        logging.basicConfig(filename={str(log)!r}, level=logging.DEBUG)
        [result] = publish([{str(WHEEL)!r}], repo={REPO!r}, republish=True,
                           api_url={sandbox.url!r}, api_key={CANARY!r})
        assert result.status == "published", result.error
    """)
    completed = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, **places.env()},
        cwd=places.cwd,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "X-Api-Key: ****" in log.read_text()
    no_leak(completed, places)


@pytest.mark.e2e
def test_plain_http_to_a_remote_host_is_refused_before_any_request(places: Places) -> None:
    completed = run(
        places, "publish", str(WHEEL), "--repo", REPO, "--debug", api="http://api.example.com"
    )
    assert completed.returncode == 2
    [line] = error_lines(completed.stderr)
    assert "refusing to send the API key over plain HTTP to api.example.com" in line
    assert completed.stderr.splitlines() == [line]  # no request was even logged


@pytest.fixture
def recorder() -> Iterator[LoopbackServer]:
    """Another host on loopback that would gladly accept a key: it must get none."""
    with serving(lambda seen: (200, {"Content-Type": "application/json"}, b"{}")) as server:
        yield server


@pytest.mark.e2e
def test_a_redirect_to_another_host_does_not_carry_the_key(
    places: Places, recorder: LoopbackServer
) -> None:
    target = recorder.url.replace("127.0.0.1", "localhost")

    def redirect(seen: Seen) -> Answer:
        return 307, {"Location": f"{target}{seen.path}"}, b""

    with serving(redirect) as api:
        completed = run(places, "publish", str(WHEEL), "--repo", REPO, "--debug", api=api.url)
        assert api.with_key(CANARY)  # the API itself was sent the key
    assert completed.returncode == 5
    [line] = error_lines(completed.stderr)
    assert "redirected to localhost; redirects are not followed" in line
    assert recorder.seen == []


@pytest.mark.e2e
def test_a_project_pyproject_cannot_send_the_key_to_another_port(
    places: Places, recorder: LoopbackServer
) -> None:
    (places.cwd / "pyproject.toml").write_text(
        f'[project]\nname = "victim"\n\n[tool.pubsmith]\napi-url = "{recorder.url}"\n'
    )
    env = places.env(CLOUDSMITH_API_KEY=CANARY)
    completed = pubsmith("publish", str(WHEEL), "--repo", REPO, "--debug", env=env, cwd=places.cwd)
    no_leak(completed, places)
    assert completed.returncode == 2
    [line] = error_lines(completed.stderr)
    assert "pyproject.toml" in line
    assert "project file cannot redirect it" in line
    assert recorder.with_key(CANARY) == []
    assert recorder.seen == []


@pytest.mark.e2e
def test_a_parts_url_on_another_host_is_refused_before_a_byte_is_sent(
    sandbox: SandboxFixture, places: Places
) -> None:
    # As seen: an API on 127.0.0.1 naming multipart parts on 127.0.0.2. Loopback has no
    # domain, so only the API's own host and port may receive the key.
    big = places.cwd / "parts.bin"
    big.write_bytes(os.urandom(6 * 1024 * 1024))
    with serving(lambda seen: (200, {}, b""), host="127.0.0.2") as elsewhere:

        def point_elsewhere(seen: Seen, content: bytes) -> bytes:
            if seen.method == "POST" and seen.path == f"/files/{REPO}/":
                return content.replace(sandbox.url.encode(), elsewhere.url.encode())
            return content

        with forwarding(sandbox.url, rewrite=point_elsewhere) as api:
            completed = run(
                places,
                "publish",
                f"raw:{big}",
                "-o",
                "version=1",
                "--repo",
                REPO,
                "--chunk-size",
                "5M",
                "--debug",
                api=api.url,
            )
            assert api.with_key(CANARY)
            aborted = [seen.path for seen in api.seen if seen.path.endswith("/abort/")]
    assert completed.returncode == 1
    [line] = error_lines(completed.stderr)
    assert "refusing to send the API key to 127.0.0.2 for the parts upload" in line
    assert elsewhere.seen == []
    assert len(aborted) == 1  # the upload the API opened is not left open


# -- The key policy's loopback rows, against real servers on 127.0.0.1 and 127.0.0.2 --------


def accepting(seen: Seen) -> Answer:
    return 200, {"Content-Type": "application/json"}, b'{"authenticated": true}'


def keys_seen(server: LoopbackServer) -> list[str | None]:
    return [seen.headers.get("x-api-key") for seen in server.seen]


@pytest.fixture
def part(tmp_path: Path) -> Path:
    path = tmp_path / "part.bin"
    path.write_bytes(b"p" * 4096)
    return path


def client_for(api: LoopbackServer) -> CloudsmithClient:
    return CloudsmithClient(api.url, CANARY, policy=RetryPolicy(max_attempts=1))


def send_part(client: CloudsmithClient, url: str, path: Path) -> None:
    client.upload_part(url, upload_id="u1", part_number=1, path=path, offset=0, length=4096)


def test_the_api_itself_gets_the_key() -> None:
    with serving(accepting) as api, client_for(api) as client:
        client.user_self()
    assert keys_seen(api) == [CANARY]


def test_presigned_uploads_on_the_api_origin_get_no_key(part: Path) -> None:
    with serving(accepting) as api, client_for(api) as client:
        client.upload_post(f"{api.url}/presigned/post", {"key": "k"}, part)
        client.upload_put(f"{api.url}/presigned/put", {"X-Api-Key": "planted"}, part)
    assert keys_seen(api) == [None, None]


def test_parts_on_a_loopback_apis_own_host_and_port_get_the_key(part: Path) -> None:
    with serving(accepting) as api, client_for(api) as client:
        send_part(client, f"{api.url}/parts/", part)
    assert keys_seen(api) == [CANARY]


def test_parts_on_another_loopback_host_with_the_same_port_are_refused(part: Path) -> None:
    with serving(accepting) as api:
        port = api.server_address[1]
        with (
            serving(accepting, host="127.0.0.2", port=port) as other,
            client_for(api) as client,
            pytest.raises(UploadError) as raised,
        ):
            send_part(client, f"http://127.0.0.2:{port}/parts/", part)
    assert "refusing to send the API key to 127.0.0.2 for the parts upload" in str(raised.value)
    assert other.seen == [] and api.seen == []


def test_parts_on_another_port_of_the_loopback_host_are_refused(part: Path) -> None:
    with (
        serving(accepting) as api,
        serving(accepting) as other,
        client_for(api) as client,
        pytest.raises(UploadError, match="refusing to send the API key to 127.0.0.1"),
    ):
        send_part(client, f"{other.url}/parts/", part)
    assert other.seen == []
