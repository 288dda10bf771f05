"""Benchmark 6: `drip demo` end to end, as a subprocess writing into a temporary directory."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import harness
from harness import SEQUENCES, TEMPLATES, Report, Result

_SUMMARY = re.compile(r"(\d+) emails to (\d+) sample patients")


def demo(report: Report, *, runs: int) -> None:
    samples, written = [], set()
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="drip-bench-demo-") as tmp:
            env = harness.clean_env(DRIP_SEQUENCES=str(SEQUENCES), DRIP_TEMPLATES=str(TEMPLATES))
            out = Path(tmp) / "demo-out"
            seconds, stdout = harness.run_cli(["demo", "--out", str(out)], env=env, cwd=Path(tmp))
            emails = len(list(out.glob("*.eml")))
            match = _SUMMARY.search(stdout)
            if emails == 0 or match is None or int(match.group(1)) != emails:
                raise AssertionError(f"demo wrote {emails} .eml files; it said {stdout[-300:]!r}")
            samples.append(seconds)
            written.add((emails, int(match.group(2))))
    (emails, patients), *others = sorted(written)
    if others:
        raise AssertionError(f"demo runs wrote different numbers of emails: {sorted(written)}")
    report.add(
        Result(
            group="6",
            name="`drip demo --out TMP` (CLI subprocess)",
            samples=tuple(samples),
            per_op="email",
            ops=emails,
            note=f"{emails} emails (.eml + .html) to {patients} sample patients",
        )
    )
