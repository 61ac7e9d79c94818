"""Bad input: a catalogue of mistakes, each answered by one line, the right exit code, and
nothing published or left open.

Cases that pubsmith can refuse before sending anything must also leave the sandbox's
request counters untouched. Awkward but valid input (spaces, non-ASCII, subdirectories,
symlinks) is at the end: it must publish exactly once, under the name given.
"""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pubsmith_sandbox.pytest_plugin import SandboxFixture
from tests.support.cli import error_lines, pubsmith
from tests.support.http_clients import http_post
from tests.support.loopback import Answer, LoopbackServer, Seen, serving
from tests.support.sandbox_api import stored_packages

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
WHEEL = FIXTURES / "python" / "acme_greeting-1.2.0-py3-none-any.whl"
CRATE = FIXTURES / "cargo" / "acme-tally-0.5.0.crate"
DEB = FIXTURES / "deb" / "acme-hello_1.0.0-1_all.deb"
RPM = FIXTURES / "rpm" / "acme-hello-1.0.0-1.noarch.rpm"
JAR = FIXTURES / "maven" / "greeting-1.4.0.jar"
REPO = "acme/bad"
ODD = "acme/odd"
KEY = "bad-input-key-3e8d2b71"
PORTAL = b"<html><head><title>Sign in to Guest Wi-Fi</title></head><body>" + b"<p>x</p>" * 50


PROGRESS = {"checking", "uploading", "creating", "processing", "retrying"}

# Processing takes no time and time moves only when a case says so (an expired key).
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.cloudsmith_sandbox(
        repos=[REPO, ODD], api_key=KEY, sync_seconds=0, clock="manual", oidc_key_seconds=60
    ),
]


@dataclass
class Servers:
    """Misbehaving stand-ins for the API, and the files the cases publish."""

    dir: Path
    html: LoopbackServer
    html_404: LoopbackServer
    broken_json: LoopbackServer
    huge: LoopbackServer


@dataclass
class World:
    dir: Path
    sandbox: SandboxFixture
    html: LoopbackServer
    html_404: LoopbackServer
    broken_json: LoopbackServer
    huge: LoopbackServer

    def __truediv__(self, name: str) -> str:
        return str(self.dir / name)


def _fixed(status: int, content_type: str, body: bytes) -> Callable[[Seen], Answer]:
    return lambda seen: (status, {"Content-Type": content_type}, body)


def _make_files(root: Path) -> None:
    (root / "empty.whl").write_bytes(b"")
    (root / "a-directory").mkdir()
    (root / "dangling.whl").symlink_to(root / "nowhere.whl")
    (root / "loop-a").symlink_to(root / "loop-b")
    (root / "loop-b").symlink_to(root / "loop-a")
    os.mkfifo(root / "pipe.whl")
    (root / "locked.txt").write_text("secret plans\n")
    (root / "locked.txt").chmod(0)
    (root / "notes.txt").write_text("release notes\n")
    (root / "tool.sh").write_text("#!/bin/sh\necho hello\n")
    (root / "truncated-1.0-py3-none-any.whl").write_bytes(WHEEL.read_bytes()[:600])
    damaged = bytearray(WHEEL.read_bytes())
    damaged[100:400] = bytes(300)
    (root / "damaged-1.0-py3-none-any.whl").write_bytes(bytes(damaged))
    (root / "truncated-0.5.0.crate").write_bytes(CRATE.read_bytes()[:300])
    noise = random.Random(7).randbytes(300)  # noqa: S311
    (root / "garbage-1.0.tar.gz").write_bytes(b"\x1f\x8b\x08\x00\x00\x00\x00\x00" + noise)
    (root / "truncated_1.0_all.deb").write_bytes(DEB.read_bytes()[:200])
    (root / "garbage_1.0_all.deb").write_bytes(b"!<arch>\nthis is no member header")
    (root / "truncated-1.0-1.noarch.rpm").write_bytes(RPM.read_bytes()[:150])
    (root / "bad-bundle.pem").write_text("-----BEGIN CERTIFICATE-----\nnot base64!\n")


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    root = tmp_path_factory.mktemp("bad-input")
    (root / "files").mkdir()
    _make_files(root / "files")
    huge_body = b"x" * (40 * 1024 * 1024)
    with (
        serving(_fixed(200, "text/html", PORTAL)) as html,
        serving(_fixed(404, "text/html; charset=utf-8", PORTAL)) as html_404,
        serving(_fixed(200, "application/json", b'{"detail": "half an answer')) as broken,
        serving(_fixed(400, "text/plain", huge_body)) as huge,
    ):
        yield Servers(root / "files", html, html_404, broken, huge)
    (root / "files" / "locked.txt").chmod(0o600)


