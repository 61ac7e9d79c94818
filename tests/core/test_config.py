"""One precedence for every setting, each value's source remembered, project files distrusted."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import ClassVar

import pytest

from pubsmith.config import Layer, Source, load_config, user_config_path
from pubsmith.errors import ConfigError


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """A project, a user config and Cloudsmith CLI files, all empty, in their own places."""
    project = tmp_path / "project"
    (project / "src" / "deep").mkdir(parents=True)
    home = tmp_path / "home"
    home.mkdir()
    return {
        "project": project,
        "pyproject": project / "pyproject.toml",
        "user": home / "pubsmith.toml",
        "cs_config": home / "config.ini",
        "cs_credentials": home / "credentials.ini",
    }


def env_for(files: dict[str, Path], **extra: str) -> dict[str, str]:
    return {
        "PUBSMITH_CONFIG": str(files["user"]),
        "CLOUDSMITH_CONFIG_FILE": str(files["cs_config"]),
        "CLOUDSMITH_CREDENTIALS_FILE": str(files["cs_credentials"]),
        "PUBSMITH_KEYRING": "0",
        **extra,
    }


def write_all(files: dict[str, Path]) -> None:
    files["pyproject"].write_text(
        '[project]\nname = "demo"\n\n[tool.pubsmith]\nrepo = "acme/from-project"\n'
        'tags = ["project"]\n\n[tool.pubsmith.formats.deb]\ndistribution = "debian/bookworm"\n'
    )
    files["user"].write_text(
        'repo = "acme/from-user"\napi-key = "user-key"\nrepublish = true\n'
        '[formats.deb]\ndistribution = "ubuntu/noble"\ncomponent = "main"\n'
    )
    files["cs_config"].write_text("[default]\napi_host = api.cloudsmith.io\n")
    files["cs_credentials"].write_text("[default]\napi_key = cli-key\n")


def test_each_value_comes_from_the_highest_source_and_says_so(files: dict[str, Path]) -> None:
    write_all(files)
    config = load_config(cwd=files["project"] / "src" / "deep", environ=env_for(files))

    assert config.repo is not None and config.repo.value == "acme/from-project"
    assert config.repo.source.path == files["pyproject"]
    assert "[tool.pubsmith]" in str(config.repo.source)
    assert config.api_key is not None and config.api_key.value.reveal() == "user-key"
    assert config.api_key.source.path == files["user"]
    assert config.republish is not None and config.republish.value is True
    assert config.tags is not None and config.tags.value == ("project",)
    assert config.api_url.value == "https://api.cloudsmith.io"
    assert config.api_url.source.path == files["cs_config"]
    options = {key: (item.value, item.source.path) for key, item in config.format_options.items()}
    assert options == {
        "deb.distribution": ("debian/bookworm", files["pyproject"]),
        "deb.component": ("main", files["user"]),
    }


def test_environment_beats_files_and_flags_beat_the_environment(files: dict[str, Path]) -> None:
    write_all(files)
    env = env_for(files, CLOUDSMITH_API_KEY="env-key", CLOUDSMITH_API_HOST="http://127.0.0.1:9")
    config = load_config(cwd=files["project"], environ=env)
    assert config.api_key is not None and config.api_key.value.reveal() == "env-key"
    assert str(config.api_key.source) == "CLOUDSMITH_API_KEY"
    assert (config.api_url.value, str(config.api_url.source)) == (
        "http://127.0.0.1:9",
        "CLOUDSMITH_API_HOST",
    )

    flagged = load_config(
        flags={"repo": "acme/flag", "api-key": "flag-key", "tags": "a, b", "republish": None},
        cwd=files["project"],
        environ=env,
    )
    assert flagged.repo is not None and str(flagged.repo.source) == "--repo"
    assert flagged.api_key is not None and flagged.api_key.value.reveal() == "flag-key"
    assert flagged.tags is not None and flagged.tags.value == ("a", "b")
    assert flagged.republish is not None and flagged.republish.source.path == files["user"]


def test_cloudsmith_cli_files_are_read_as_that_cli_reads_them(files: dict[str, Path]) -> None:
    files["cs_config"].write_text(
        '[default]\napi_host = "api.example.test"\n\n[profile:staging]\napi_host =\n'
    )
    files["cs_credentials"].write_text(
        "[default]\napi_key = 'default-key'\n\n[profile:staging]\napi_key = staging-key\n"
    )
    plain = load_config(cwd=files["project"], environ=env_for(files))
    assert plain.api_url.value == "https://api.example.test"
    assert plain.api_key is not None and plain.api_key.value.reveal() == "default-key"
    assert str(plain.api_key.source).endswith("credentials.ini [default]")

    staged = load_config(cwd=files["project"], environ=env_for(files, CLOUDSMITH_PROFILE="staging"))
    assert staged.api_key is not None and staged.api_key.value.reveal() == "staging-key"
    assert str(staged.api_key.source).endswith("[profile:staging]")
    # A blank value in the profile leaves the default's value in force.
    assert staged.api_url.value == "https://api.example.test"


def test_a_key_in_the_project_file_is_ignored_with_a_warning(files: dict[str, Path]) -> None:
    files["pyproject"].write_text('[tool.pubsmith]\napi-key = "committed-key"\n')
    config = load_config(cwd=files["project"], environ=env_for(files))
    assert config.api_key is None
    assert len(config.warnings) == 1
    assert str(files["pyproject"]) in config.warnings[0]
    assert "revoke" in config.warnings[0]
    assert "committed-key" not in repr(config)


def test_a_project_file_cannot_send_the_key_to_another_host(files: dict[str, Path]) -> None:
    files["pyproject"].write_text('[tool.pubsmith]\napi-url = "https://evil.example"\n')
    config = load_config(
        cwd=files["project"], environ=env_for(files, CLOUDSMITH_API_KEY="secret-key")
    )
    assert config.api_url.value == "https://evil.example"
    with pytest.raises(ConfigError) as caught:
        config.check()
    message = str(caught.value)
    assert str(files["pyproject"]) in message
    assert "https://api.cloudsmith.io" in message
    assert "CLOUDSMITH_API_HOST" in message and "remove the URL from" in message
    assert "secret-key" not in message
    with pytest.raises(ConfigError):
        config.settings()


def test_a_project_url_matching_the_trusted_one_is_fine(files: dict[str, Path]) -> None:
    files["pyproject"].write_text('[tool.pubsmith]\napi-url = "http://127.0.0.1:8765/"\n')
    files["user"].write_text('api-url = "http://127.0.0.1:8765"\n')
    config = load_config(cwd=files["project"], environ=env_for(files))
    config.check()
    assert config.api_url.source.path == files["pyproject"]

    files["user"].write_text('api-url = "http://127.0.0.1:8766"\n')
    with pytest.raises(ConfigError, match="8766"):
        load_config(cwd=files["project"], environ=env_for(files)).check()


def test_the_environment_overrides_a_project_url(files: dict[str, Path]) -> None:
    files["pyproject"].write_text('[tool.pubsmith]\napi-url = "https://evil.example"\n')
    env = env_for(files, CLOUDSMITH_API_HOST="https://api.cloudsmith.io")
    config = load_config(cwd=files["project"], environ=env)
    config.check()
    assert str(config.api_url.source) == "CLOUDSMITH_API_HOST"


def test_a_tool_project_table_is_distrusted_like_tool_pubsmith(files: dict[str, Path]) -> None:
    hatch = Layer(
        Source(
            "pyproject.toml [tool.hatch.publish.cloudsmith]", trusted=False, path=files["pyproject"]
        ),
        {"api-url": "https://elsewhere.example", "api-key": "k"},
    )
    config = load_config(cwd=files["project"], environ=env_for(files), project_layers=[hatch])
    assert config.api_key is None and config.warnings
    with pytest.raises(ConfigError, match="tool.hatch.publish.cloudsmith|pyproject"):
        config.check()


def test_flag_options_override_configured_format_defaults(files: dict[str, Path]) -> None:
    files["pyproject"].write_text(
        '[tool.pubsmith.formats.deb]\ndistribution = "debian/bookworm"\n'
        '[tool.pubsmith.formats.rpm]\ndistribution = "el/9"\n'
    )
    config = load_config(cwd=files["project"], environ=env_for(files))
    assert config.options() == {"deb.distribution": "debian/bookworm", "rpm.distribution": "el/9"}
    assert config.options({"rpm.distribution": "el/8"}) == {
        "deb.distribution": "debian/bookworm",
        "rpm.distribution": "el/8",
    }
    # An unscoped flag is for every format, so it beats every configured default.
    assert config.options({"distribution": "ubuntu/noble"}) == {"distribution": "ubuntu/noble"}


@pytest.mark.parametrize(
    ("table", "fragment"),
    [
        ('repo = "acme"', "repo must be OWNER/REPO"),
        ('republish = "sometimes"', "republish must be true or false"),
        ("tags = 3", "tags must be a list of strings"),
        ('reop = "acme/x"', "unknown setting reop"),
        ('formats = "deb"', "formats must be a table"),
        ('api-url = "ftp://x"', "API URL must be http(s)"),
    ],
)
def test_bad_values_name_the_file(files: dict[str, Path], table: str, fragment: str) -> None:
    files["pyproject"].write_text(f"[tool.pubsmith]\n{table}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(cwd=files["project"], environ=env_for(files))
    assert str(files["pyproject"]) in str(caught.value)
    assert fragment in str(caught.value)


def test_broken_files_are_reported_with_their_path(files: dict[str, Path]) -> None:
    files["user"].write_text("repo = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(cwd=files["project"], environ=env_for(files))
    files["user"].unlink()
    files["cs_credentials"].write_text("api_key = no section\n")
    with pytest.raises(ConfigError, match="credentials.ini: not a valid INI file"):
        load_config(cwd=files["project"], environ=env_for(files))


def test_user_config_path_honours_pubsmith_config(tmp_path: Path) -> None:
    assert user_config_path({"PUBSMITH_CONFIG": str(tmp_path / "x.toml")}) == tmp_path / "x.toml"
    default = user_config_path({})
    assert default.parts[-2:] == ("pubsmith", "config.toml")


def test_keyring_supplies_a_key_when_none_is_configured(
    files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import keyring
    from keyring.backend import KeyringBackend

    class Backend(KeyringBackend):
        priority = 1  # type: ignore[assignment]
        store: ClassVar[dict[tuple[str, str], str]] = {("pubsmith", "127.0.0.1:8765"): "ring-key"}

        def get_password(self, service: str, username: str) -> str | None:
            return self.store.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self.store[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            self.store.pop((service, username), None)

    previous = keyring.get_keyring()
    keyring.set_keyring(Backend())
    try:
        env = env_for(files, CLOUDSMITH_API_HOST="http://127.0.0.1:8765", PUBSMITH_KEYRING="1")
        config = load_config(cwd=files["project"], environ=env)
        assert config.api_key is None  # nothing configured: the keyring is only a fallback
        key = config.key()
        assert key is not None and key.value.reveal() == "ring-key"
        assert str(key.source) == "system keyring"
        assert config.settings().api_key == key.value
        # Switched off, or for another host, the keyring gives nothing.
        assert (
            load_config(cwd=files["project"], environ={**env, "PUBSMITH_KEYRING": "0"}).key()
            is None
        )
        other = {**env, "CLOUDSMITH_API_HOST": "http://127.0.0.1:9"}
        assert load_config(cwd=files["project"], environ=other).key() is None
        # Not even asked when a key is configured, or when the caller rules it out.
        with_key = load_config(cwd=files["project"], environ={**env, "CLOUDSMITH_API_KEY": "k"})
        assert with_key.key() == with_key.api_key
        assert load_config(cwd=files["project"], environ=env, keyring=False).key() is None
    finally:
        keyring.set_keyring(previous)


def test_keyring_without_a_backend_or_installed_is_silently_skipped(
    files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import keyring
    from keyring.backends import fail

    env = env_for(files, PUBSMITH_KEYRING="1")
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        assert load_config(cwd=files["project"], environ=env).key() is None
    finally:
        keyring.set_keyring(previous)
    monkeypatch.setitem(sys.modules, "keyring", None)  # as if not installed
    assert load_config(cwd=files["project"], environ=env).key() is None


def test_the_request_timeout_comes_from_a_flag_or_a_file(files: dict[str, Path]) -> None:
    env = env_for(files, CLOUDSMITH_API_KEY="k")
    assert load_config(cwd=files["project"], environ=env).settings().timeout == 120
    files["user"].write_text("timeout = 30\n")
    config = load_config(cwd=files["project"], environ=env)
    assert config.timeout is not None and config.timeout.value == 30.0
    assert config.settings().timeout == 30.0
    flagged = load_config(cwd=files["project"], environ=env, flags={"timeout": 5.5})
    assert flagged.settings().timeout == 5.5
    files["user"].write_text('timeout = "soon"\n')
    with pytest.raises(ConfigError, match="timeout must be seconds above 0, such as 120"):
        load_config(cwd=files["project"], environ=env)


def test_cloudsmith_repo_comes_after_the_flag_and_before_the_files(files: dict[str, Path]) -> None:
    write_all(files)
    env = env_for(files, CLOUDSMITH_REPO="acme/from-env")
    config = load_config(cwd=files["project"], environ=env)
    assert config.repo is not None and config.repo.value == "acme/from-env"
    assert str(config.repo.source) == "CLOUDSMITH_REPO"
    flagged = load_config(flags={"repo": "acme/flag"}, cwd=files["project"], environ=env)
    assert flagged.repo is not None and flagged.repo.value == "acme/flag"
    with pytest.raises(ConfigError, match="^CLOUDSMITH_REPO: repo must be OWNER/REPO"):
        load_config(cwd=files["project"], environ=env_for(files, CLOUDSMITH_REPO="nope"))


def test_a_proxy_comes_from_the_flag_the_environment_the_user_file_or_cloudsmiths_config(
    files: dict[str, Path],
) -> None:
    files["cs_config"].write_text("[default]\napi_proxy = http://cli-proxy:3128\n")
    config = load_config(cwd=files["project"], environ=env_for(files))
    assert config.proxy is not None and config.proxy.value == "http://cli-proxy:3128"
    files["user"].write_text('proxy = "http://user-proxy:3128"\n')
    config = load_config(cwd=files["project"], environ=env_for(files))
    assert config.proxy is not None and config.proxy.value == "http://user-proxy:3128"
    env = env_for(files, CLOUDSMITH_PROXY="http://env-proxy:3128")
    config = load_config(cwd=files["project"], environ=env)
    assert config.proxy is not None and str(config.proxy.source) == "CLOUDSMITH_PROXY"
    config = load_config(flags={"proxy": "http://flag:1"}, cwd=files["project"], environ=env)
    assert config.proxy is not None and config.proxy.value == "http://flag:1"
    settings = config.settings(environ=env)
    assert (settings.proxy, settings.proxy_source) == ("http://flag:1", "--proxy")


def test_a_project_file_cannot_choose_the_proxy(files: dict[str, Path]) -> None:
    files["pyproject"].write_text('[tool.pubsmith]\nproxy = "http://evil:3128"\n')
    config = load_config(cwd=files["project"], environ=env_for(files))
    assert config.proxy is None
    [warning] = config.warnings
    assert warning.startswith(f"{files['pyproject']}: proxy in a project file is ignored")


def test_an_unusable_proxy_setting_names_its_file_and_hides_its_password(
    files: dict[str, Path],
) -> None:
    files["user"].write_text('proxy = "socks5://me:hunter2-pw@proxy:1080"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(cwd=files["project"], environ=env_for(files))
    message = str(caught.value)
    assert message.startswith(f"{files['user']}: proxy must be http(s)://")
    assert "hunter2-pw" not in message and "me:****@proxy" in message
