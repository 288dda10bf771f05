"""The marketer's commands: ingest, generate, check, render. Each is one call into the service.

Service modules are imported inside each command, not at the top: `drip --help` must not pay
for Jinja, MJML, YAML and SQLAlchemy.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from drip import clock, config
from drip.cli import options


@click.command("ingest")
@click.argument("article", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", help="text, html or markdown (default: by extension)")
@click.option("--slug", help="the article's slug (default: the file name without extension)")
@click.option("--json", "as_json", is_flag=True, help="print the content tree as JSON")
def ingest_command(article: Path, fmt: str | None, slug: str | None, as_json: bool) -> None:
    """Read an article and print its outline: sections, items, slugs, and what was not placed.

    \b
    Example:
      drip ingest articles/back-spasms.txt
      drip ingest articles/back-spasms.txt --json > outline.json
    """
    from drip.service import authoring

    click.echo(authoring.outline(article, format=fmt, slug=slug, as_json=as_json))


@click.command("generate")
@click.argument("article", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="write here (default: print). An existing file's clinic block is kept.",
)
@click.option("--format", "fmt", help="text, html or markdown (default: by extension)")
def generate_command(article: Path, output: Path | None, fmt: str | None) -> None:
    """Propose sequences.yaml from an article: one sequence per cause, treatments by relevance.

    \b
    Example:
      drip generate articles/back-spasms.txt -o sequences.yaml
      drip check
    """
    from drip.service import authoring

    text = authoring.propose(article, output=output, format=fmt)
    if output is None:
        click.echo(text, nl=False)
        return
    steps = authoring.write_proposal(output, text)
    click.echo(f"wrote {output}: {steps} steps; review it, then run `drip check`")


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
    from drip.service import checking

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