@pytest.fixture
def world(servers: Servers, sandbox: SandboxFixture) -> World:
    """The files and misbehaving servers of the module, and a fresh sandbox per test."""
    return World(
        servers.dir, sandbox, servers.html, servers.html_404, servers.broken_json, servers.huge
    )


def expired_key(world: World) -> str:
    """A short-lived key from the sandbox's OIDC exchange, used after it has expired."""
    token = world.sandbox.mint_oidc_token("ci-bot")
    response = http_post(
        f"{world.sandbox.url}/openid/acme/", json={"oidc_token": token, "service_slug": "ci-bot"}
    )
    response.raise_for_status()
    world.sandbox.clock.advance(61)  # the sandbox's OIDC keys live 60 seconds here
    return str(response.json()["token"])


@dataclass(frozen=True)
class Case:
    id: str
    args: Callable[[World], list[str]]
    code: int
    says: str
    key: Callable[[World], str | None] = lambda world: KEY
    api: Callable[[World], str] = lambda world: world.sandbox.url
    sends: bool = False
    """Whether it may reach the server (a problem only the server can see)."""


def raw(world: World, name: str, *extra: str) -> list[str]:
    return [world / name, "--repo", REPO, "--format", "raw", "-o", "version=1", *extra]


def wheel(world: World, *extra: str) -> list[str]:
    return [str(WHEEL), "--repo", REPO, *extra]


