"""The `drip` CLI as the acceptance tests drive it: in-process through click's runner."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner, Result

from drip.cli import main
from smtp_sink import SmtpSink

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Drip:
    """Runs `drip …` with the test's environment; fails loudly on an unexpected exit code."""

    env: dict[str, str]
    sink: SmtpSink

    def __call__(self, *args: str, code: int = 0) -> Result:
        result = CliRunner().invoke(main, list(args), env=self.env, catch_exceptions=False)
        assert result.exit_code == code, f"drip {' '.join(args)}:\n{result.output}"
        return result


def link(message_text: str, kind: str) -> str:
    """The first link of that kind (c: confirm, u: unsubscribe, p: preferences) in a text part."""
    found = re.search(rf"https?://\S+/{kind}/[\w.-]+", message_text)
    assert found, f"no /{kind}/ link in:\n{message_text}"
    return found.group(0)
