"""What `drip doctor` reports: one `Check` per line (ok, warn or fail), gathered in a `Report`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    OK = "ok"
    WARN = "warn"  # worth a look; `drip doctor` still exits 0
    FAIL = "fail"  # `drip run` would trip over it; `drip doctor` exits 1


@dataclass(frozen=True, kw_only=True)
class Check:
    """One line of `drip doctor`: `name`, `status`, what was `found` and, if anything is to be
    done, the `advice`."""

    name: str
    status: Status
    found: str
    advice: str = ""

    @classmethod
    def ok(cls, name: str, found: str, advice: str = "") -> Check:
        return cls(name=name, status=Status.OK, found=found, advice=advice)

    @classmethod
    def warn(cls, name: str, found: str, advice: str = "") -> Check:
        return cls(name=name, status=Status.WARN, found=found, advice=advice)

    @classmethod
    def fail(cls, name: str, found: str, advice: str = "") -> Check:
        return cls(name=name, status=Status.FAIL, found=found, advice=advice)

    def line(self) -> str:
        advice = f"; {self.advice}" if self.advice else ""
        return f"{self.status.value:<6}{self.name:<17}{self.found}{advice}"

    def as_dict(self) -> dict[str, str]:
        return {
            "name": self.name,
            "status": self.status.value,
            "found": self.found,
            "advice": self.advice,
        }


@dataclass(frozen=True, kw_only=True)
class Report:
    checks: tuple[Check, ...]

    @property
    def failed(self) -> bool:
        """Whether a check failed (warnings do not count): `drip doctor` then exits 1."""
        return any(check.status is Status.FAIL for check in self.checks)

    def describe(self) -> str:
        """One line per check, then the count of each status."""
        counts = {s: sum(c.status is s for c in self.checks) for s in Status}
        total = ", ".join(f"{counts[s]} {s.value}" for s in (Status.FAIL, Status.WARN, Status.OK))
        return "\n".join([*(check.line() for check in self.checks), f"doctor: {total}"])

    def to_json(self) -> dict[str, object]:
        return {"ok": not self.failed, "checks": [check.as_dict() for check in self.checks]}
