"""Links emailed stay valid: no command makes up a key; `drip secret new` makes a good one."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_support import Drip, assert_clean_failure

NOW = "2026-12-03T09:30:00Z"


@pytest.mark.parametrize(
    "command",
    [("tick", "--now", NOW), ("run",), ("confirm", "https://tips.example/c/abc.def.ghi")],
)
def test_what_mints_or_reads_a_link_refuses_to_start_without_a_key(
    drip: Drip, tmp_path: Path, command: tuple[str, ...]
) -> None:
    assert drip("db", "upgrade").exit_code == 0
    before = sorted(p.name for p in tmp_path.iterdir())
    result = drip(*command, DRIP_SECRET_KEY="")
    assert_clean_failure(result, 2, "no secret key is configured", "drip secret new")
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no key file made up


def test_secret_new_prints_a_fresh_long_url_safe_key(drip: Drip, tmp_path: Path) -> None:
    first, second = drip("secret", "new"), drip("secret", "new")
    assert first.exit_code == second.exit_code == 0
    key = first.output.strip()
    assert len(key) == 43 and key != second.output.strip()
    assert set(key) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    (tmp_path / "secret.key").write_text(first.output, encoding="utf-8")
    assert drip("db", "upgrade").exit_code == 0
    result = drip("tick", "--now", NOW, DRIP_SECRET_KEY="", DRIP_SECRET_KEY_FILE="secret.key")
    assert result.exit_code == 0, result.output


def test_patient_commands_refuse_to_start_without_a_suppression_key(drip: Drip) -> None:
    assert drip("db", "upgrade").exit_code == 0
    result = drip(
        "subscribe", "ana@example.com", "--cause", "muscle-injury", DRIP_SUPPRESSION_KEY=""
    )
    assert_clean_failure(result, 2, "no suppression key is configured", "DRIP_SUPPRESSION_KEY")
