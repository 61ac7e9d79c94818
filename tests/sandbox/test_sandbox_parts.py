"""The sandbox's building blocks on their own: body streams, multipart, budget, faults."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from pubsmith import Artifact, FormatPlugin, PackageInfo, Strength
from pubsmith.errors import PluginError
from pubsmith.registry import FormatRegistry
from pubsmith_sandbox import Faults, SandboxConfig, processing
from pubsmith_sandbox.bodies import BodyReader
from pubsmith_sandbox.errors import BadRequest, SandboxConfigError
from pubsmith_sandbox.faults import FaultInjector
from pubsmith_sandbox.multipart import MultipartReader, boundary_of
from pubsmith_sandbox.ratelimit import RateLimiter


class Trickle(io.RawIOBase):
    """A stream handing out at most ``step`` bytes per read, like a slow socket."""

    def __init__(self, data: bytes, step: int) -> None:
        self._data = memoryview(data)
        self._step = step

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        count = min(len(buffer), self._step, len(self._data))
        buffer[:count] = self._data[:count]
        self._data = self._data[count:]
        return count


def test_chunked_bodies_are_decoded_and_stop_at_their_end() -> None:
    stream = io.BufferedReader(
        io.BytesIO(b"5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\nNEXT REQUEST")
    )
    body = BodyReader(stream, None, chunked=True)
    assert body.read(100) == b"hello world"
    assert body.exhausted
    assert stream.read() == b"NEXT REQUEST"


def test_a_short_body_is_an_error_and_a_long_one_refused() -> None:
    short = BodyReader(io.BufferedReader(io.BytesIO(b"abc")), 10, chunked=False)
    with pytest.raises(BadRequest, match="ended before"):
        short.read(100)
    long = BodyReader(io.BufferedReader(io.BytesIO(b"x" * 50)), 50, chunked=False)
    with pytest.raises(BadRequest) as caught:
        long.read(10)
    assert caught.value.status_code == 413
    bad = BodyReader(io.BufferedReader(io.BytesIO(b"zz\r\n")), None, chunked=True)
    with pytest.raises(BadRequest, match="malformed"):
        bad.read(10)


def _form(boundary: bytes, parts: list[tuple[bytes, bytes]]) -> bytes:
    body = b"preamble\r\n"
    for headers, content in parts:
        body += b"--" + boundary + b"\r\n" + headers + b"\r\n\r\n" + content + b"\r\n"
    return body + b"--" + boundary + b"--\r\nepilogue"


@pytest.mark.parametrize("step", [1, 7, 4096, 10**7])
def test_multipart_parts_survive_any_split_of_the_stream(step: int) -> None:
    boundary = b"----sandbox-boundary"
    payload = os.urandom(50_000) + b"\r\n--" + boundary[:-1]  # almost a delimiter inside
    form = _form(
        boundary,
        [
            (b'Content-Disposition: form-data; name="key"', b"abc/file.bin"),
            (
                b'Content-Disposition: form-data; name="file"; filename="file.bin"\r\n'
                b"Content-Type: application/octet-stream",
                payload,
            ),
        ],
    )
    reader = MultipartReader(
        BodyReader(io.BufferedReader(Trickle(form, step)), len(form), False), boundary
    )
    first = reader.next_part()
    assert first is not None and first.name == "key"
    assert reader.read(100) == b"abc/file.bin"
    second = reader.next_part()
    assert second is not None and (second.name, second.filename) == ("file", "file.bin")
    received = bytearray()
    assert reader.stream(received.extend) == len(payload)
    assert bytes(received) == payload
    assert reader.next_part() is None


def test_multipart_errors_are_400s() -> None:
    with pytest.raises(BadRequest):
        boundary_of("application/json")
    with pytest.raises(BadRequest):
        boundary_of("multipart/form-data")
    assert boundary_of('multipart/form-data; boundary="a b"') == b"a b"
    truncated = b'--b\r\nContent-Disposition: form-data; name="x"\r\n\r\nno end'
    reader = MultipartReader(io.BytesIO(truncated), b"b")
    assert reader.next_part() is not None
    with pytest.raises(BadRequest, match="closing boundary"):
        reader.read(100)
    nameless = MultipartReader(io.BytesIO(b"--b\r\nX: y\r\n\r\nz\r\n--b--"), b"b")
    with pytest.raises(BadRequest, match="Content-Disposition"):
        nameless.next_part()


def test_rate_limiter_windows_with_a_fake_clock() -> None:
    now = [1000.0]
    limiter = RateLimiter(2, 10.0, clock=lambda: now[0])
    assert [limiter.take().allowed for _ in range(3)] == [True, True, False]
    status = limiter.peek()
    assert (status.remaining, status.reset, status.throttled) == (0, 1010.0, True)
    now[0] = 1010.5
    fresh = limiter.take()
    assert (fresh.allowed, fresh.remaining, fresh.reset) == (True, 1, 1020.0)
    assert fresh.interval == pytest.approx(9.5)
    unlimited = RateLimiter(None, 3600.0, clock=lambda: 0.0)
    assert all(unlimited.take().allowed for _ in range(100))
    assert unlimited.peek().interval < 0.01


def test_fault_plans_follow_the_seed_never_combine_and_are_counted() -> None:
    counted: list[str] = []
    faults = Faults(
        error_rate=0.3, reset_before_rate=0.2, reset_after_rate=0.2, latency_ms=1, seed=5
    )
    first = FaultInjector(faults, counted.append)
    second = FaultInjector(faults, lambda kind: None)
    plans = [first.plan() for _ in range(200)]
    assert plans == [second.plan() for _ in range(200)]
    kinds = [
        [
            kind
            for kind, on in (
                ("reset_before", plan.reset_before),
                ("error", plan.error_status is not None),
                ("reset_after", plan.reset_after),
            )
            if on
        ]
        for plan in plans
    ]
    assert all(len(applied) <= 1 for applied in kinds)
    assert {kind for applied in kinds for kind in applied} == {
        "reset_before",
        "error",
        "reset_after",
    }
    assert counted.count("latency") == 200
    assert counted.count("error") == sum(applied == ["error"] for applied in kinds)


def test_processing_faults_match_globs_on_name_or_filename() -> None:
    injector = FaultInjector(Faults(fail_processing=("bad-*",)), lambda kind: None)
    assert injector.processing_failure("bad-pkg", "x.whl") is not None
    assert injector.processing_failure(None, "bad-1.0.tar.gz") is not None
    assert injector.processing_failure("good", "good.whl") is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"error_rate": -0.1}, "error_rate"),
        ({"latency_ms": 1.5}, "latency_ms"),
        ({"rate_interval": 0}, "rate_interval"),
        ({"fail_processing": [""]}, "fail_processing"),
        ({"seed": "x"}, "seed"),
        ({"mystery": 1}, "unknown fault setting mystery"),
    ],
)
def test_fault_settings_are_checked(changes: dict[str, object], message: str) -> None:
    with pytest.raises(SandboxConfigError, match=message):
        Faults().updated(changes)


def test_sandbox_config_is_checked_and_hides_its_key() -> None:
    config = SandboxConfig(api_key="very-secret")
    assert "very-secret" not in repr(config)
    for bad in (
        {"repos": ()},
        {"repos": "acme/x"},
        {"api_key": " "},
        {"sync_seconds": -1},
        {"port": 70000},
        {"repos": ("acme",)},
    ):
        with pytest.raises(SandboxConfigError):
            SandboxConfig(**bad)  # type: ignore[arg-type]


class _Boom(FormatPlugin):
    PLUGIN_NAME = "boom"
    summary = "a plugin with a bug"

    def recognise(self, artifact: Artifact) -> Strength:
        return Strength.NONE

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        raise KeyError("oops")


def test_a_plugin_bug_fails_processing_with_a_clear_reason(tmp_path: Path) -> None:
    artifact = tmp_path / "thing.boom"
    artifact.write_bytes(b"boom")
    formats = processing.Formats(lambda: FormatRegistry({"boom": _Boom()}))
    reason, info = formats.inspect(artifact, "boom")
    assert reason == (
        "thing.boom: format plugin 'boom' (registered directly) failed in "
        "read_metadata ('oops'); fix the plugin"
    )
    assert info is None
    assert formats.inspect(artifact, "unplugged") == (None, None)


def test_a_plugin_that_cannot_load_fails_processing(tmp_path: Path) -> None:
    def broken() -> FormatRegistry:
        raise PluginError("format plugin 'x' from x 1.0 failed to load")

    reason, _ = processing.Formats(broken).inspect(tmp_path, "raw")
    assert reason is not None and reason.startswith("Format plugins could not be loaded")
