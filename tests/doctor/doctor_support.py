"""What the doctor tests share: the healthy deployment's names, and the output read as lines."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import Result

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = "winternheimer-chiro.example"  # the From address's domain in the committed file
SPF = "v=spf1 ip4:127.0.0.1 -all"
DMARC = f"v=DMARC1; p=quarantine; rua=mailto:dmarc@{DOMAIN}"
USER, PASSWORD = "clinic", "s3cret-relay-pass"

Doctor = Callable[..., Result]  # the `doctor` fixture: doctor(*args, **settings) -> Result


def checks(result: Result) -> dict[str, str]:
    """`check name -> (status, the rest of its line)`, read from the text output."""
    found = {}
    body = result.output.splitlines()
    assert body[-1].startswith("doctor: "), result.output
    for line in body[:-1]:
        status, name, rest = line[:6].strip(), line[6:23].strip(), line[23:]
        assert status in ("ok", "warn", "fail"), line
        found[name] = f"{status} {rest}"
    return found