CASES = [
    # Paths that are not files one can publish.
    Case("missing", lambda w: [w / "missing.whl", "--repo", REPO], 2, "missing.whl: no such file"),
    Case("dangling-symlink", lambda w: [w / "dangling.whl", "--repo", REPO], 2, "no such file"),
    Case("symlink-loop", lambda w: raw(w, "loop-a"), 2, "loop-a: no such file"),
    Case("fifo", lambda w: [w / "pipe.whl", "--repo", REPO], 2, "is not a regular file"),
    Case("unreadable", lambda w: raw(w, "locked.txt"), 2, "locked.txt' is not readable"),
    Case("empty", lambda w: [w / "empty.whl", "--repo", REPO], 2, "empty.whl: is empty"),
    Case("directory", lambda w: [w / "a-directory", "--repo", REPO], 2, "is a directory"),
    Case("no-files", lambda w: ["--repo", REPO], 2, "Missing argument 'FILES...'"),
    # Damaged archives of each family.
    Case(
        "zip-truncated",
        lambda w: [w / "truncated-1.0-py3-none-any.whl", "--repo", REPO],
        2,
        "corrupt or truncated zip archive",
    ),
    Case(
        "zip-damaged-member",
        lambda w: [w / "damaged-1.0-py3-none-any.whl", "--repo", REPO],
        2,
        "is corrupt: cannot read acme_greeting-1.2.0.dist-info/METADATA inside",
    ),
    Case(
        "tar-truncated-detected",
        lambda w: [w / "truncated-0.5.0.crate", "--repo", REPO],
        2,
        "not recognised as any installed format; prefix it with one, as in raw:FILE",
    ),
    Case(
        "tar-truncated-forced",
        lambda w: [w / "truncated-0.5.0.crate", "--repo", REPO, "--format", "cargo"],
        2,
        "corrupt or truncated tar archive",
    ),
    Case(
        "gzip-garbage",
        lambda w: [w / "garbage-1.0.tar.gz", "--repo", REPO],
        2,
        "garbage-1.0.tar.gz: is gzip-compressed but its data is damaged",
    ),
    Case(
        "ar-truncated",
        lambda w: [w / "truncated_1.0_all.deb", "--repo", REPO, "-d", "debian/bookworm"],
        2,
        "is truncated inside",
    ),
    Case(
        "ar-garbage-forced",
        lambda w: [
            w / "garbage_1.0_all.deb",
            "--repo",
            REPO,
            "--format",
            "deb",
            "-d",
            "debian/bookworm",
        ],
        2,
        "corrupt or truncated ar archive",
    ),
    Case(
        "rpm-truncated",
        lambda w: [w / "truncated-1.0-1.noarch.rpm", "--repo", REPO, "-d", "el/9"],
        2,
        "truncated inside its RPM header",
    ),
    # Formats and options.
    Case(
        "format-python-on-text",
        lambda w: [w / "notes.txt", "--repo", REPO, "--format", "python"],
        2,
        "is not a wheel or an sdist",
    ),
    Case("format-npm-on-wheel", lambda w: wheel(w, "--format", "npm"), 2, "is not an npm package"),
    Case(
        "format-unknown",
        lambda w: wheel(w, "--format", "wheelbarrow"),
        2,
        "unknown format 'wheelbarrow'",
    ),
    Case(
        "required-distribution",
        lambda w: [str(DEB), "--repo", REPO],
        2,
        "deb packages need distribution",
    ),
    Case(
        "required-filepath",
        lambda w: [w / "tool.sh", "--repo", REPO, "--format", "generic"],
        2,
        "pass -o filepath=VALUE",
    ),
    Case(
        "option-unknown",
        lambda w: raw(w, "notes.txt", "-o", "colour=red"),
        2,
        "takes option 'colour'",
    ),
    Case(
        "option-malformed", lambda w: raw(w, "notes.txt", "-o", "colour"), 2, "expected KEY=VALUE"
    ),
    Case(
        "option-path-missing",
        lambda w: [str(JAR), "--repo", REPO, "-o", f"pom_file={w / 'nowhere.pom'}"],
        2,
        "nowhere.pom is not a file",
    ),
    Case(
        "chunk-size-too-small",
        lambda w: raw(w, "notes.txt", "--chunk-size", "1M"),
        2,
        "at least 5M",
    ),
    Case(
        "concurrency-zero",
        lambda w: raw(w, "notes.txt", "--concurrency", "0"),
        2,
        "0 is not in the range",
    ),
    # Where to publish, and with which key.
    Case("repo-malformed", lambda w: [str(WHEEL), "--repo", "acme"], 2, "OWNER/REPO"),
    Case("repo-with-space", lambda w: [str(WHEEL), "--repo", "acme/my repo"], 2, "OWNER/REPO"),
    Case("repo-missing", lambda w: [str(WHEEL)], 2, "no repository"),
    Case("api-url-not-http", lambda w: wheel(w), 2, "API URL must be", api=lambda w: "ftp://x"),
    Case(
        "api-url-plain-http-remote",
        lambda w: wheel(w),
        2,
        "over plain HTTP",
        api=lambda w: "http://api.example.com",
    ),
    Case("no-key", lambda w: wheel(w), 2, "no API key", key=lambda w: None),
    Case(
        "ca-bundle-garbage",
        lambda w: wheel(w, "--ca-bundle", w / "bad-bundle.pem"),
        2,
        "cannot use CA bundle",
    ),
    Case(
        "repo-unknown",
        lambda w: [str(WHEEL), "--repo", "acme/nope"],
        4,
        "acme/nope failed (HTTP 404)",
        sends=True,
    ),
    Case(
        "key-wrong",
        lambda w: wheel(w),
        3,
        "the key is wrong, expired or lacks permission",
        key=lambda w: "not-the-key-1234",
        sends=True,
    ),
    Case(
        "key-expired",
        lambda w: wheel(w),
        3,
        "the key is wrong, expired or lacks permission",
        key=expired_key,
        sends=True,
    ),
    Case(
        "distribution-unknown",
        lambda w: [str(DEB), "--repo", REPO, "-d", "debian/hamm"],
        1,
        '"debian/hamm" is not a valid distribution',
        sends=True,
    ),
    # Servers answering what no API should.
    Case(
        "server-html",
        lambda w: wheel(w),
        5,
        "HTML page instead of JSON: Sign in to Guest Wi-Fi",
        api=lambda w: w.html.url,
        sends=True,
    ),
    Case(
        "server-html-404",
        lambda w: wheel(w),
        4,
        "HTML page instead of JSON",
        sends=True,
        api=lambda w: w.html_404.url,
    ),
    Case(
        "server-broken-json",
        lambda w: wheel(w),
        5,
        'not JSON: {"detail": "half an answer',
        api=lambda w: w.broken_json.url,
        sends=True,
    ),
    Case(
        "server-huge-error",
        lambda w: wheel(w),
        1,
        "not JSON: xxxxxxxx",
        api=lambda w: w.huge.url,
        sends=True,
    ),
]


