"""The marketer's commands: ingest, generate, check, render. Each is one call into the service.

Service modules are imported inside each command, not at the top: `drip --help` must not pay
for Jinja, MJML, YAML and SQLAlchemy.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from drip import clock, config, errors
from drip.cli import options


@click.command("ingest")
@click.argument("article", type=click.Path(path_type=Path))
@click.option("--format", "fmt", help="text, html or markdown (default: by extension)")
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
    from drip.service import authoring

    view: authoring.View = "json" if as_json else "explain" if explain else "outline"
    click.echo(authoring.outline(article, format=fmt, slug=slug, view=view))


@click.command("generate")
@click.argument("article", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="write here (default: print). An existing file's clinic block is kept.",
)
@click.option("--format", "fmt", help="text, html or markdown (default: by extension)")
@click.option(
    "--single",
    is_flag=True,
    help="one general sequence for every patient, instead of one per cause",
)
@click.option(
    "--merge",
    is_flag=True,
    help="keep every edit of the -o file; add what is new in the article as proposed steps",
)
@click.option("--dry-run", is_flag=True, help="with --merge: show the diff, write nothing")
def generate_command(
    article: Path, output: Path | None, fmt: str | None, single: bool, merge: bool, dry_run: bool
) -> None:
    """Propose sequences.yaml from an article: one sequence per cause, tips in the order of
    relevance to the cause, conservative care before invasive care.

    ARTICLE is a .txt, .html or .md file, or a folder of Markdown fragments with a
    manifest.json.

    An article that lists no causes gets none invented: generate says so and writes nothing
    (exit status 1), unless --single asks for one general sequence.

    With --merge, the -o file keeps every line the marketer wrote (subjects, preheaders,
    delays, leads, order, removed steps): items new in the article arrive as steps marked
    PROPOSED, and steps whose item left the article are marked (and refused by `drip check`).
    The diff is shown before the file is written; --dry-run shows only the diff.

    \b
    Example:
      drip generate articles/back-spasms.txt -o sequences.yaml
      drip generate articles/back-spasms.txt --single -o general.yaml
      drip generate articles/back-spasms.txt -o sequences.yaml --merge --dry-run
      drip check
    """
    from drip.service import authoring

    if merge or dry_run:
        _merge(article, output, fmt, single=single, dry_run=dry_run, merge=merge)
        return
    proposal = authoring.propose(article, output=output, format=fmt, single=single)
    for note in proposal.notes:
        click.echo(f"note: {note}", err=True)
    text = proposal.text
    if output is None:
        click.echo(text, nl=False)
        return
    steps = authoring.write_proposal(output, text)
    click.echo(f"wrote {output}: {steps} steps; review it, then run `drip check`")


def _merge(
    article: Path, output: Path | None, fmt: str | None, *, single: bool, dry_run: bool, merge: bool
) -> None:
    from drip.service import authoring, merging

    if not merge:
        raise errors.UsageError("--dry-run shows what --merge would change: add --merge")
    if output is None:
        raise errors.UsageError("--merge needs -o FILE: the sequences.yaml to merge into")
    merged = merging.merge(article, output=output, format=fmt, single=single)
    click.echo(merged.diff, nl=False)
    for note in merged.notes:
        click.echo(f"note: {note}", err=True)
    if dry_run:
        click.echo("nothing written (--dry-run)", err=True)
        return
    authoring.write_proposal(output, merged.text)
    click.echo(f"merged into {output}; review the PROPOSED steps, then run `drip check`", err=True)


@click.command("check")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="machine-readable report, for CI")
@click.option("--strict", is_flag=True, help="warnings fail too (exit status 1)")
@click.option(
    "--deliverability",
    is_flag=True,
    help="also score every email with SpamAssassin's local tests (needs spamassassin)",
)
def check_command(file: Path | None, as_json: bool, strict: bool, deliverability: bool) -> None:
    """Validate FILE (default: sequences.yaml, or DRIP_SEQUENCES) and templates/emails/,
    rendering every step with sample data and checking each email.

    Problems (an email is broken or must not go out) exit with status 1; warnings (worth a
    look) do too with --strict. Each is one line: file:line:col: what to do.

    \b
    Example:
      drip check
      drip check other.yaml --strict
      drip check --deliverability
      drip check --json | jq .problems
    """
    from drip.service import checking

    cfg = config.load()
    report = checking.check(
        sequences_path=file or cfg.sequences,
        templates_dir=cfg.templates,
        deliverability=deliverability,
    )
    click.echo(checking.format_json(report) if as_json else checking.format_human(report))
    if not report.passed(strict=strict):
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
@click.option("--name", default="Sam", show_default=True, help="first name of the sample patient")
@options.now
def render_command(cause: str, step: str, out_dir: Path, name: str, at: datetime | None) -> None:
    """Render one step of a cause's sequence with sample data, as .html, .txt and .eml.

    \b
    Example:
      drip render muscle-injury heat-and-ice --out out/
      drip render muscle-injury confirm --out out/      # the double opt-in email
    """
    from drip.service import authoring

    stem = authoring.render_sample(
        config.load(), cause, step, name=name, out_dir=out_dir, now=at or clock.utcnow()
    )
    click.echo(f"wrote {stem}.html, {stem}.txt, {stem}.eml")


COMMANDS = (ingest_command, generate_command, check_command, render_command)
