from __future__ import annotations

import copy
import logging
import pickle
from dataclasses import dataclass

import pytest

from pubsmith.secret import Secret

CANARY = "canary-7f3a9c1e-key"


def test_reveal_returns_the_value() -> None:
    assert Secret(CANARY).reveal() == CANARY


@pytest.mark.parametrize(
    "render",
    [
        repr,
        str,
        lambda s: f"{s}",
        lambda s: f"{s!r}",
        lambda s: f"{s:>40}",
        lambda s: "%s" % s,  # noqa: UP031 - the old formatting must be masked too
        lambda s: "{}".format(s),  # noqa: UP032 - and str.format
        lambda s: str([s]),
        lambda s: str({"key": s}),
    ],
)
def test_no_rendering_shows_the_value(render: object) -> None:
    text = render(Secret(CANARY))  # type: ignore[operator]
    assert CANARY not in text
    assert "Secret('****')" in text


def test_dataclass_holding_a_secret_prints_masked() -> None:
    @dataclass
    class Settings:
        key: Secret

    assert CANARY not in repr(Settings(Secret(CANARY)))


def test_logging_a_secret_shows_the_mask(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("pubsmith.test").debug("key is %s / %r", Secret(CANARY), Secret(CANARY))
    assert CANARY not in caplog.text
    assert "Secret('****')" in caplog.text


def test_equality_and_hash_follow_the_value() -> None:
    assert Secret("a") == Secret("a")
    assert Secret("a") != Secret("b")
    assert Secret("a") != "a"
    assert len({Secret("a"), Secret("a"), Secret("b")}) == 2


def test_pickling_is_refused() -> None:
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(Secret(CANARY))


def test_copies_keep_the_value() -> None:
    key = Secret(CANARY)
    assert copy.copy(key).reveal() == CANARY
    assert copy.deepcopy({"k": key})["k"].reveal() == CANARY


def test_coerce() -> None:
    assert Secret.coerce(None) is None
    assert Secret.coerce("") is None
    assert Secret.coerce(Secret("")) is None
    key = Secret("x")
    assert Secret.coerce(key) is key
    coerced = Secret.coerce("y")
    assert coerced is not None
    assert coerced.reveal() == "y"


def test_only_strings_are_wrapped() -> None:
    with pytest.raises(TypeError):
        Secret(b"bytes")  # type: ignore[arg-type]
