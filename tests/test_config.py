import dataclasses
import re
from pathlib import Path

import pytest

from drip import config, errors, mail_url


def test_a_drip_toml_in_the_working_directory_is_read(tmp_path: Path) -> None:
    assert Path.cwd() == tmp_path  # tests/conftest.py: every test runs in an empty directory
    (tmp_path / "drip.toml").write_text("batch_size = 7\n", encoding="utf-8")
    assert config.load({}).batch_size == 7


def test_defaults_are_sqlite_and_files() -> None:
    cfg = config.load({})
    assert cfg.database_url == "sqlite:///drip.db"
    assert (cfg.smtp_url.kind, cfg.smtp_url.folder) == (mail_url.Kind.FILE, "outbox")
    assert cfg.secret_key == ""


def test_every_setting_is_declared_once_with_its_variable_and_help() -> None:
    names = [s.name for s in config.SETTINGS]
    assert names == [f.name for f in dataclasses.fields(config.Config)]
    assert all(s.help and s.variable == "DRIP_" + s.name.upper() for s in config.SETTINGS)


KEY = "k" * config.MIN_SECRET


def test_no_key_is_made_up_where_links_are_minted() -> None:
    with pytest.raises(errors.ConfigError, match="no secret key is configured: make one with"):
        config.load({}).signing_keys()
    assert not list(Path.cwd().iterdir()), "a key file was written"


def test_the_key_comes_from_the_environment_or_a_file(tmp_path: Path) -> None:
    assert config.load({"DRIP_SECRET_KEY": KEY}).signing_keys() == (KEY,)
    (tmp_path / "secret.key").write_text(KEY + "\n", encoding="utf-8")
    from_file = config.load({"DRIP_SECRET_KEY_FILE": str(tmp_path / "secret.key")})
    assert from_file.signing_keys() == (KEY,)
    assert KEY not in repr(from_file)
    old = "o" * config.MIN_SECRET
    rotated = config.load({"DRIP_SECRET_KEY": KEY, "DRIP_OLD_SECRET_KEYS": f" {old} ,"})
    assert rotated.signing_keys() == (KEY, old)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DRIP_SECRET_KEY": "short"}, "a secret key is 5 characters long; use at least 32"),
        ({"DRIP_SECRET_KEY": KEY, "DRIP_OLD_SECRET_KEYS": "old"}, "3 characters long"),
        ({"DRIP_SECRET_KEY_FILE": "nope.key"}, "DRIP_SECRET_KEY_FILE: cannot read 'nope.key'"),
        ({"DRIP_SECRET_KEY": KEY, "DRIP_SECRET_KEY_FILE": "x"}, "are both set: keep only one"),
    ],
)
def test_a_bad_key_setting_says_what_to_do(env: dict[str, str], expected: str) -> None:
    with pytest.raises(errors.ConfigError, match=re.escape(expected)):
        config.load(env)


def test_postgres_url_as_ops_write_it_gets_the_psycopg_driver() -> None:
    cfg = config.load({"DRIP_DATABASE_URL": "postgresql://drip@db.internal/drip"})
    assert cfg.database_url == "postgresql+psycopg://drip@db.internal/drip"


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("DRIP_BATCH_SIZE", "many", "DRIP_BATCH_SIZE: 'many' is not a number"),
        ("DRIP_SMTP_URL", "http://x", "DRIP_SMTP_URL: 'http://x' has scheme 'http'"),
        ("DRIP_LOG_FORMAT", "xml", "DRIP_LOG_FORMAT: 'xml' is not one of text, json"),
        ("DRIP_TICK_INTERVAL", "0", "DRIP_TICK_INTERVAL: '0' is below the minimum"),
    ],
)
def test_bad_values_name_the_key_and_the_value(key: str, value: str, expected: str) -> None:
    with pytest.raises(errors.ConfigError, match=expected.replace("(", r"\(")):
        config.load({key: value})


def test_config_file_then_environment(tmp_path: Path) -> None:
    path = tmp_path / "drip.toml"
    path.write_text("batch_size = 7\nsend_rate = 2.5\n")
    cfg = config.load({"DRIP_CONFIG": str(path), "DRIP_SEND_RATE": "4"})
    assert (cfg.batch_size, cfg.send_rate) == (7, 4.0)


def test_unknown_key_in_config_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "drip.toml"
    path.write_text("batchsize = 7\n")
    with pytest.raises(errors.ConfigError, match="unknown setting 'batchsize'"):
        config.load({"DRIP_CONFIG": str(path)})
