"""`drip import` on files that are not what they should be, and addresses with hidden characters."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cli_support import Drip, assert_clean_failure

HEADER = "email,name,cause,timezone\n"


@pytest.fixture
def upgraded(drip: Drip) -> Drip:
    assert drip("db", "upgrade").exit_code == 0
    return drip


def test_a_huge_field_is_a_row_problem_and_the_good_rows_are_imported(
    upgraded: Drip, tmp_path: Path
) -> None:
    huge = "x" * 140_000
    (tmp_path / "p.csv").write_text(
        HEADER
        + "ana@example.com,Ana,muscle-injury,\n"
        + f'ben@example.com,"{huge}",muscle-injury,\n'
        + "cy@example.com,Cy,muscle-injury,\n",
        encoding="utf-8",
    )
    result = upgraded("import", "p.csv")
    assert_clean_failure(result, 1, "p.csv:3: a field is longer than", "imported 2, skipped 1")
    assert "ana@example.com: active" not in result.output
    status = upgraded("status", "--json")
    assert '"pending": 2' in status.output, status.output


def test_a_huge_header_is_a_file_problem(upgraded: Drip, tmp_path: Path) -> None:
    (tmp_path / "p.csv").write_text("x" * 140_000 + "\n", encoding="utf-8")
    assert_clean_failure(upgraded("import", "p.csv"), 1, "p.csv:1: a field is longer than")


def test_binary_garbage_is_a_file_problem(upgraded: Drip, tmp_path: Path) -> None:
    (tmp_path / "p.csv").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(2000))
    assert_clean_failure(upgraded("import", "p.csv"), 1, "p.csv: not UTF-8 text", "CSV (UTF-8)")


def test_garbage_in_a_row_is_that_rows_problem(upgraded: Drip, tmp_path: Path) -> None:
    (tmp_path / "p.csv").write_text(
        HEADER + "a\x00b@example.com,\x01,muscle-injury,\nana@example.com,Ana,muscle-injury,\n",
        encoding="utf-8",
    )
    result = upgraded("import", "p.csv")
    assert_clean_failure(result, 1, "p.csv:2: 'a\\x00b@example.com' is not an email address")
    assert "imported 1, skipped 1" in result.output


def test_line_separators_inside_a_name_do_not_split_the_row_or_shift_line_numbers(
    upgraded: Drip, tmp_path: Path
) -> None:
    (tmp_path / "p.csv").write_text(
        HEADER
        + "ana@example.com,An\u2028a\u0085,muscle-injury,\n"
        + "not-an-email,Ben,muscle-injury,\n",
        encoding="utf-8",
        newline="",
    )
    result = upgraded("import", "p.csv")
    assert_clean_failure(result, 1, "p.csv:3: 'not-an-email' is not an email address")
    assert "imported 1, skipped 1" in result.output