def can_drop_file_permission_override() -> bool:
    return os.geteuid() != 0 or shutil.which("setpriv") is not None


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input_is_one_line_with_its_exit_code_and_changes_nothing(
    world: World, case: Case
) -> None:
    args = ["publish", *case.args(world)]
    prefix: list[str] = []
    if case.id == "unreadable" and os.geteuid() == 0:
        if not can_drop_file_permission_override():
            pytest.skip("root can read any file, and setpriv is missing to drop that power")
        # Root without CAP_DAC_OVERRIDE/READ_SEARCH meets file permissions like anyone.
        prefix = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"]
    key = case.key(world)
    env = {"CLOUDSMITH_API_HOST": case.api(world), **({"CLOUDSMITH_API_KEY": key} if key else {})}
    before = world.sandbox.state()

    completed = pubsmith(*args, env=env, prefix=prefix)

    assert completed.returncode == case.code, completed.stderr
    assert "Traceback" not in completed.stderr
    [line] = error_lines(completed.stderr)
    # Besides the error, only the plain progress lines of what was under way may show.
    others = [text for text in completed.stderr.splitlines() if text != line]
    assert all(text.split()[0] in PROGRESS for text in others), others
    assert case.says in line
    assert len(line) < 1000
    assert completed.stdout == ""
    after = world.sandbox.state()
    assert sum(after["packages"][REPO].values()) == 0
    assert after["uploads"]["open"] == 0
    if not case.sends:
        assert after["requests"] == before["requests"]
    # A server that answers nonsense is asked to validate, never sent a file.
    for server in (world.html, world.html_404, world.broken_json, world.huge):
        assert all("/validate" in seen.path for seen in server.seen), server.seen


NETWORK_CASES = [case for case in CASES if case.sends]


@pytest.mark.parametrize("case", NETWORK_CASES, ids=[case.id for case in NETWORK_CASES])
def test_failures_that_reach_the_network_leak_no_key_at_debug_level(
    world: World, case: Case
) -> None:
    key = case.key(world)
    assert key
    completed = pubsmith(
        "publish",
        *case.args(world),
        "--debug",
        env={"CLOUDSMITH_API_HOST": case.api(world), "CLOUDSMITH_API_KEY": key},
    )
    assert completed.returncode == case.code, completed.stderr
    assert "X-Api-Key: ****" in completed.stderr  # the headers were logged, masked
    assert key not in completed.stdout + completed.stderr
    assert "Traceback" not in completed.stderr


def test_the_catalogue_covers_at_least_thirty_cases() -> None:
    assert len(CASES) >= 30
    assert len({case.id for case in CASES}) == len(CASES)


# Awkward but valid: each publishes exactly once, under the file name given.
VALID = [
    ("subdirectory", "deep/down/notes.txt", "notes.txt"),
    ("spaces", "release notes v2.txt", "release notes v2.txt"),
    ("non-ascii", "résumé-ñandú-日本.txt", "résumé-ñandú-日本.txt"),
]


@pytest.mark.parametrize(
    ("relative", "filename"), [v[1:] for v in VALID], ids=[v[0] for v in VALID]
)
def test_awkward_names_publish_once_under_their_own_name(
    world: World, tmp_path: Path, relative: str, filename: str
) -> None:
    path = tmp_path / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"contents of {relative}\n")
    completed = pubsmith(
        "publish",
        relative,
        "--repo",
        ODD,
        "--format",
        "raw",
        "-o",
        f"version={len(relative)}",
        cwd=tmp_path,
        env={"CLOUDSMITH_API_HOST": world.sandbox.url, "CLOUDSMITH_API_KEY": KEY},
    )
    assert completed.returncode == 0, completed.stderr
    matching = [p for p in stored_packages(world.sandbox, ODD) if p["filename"] == filename]
    assert len(matching) == 1
    assert matching[0]["is_sync_completed"] is True


def test_a_symlink_to_a_wheel_publishes_the_wheel_and_a_path_option_keeps_its_slashes(
    world: World, tmp_path: Path
) -> None:
    link = tmp_path / "links" / WHEEL.name
    link.parent.mkdir()
    link.symlink_to(WHEEL)
    script = tmp_path / "hello.sh"
    script.write_text("#!/bin/sh\necho hello\n")
    env = {"CLOUDSMITH_API_HOST": world.sandbox.url, "CLOUDSMITH_API_KEY": KEY}

    wheel_run = pubsmith("publish", str(link), str(link), "--repo", ODD, env=env)
    generic_run = pubsmith(
        "publish",
        str(script),
        "--repo",
        ODD,
        "--format",
        "generic",
        "-o",
        "filepath=tools/acme/1.0/hello.sh",
        "-o",
        "name=hello",
        "-o",
        "version=1.0",
        env=env,
    )

    assert wheel_run.returncode == 0, wheel_run.stderr
    assert generic_run.returncode == 0, generic_run.stderr
    stored = stored_packages(world.sandbox, ODD)
    [wheel_package] = [p for p in stored if p["filename"] == WHEEL.name]  # named twice, sent once
    assert (wheel_package["format"], wheel_package["name"]) == ("python", "acme-greeting")
    [generic] = [p for p in stored if p["format"] == "generic"]
    assert generic["filepath"] == "tools/acme/1.0/hello.sh"
