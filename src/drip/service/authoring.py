"""The marketer's use cases: read an article, propose sequences.yaml, render one step.

(`drip check` is `checking`.) Each is one call that takes paths and plain values and returns
text or writes files; errors are drip's own, each naming what to fix.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from drip import config, errors, generate, ingest, rendering, sequences, sequences_yaml
from drip.service import app as app_module

View = Literal["outline", "json", "explain"]  # what `drip ingest` prints


def outline(
    article: Path,
    *,
    format: str | None,
    slug: str | None,
    view: View = "outline",
) -> str:
    """The article as `drip ingest` prints it: its outline, the content JSON, or where every
    block of the source went (`explain`)."""
    reading = ingest.read(article, format=format, slug=slug)
    if view == "json":
        return json.dumps(reading.article.to_json(), indent=2, ensure_ascii=False)
    if view == "explain":
        return ingest.explain(reading)
    return ingest.outline(reading.article)


@dataclass(frozen=True, kw_only=True)
class Proposal:
    text: str  # the sequences.yaml proposed
    notes: tuple[str, ...] = ()  # what the marketer should know (e.g. no treatments listed)


def propose(
    article: Path, *, output: Path | None, format: str | None, single: bool = False
) -> Proposal:
    """A first sequences.yaml for `article`; regenerating over `output` keeps its clinic block.

    Raises the generator's NoCauses (nothing written) when the article lists no causes and
    `single` does not ask for one general sequence."""
    tree = ingest.read_article(article, format=format)
    base = output.parent if output else Path.cwd()
    clinic = _existing_clinic(output) if output and output.exists() else None
    text = generate.propose(
        tree, article_path=relative(article, base), clinic=clinic, single=single
    )
    notes = () if generate.listed_treatments(tree) else (_NO_TREATMENTS,)
    return Proposal(text=text, notes=notes)


_NO_TREATMENTS = (
    "the article lists no treatments: the tips are its sections about treatment, if any; "
    "add tips by hand"
)


def write_proposal(output: Path, text: str) -> int:
    """Write a proposal; returns its number of steps."""
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise errors.InvalidInput(
            f"{output}: cannot write it ({exc.strerror or exc}): give a path in a folder that "
            "exists and that you may write to"
        ) from None
    return text.count("- id:")


def _existing_clinic(path: Path) -> sequences.Clinic:
    """The clinic block of a file being regenerated, so a marketer's identity edits survive."""
    return existing(path)[1].clinic


def existing(path: Path) -> tuple[str, sequences.Plan]:
    """The text and plan of a sequences.yaml about to be regenerated over (its content slugs
    and templates unchecked: the article may have changed since).

    A file that cannot be read as sequences.yaml is not overwritten: the marketer's clinic
    block would be lost to placeholders without a word.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
        raise _refuse(path, f"{path}: cannot read it ({reason})") from None
    try:
        return text, sequences_yaml.load(text, file=str(path))
    except errors.ContentError as exc:
        raise _refuse(path, str(exc.problems[0]) if exc.problems else str(exc)) from None
    except errors.DripError as exc:
        raise _refuse(path, f"{path}: {exc}") from None


def _refuse(path: Path, problem: str) -> errors.InvalidInput:
    return errors.InvalidInput(
        f"{path} exists but is not a readable sequences.yaml, so its clinic block cannot be "
        f"kept; not overwriting it.\n{problem}\nFix it and run again, or remove it, or write "
        "the proposal to another file with -o."
    )


def relative(path: Path, base: Path) -> str:
    """`path` as sequences.yaml in `base` names it: relative when inside, else absolute."""
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def render_sample(
    cfg: config.Config, cause: str, step: str, *, name: str, out_dir: Path, now: datetime
) -> Path:
    """One step (or `confirm`, the opt-in email) for a sample patient, written as .html, .txt
    and .eml; returns the files' common stem. Links carry a sample token."""
    plan, article = app_module.load_plan(cfg)
    renderer = rendering.Renderer(plan=plan, article=article, templates=cfg.templates)
    message = rendering.compose(
        rendered(plan, renderer, cause, step),
        clinic=plan.clinic,
        recipient=rendering.Recipient(email=rendering.SAMPLE_RECIPIENT.email, first_name=name),
        links=rendering.sample_links(cfg.base_url or plan.clinic.base_url),
        message_id=rendering.message_id(f"sample/{cause}/{step}", domain="drip.invalid"),
        date=now,
    )
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise errors.InvalidInput(
            f"--out {out_dir}: cannot create the folder ({exc.strerror})"
        ) from None
    stem = out_dir / f"{cause}-{step}"
    for suffix, subtype in ((".txt", "plain"), (".html", "html")):
        part = message.get_body(preferencelist=(subtype,))
        assert part is not None  # compose() always makes both parts
        stem.with_suffix(suffix).write_text(part.get_content(), encoding="utf-8")
    stem.with_suffix(".eml").write_bytes(message.as_bytes())
    return stem


def rendered(
    plan: sequences.Plan, renderer: rendering.Renderer, cause: str, step: str
) -> rendering.RenderedStep:
    """Step `step` of `cause`'s sequence (`confirm`: the opt-in email), rendered; UsageError
    naming the causes or steps there are when either is not in sequences.yaml."""
    if plan.cause(cause) is None:
        causes = ", ".join(c.slug for c in plan.causes)
        raise errors.UsageError(f"{cause!r} is not a cause in sequences.yaml (one of: {causes})")
    if step == sequences.CONFIRM_STEP:
        return renderer.confirmation()
    sequence = plan.sequence(cause)
    if sequence is None or sequence.step(step) is None:
        known = ", ".join(s.id for s in sequence.steps) if sequence else "none"
        raise errors.UsageError(f"no step {step!r} in the {cause!r} sequence (steps: {known})")
    return renderer.step(cause, step)
