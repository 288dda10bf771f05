"""The sample patients of `drip preview`, `drip simulate` and `drip send-test`.

They come from DRIP_SAMPLES (`samples.yaml`), which the marketer edits; without that file,
drip's own four stand in (a first name, none, a long one, one beyond ASCII), each in another
kind of time zone. Nothing here touches the database: a sample is never a patient.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from drip import errors, sequences, sequences_yaml

Sample = sequences_yaml.Sample

DEFAULT = (
    Sample(id="sam", name="Sam", timezone="America/Chicago", about="a first name"),
    Sample(id="no-name", name="", timezone="Europe/London", about="no first name: “Hello,”"),
    Sample(
        id="long-name",
        name="Maximiliana-Theodora Wolfeschlegelsteinhausenberger",
        timezone="Asia/Kolkata",
        about="a long first name; a half-hour offset, no daylight saving",
    ),
    Sample(
        id="non-ascii",
        name="Zoë-Łucja",
        timezone="Australia/Sydney",
        about="a name beyond ASCII; southern daylight saving",
    ),
)


@dataclass(frozen=True, kw_only=True)
class Samples:
    """The sample patients, where they come from, and what is wrong with the file, if anything
    (then drip's own stand in, so that a preview still shows every email)."""

    patients: tuple[Sample, ...]
    source: str  # the file, or a sentence saying drip's own were used
    problems: tuple[errors.Problem, ...] = ()

    def for_cause(self, cause: str) -> tuple[Sample, ...]:
        """The samples that stand for `cause`, in the file's order (never none)."""
        return tuple(s for s in self.patients if s.stands_for(cause)) or self.patients[:1]

    def pick(self, cause: str, patient: str | None) -> Sample:
        """The sample `patient` (an id), or the first that stands for `cause`."""
        if patient is None:
            return self.for_cause(cause)[0]
        found = next((s for s in self.patients if s.id == patient), None)
        if found is None:
            known = ", ".join(s.id for s in self.patients)
            raise errors.UsageError(
                f"no sample patient {patient!r} in {self.source} (one of: {known})"
            )
        return found


def load(path: Path, plan: sequences.Plan | None = None) -> Samples:
    """The samples of `path`; drip's own when the file does not exist or has problems (which
    are then returned, to be shown). Given `plan`, their causes are checked against it."""
    if not path.exists():
        return Samples(patients=DEFAULT, source=f"drip's own sample patients (no {path})")
    causes = [c.slug for c in plan.causes] if plan is not None else None
    try:
        text = path.read_text(encoding="utf-8")
        patients = sequences_yaml.load_samples(text, file=str(path), causes=causes)
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
        problem = errors.Problem(
            file=str(path), line=1, column=1, where="", message=f"cannot read it ({reason})"
        )
        return Samples(patients=DEFAULT, source=_fallback(path), problems=(problem,))
    except errors.ContentError as exc:
        return Samples(patients=DEFAULT, source=_fallback(path), problems=tuple(exc.problems))
    return Samples(patients=patients, source=str(path))


def _fallback(path: Path) -> str:
    return f"drip's own sample patients ({path} has problems)"


def strict(path: Path, plan: sequences.Plan | None = None) -> Samples:
    """`load`, but a file with problems is an error (for the commands that send or print)."""
    found = load(path, plan)
    if found.problems:
        raise errors.ContentError(list(found.problems))
    return found
