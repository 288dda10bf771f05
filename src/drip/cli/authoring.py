"""The marketer's commands: ingest, generate, check, render."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click

from drip import (
    checking,
    config,
    errors,
    generate,
    ingest,
    rendering,
    sequences,
    sequences_yaml,
)
from drip.service import app as app_module

FORMAT = click.Choice(ingest.FORMATS)


@click.command("ingest")
@click.argument("article", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=FORMAT, help="text, html or markdown (default: by extension)")
@click.option("--slug", help="the article's slug (default: the file name without extension)")
@click.option("--json", "as_json", is_flag=True, help="print the content tree as JSON")
@click.option(
    "--explain",
    is_flag=True,
    help="each section's role with its evidence, and where every block of the source went",
)
def ingest_command(
    article: Path, fmt: str | None, slug: str | None, as_json: bool, explain: bool
) -> None:
    """Read an article and print its outline: sections, items, slugs, and what was not placed.

    ARTICLE is a .txt, .html or .md file, or a folder of Markdown fragments with a
    manifest.json.

    \b
    Example:
      drip ingest articles/back-spasms.txt
      drip ingest articles/back-spasms.txt --json > outline.json
      drip ingest articles/back-spasms.txt --explain
    """
    reading = ingest.read(article, format=fmt, slug=slug)
    if as_json:
        click.echo(json.dumps(reading.article.to_json(), indent=2, ensure_ascii=False))
    elif explain:
        click.echo(ingest.explain(reading))
    else:
        click.echo(ingest.outline(reading.article))


@click.command("generate")
@click.argument("article", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="write here (default: print). An existing file's clinic block is kept.",
)
@click.option("--format", "fmt", type=FORMAT, help="text, html or markdown (default: by extension)")
@click.option(
    "--single",
    is_flag=True,
    help="one general sequence for every patient, instead of one per cause",
)
def generate_command(article: Path, output: Path | None, fmt: str | None, single: bool) -> None:
    """Propose sequences.yaml from an article: one sequence per cause, tips in the order of
    relevance to the cause, conservative care before invasive care.

    An article that lists no causes gets none invented: generate says so and writes nothing
    (exit status 1), unless --single asks for one general sequence.

    \b
    Example:
      drip generate articles/back-spasms.txt -o sequences.yaml
      drip generate articles/back-spasms.txt --single -o general.yaml
      drip check
    """
    tree = ingest.read_article(article, format=fmt)
    base = output.parent if output else Path.cwd()
    clinic = _existing_clinic(output) if output and output.exists() else None
    text = generate.propose(
        tree, article_path=_relative(article, base), clinic=clinic, single=single
    )
    if not generate.listed_treatments(tree):
        click.echo(
            "note: the article lists no treatments: the tips are its sections about treatment, "
            "if any; add tips by hand",
            err=True,
        )
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise errors.InvalidInput(
            f"{output}: cannot write it ({exc.strerror or exc}): give a path in a folder that "
            "exists and that you may write to"
        ) from None
    click.echo(f"wrote {output}: {text.count('- id:')} steps; review it, then run `drip check`")


def _existing_clinic(path: Path) -> sequences.Clinic:
    """The clinic block of a file being regenerated, so a marketer's identity edits survive.

    A file that cannot be read as sequences.yaml is not overwritten: the marketer's clinic
    block would be lost to placeholders without a word.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
        raise _refuse(path, f"{path}: cannot read it ({reason})") from None
    try:
        return sequences_yaml.load(text, file=str(path)).clinic
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


def _relative(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


@click.command("check")
@click.option("--json", "as_json", is_flag=True, help="machine-readable report, for CI")
def check_command(as_json: bool) -> None:
    """Validate sequences.yaml and templates/emails/, rendering every step with sample data.

    Exit status 0 when clean, 1 when there are problems (each as file:line:col: what to do).

    \b
    Example:
      drip check
      drip check --json | jq .problems
    """
    cfg = config.load()
    report = checking.check(sequences_path=cfg.sequences, templates_dir=cfg.templates)
    click.echo(checking.format_json(report) if as_json else checking.format_human(report))
    if report.problems:
        raise SystemExit(1)


@click.command("render")
@click.argument("cause")
@click.argument("step")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out"),
    show_default=True,
    help="directory for the .html, .txt, .eml",
)
@click.option(
    "--name",
    default=rendering.SAMPLE_RECIPIENT.first_name,
    show_default=True,
    help="first name of the sample patient",
)
def render_command(cause: str, step: str, out_dir: Path, name: str) -> None:
    """Render one step of a cause's sequence with sample data, as .html, .txt and .eml.

    \b
    Example:
      drip render muscle-injury heat-and-ice --out out/
      drip render muscle-injury confirm --out out/      # the double opt-in email
    """
    cfg = config.load()
    plan, article = app_module.load_plan(cfg)
    renderer = rendering.Renderer(plan=plan, article=article, templates=cfg.templates)
    if plan.cause(cause) is None:
        causes = ", ".join(c.slug for c in plan.causes)
        raise click.UsageError(f"{cause!r} is not a cause in sequences.yaml (one of: {causes})")
    if step == "confirm":
        rendered = renderer.confirmation()
    else:
        sequence = plan.sequence(cause)
        if sequence is None or sequence.step(step) is None:
            known = ", ".join(s.id for s in sequence.steps) if sequence else "none"
            raise click.UsageError(f"no step {step!r} in the {cause!r} sequence (steps: {known})")
        rendered = renderer.step(cause, step)
    message = rendering.compose(
        rendered,
        clinic=plan.clinic,
        recipient=rendering.Recipient(email=rendering.SAMPLE_RECIPIENT.email, first_name=name),
        links=rendering.sample_links(cfg.base_url or plan.clinic.base_url),
        message_id=rendering.message_id(f"sample/{cause}/{step}", domain="drip.invalid"),
        date=datetime.now(UTC),
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
    click.echo(f"wrote {stem}.html, {stem}.txt, {stem}.eml")


COMMANDS = (ingest_command, generate_command, check_command, render_command)
