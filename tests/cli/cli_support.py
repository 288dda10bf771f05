"""What the CLI tests share: the checkout's root, the runner's type, the clean-failure check."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import Result

ROOT = Path(__file__).resolve().parents[2]
Drip = Callable[..., Result]  # the `drip` fixture: drip(*args, **extra_settings) -> Result


def assert_clean_failure(result: Result, code: int, *expected: str) -> None:
    """A user's mistake: that exit code, a `drip: …` message naming `expected`, no traceback."""
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    for text in expected:
        assert text in result.output, result.output
