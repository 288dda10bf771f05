"""`drip preview` as a marketer runs it: `--out` writes the site; a busy port is a usage error."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from pathlib import Path

from cli_support import ROOT, Drip, assert_clean_failure

from drip import errors
from drip.service import preview_server
from workbench_files import Project

SAMPLES = str(ROOT / "samples.yaml")


def test_preview_out_writes_a_static_site_and_opens_no_database(drip: Drip, tmp_path: Path) -> None:
    result = drip(
        "preview", "--out", "site", "--start", "2026-12-07T15:00:00Z", DRIP_SAMPLES=SAMPLES
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("wrote ") and "open site/index.html" in result.output
    assert (tmp_path / "site" / "sam" / "muscle-injury.html").is_file()
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "0 problems, 0 warnings" in index and "<script" not in index
    assert not (tmp_path / "d.db").exists()


def test_preview_out_with_problems_still_writes_the_pages_and_says_so(
    drip: Drip, tmp_path: Path
) -> None:
    project = Project.copy(tmp_path)
    project.edit("after: 2d", "after: 2 days")
    result = drip(
        "preview", "--out", "site", DRIP_SEQUENCES=str(project.sequences), DRIP_SAMPLES=SAMPLES
    )
    assert result.exit_code == 0, result.output
    assert "drip check: 1 problem(s), shown in the pages" in result.output
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert f"sequences.yaml:{project.line_of('after: 2 days')}:" in index


def test_a_port_already_taken_is_a_usage_error(tmp_path: Path) -> None:
    project = Project.copy(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        try:
            preview_server.PreviewServer(project.config(), start=_start(), port=port)
        except errors.UsageError as exc:
            assert f"--port {port}: cannot listen on it" in str(exc)
        else:
            raise AssertionError("a taken port was accepted")


def test_preview_refuses_a_start_that_is_no_instant(drip: Drip) -> None:
    assert_clean_failure(drip("preview", "--out", "x", "--start", "soon"), 2, "'soon'")


def _start() -> datetime:
    return datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
