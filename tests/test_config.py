from pathlib import Path

import pytest

from drip import config, errors


def test_defaults_are_sqlite_and_files() -> None:
    cfg = config.load({})
    assert cfg.database_url == "sqlite:///drip.db"
    assert cfg.smtp_url.startswith("file://")


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
