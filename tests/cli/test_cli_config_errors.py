"""Settings that point at the wrong thing: DRIP_SMTP_URL, DRIP_SEQUENCES, and no password shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_support import Drip, assert_clean_failure

from drip import config, errors, mailer, redact

NOW = "2026-12-03T09:30:00Z"


def test_a_file_outbox_that_cannot_be_created(drip: Drip) -> None:
    assert drip("db", "upgrade").exit_code == 0
    result = drip("tick", "--now", NOW, DRIP_SMTP_URL="file:///proc/drip-outbox")
    assert_clean_failure(result, 2, "DRIP_SMTP_URL", "/proc/drip-outbox")


def test_a_file_outbox_that_is_a_regular_file(drip: Drip, tmp_path: Path) -> None:
    assert drip("db", "upgrade").exit_code == 0
    (tmp_path / "afile").write_text("", encoding="utf-8")
    result = drip("tick", "--now", NOW, DRIP_SMTP_URL=f"file://{tmp_path / 'afile'}")
    assert_clean_failure(result, 2, "DRIP_SMTP_URL", str(tmp_path / "afile"), "in the way")


def test_the_file_mailer_raises_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("", encoding="utf-8")
    with pytest.raises(errors.ConfigError, match=r"DRIP_SMTP_URL.*afile"):
        mailer.from_url(f"file://{tmp_path / 'afile'}")


def test_sequences_pointing_at_a_directory(drip: Drip, tmp_path: Path) -> None:
    result = drip("render", "muscle-injury", "welcome", DRIP_SEQUENCES=str(tmp_path))
    assert_clean_failure(result, 2, "DRIP_SEQUENCES", f"cannot read {tmp_path}")


def test_sequences_that_are_not_utf8(drip: Drip, tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_bytes(b"version: 1\n\xff\xfe\n")
    result = drip("subscribe", "a@example.com", "--cause", "x", DRIP_SEQUENCES="s.yaml")
    assert_clean_failure(result, 2, "DRIP_SEQUENCES", "s.yaml is not UTF-8 text")


def test_a_wrong_smtp_scheme_never_shows_the_password(drip: Drip) -> None:
    result = drip("status", DRIP_SMTP_URL="smtpx://user:s3cret@h")
    assert_clean_failure(result, 2, "DRIP_SMTP_URL", "smtpx://user:***@h")
    assert "s3cret" not in result.output
    with pytest.raises(errors.ConfigError) as raised:
        config.load({"DRIP_SMTP_URL": "smtpx://user:s3cret@h"})
    assert "s3cret" not in str(raised.value)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("smtp://u:s3cret@relay:587?timeout=5", "smtp://u:***@relay:587?timeout=5"),
        ("postgresql+psycopg://u:s3cret@db/x", "postgresql+psycopg://u:***@db/x"),
        ("postgresql://u@db/x?password=s3cret&a=b", "postgresql://u@db/x?password=***&a=b"),
        ("foo bar://u:s3cret@db/x", "foo bar://u:***@db/x"),
        ("sqlite:////tmp/d.db", "sqlite:////tmp/d.db"),
        ("file://outbox", "file://outbox"),
    ],
)
def test_one_redaction_helper(url: str, shown: str) -> None:
    assert redact.url(url) == shown
