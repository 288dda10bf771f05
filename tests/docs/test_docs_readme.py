"""README.md is tested: its first block is the pair of commands CI runs, every `drip …` command
it shows exists with the options it uses, and its settings table matches `drip.config`."""

from __future__ import annotations

import re
import shlex
import subprocess

import click
import pytest
from click.testing import CliRunner
from docs_text import CI_RUN, README, drip_commands, readme_blocks, resolve, unknown_options, walk

from drip import config
from drip.cli import main

SHELL_LANGUAGES = ("", "sh", "bash", "shell", "console")
BLOCKS = readme_blocks()
SHOWN = [
    (f"README.md:{block.line + 1 + n}", args)
    for block in BLOCKS
    if block.language in SHELL_LANGUAGES
    for n, line in enumerate(block.lines)
    for args in drip_commands(line)
]


def test_the_first_code_block_is_two_complete_commands_the_second_is_what_ci_runs() -> None:
    first = BLOCKS[0]
    assert first.line < min(block.line for block in BLOCKS[1:])
    assert len(first.lines) == 2, first.lines
    for line in first.lines:
        assert line and line == line.strip(), f"{line!r}: one command per line, unindented"
        assert not line.endswith(("\\", "&&", "||", "|")), f"{line!r} continues on the next line"
        shlex.split(line)  # balanced quotes
        parsed = subprocess.run(["bash", "-n", "-c", line], capture_output=True, text=True)
        assert parsed.returncode == 0, f"{line!r}: {parsed.stderr}"
    ci_commands = [
        line.strip()
        for line in CI_RUN.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert first.lines[1] in ci_commands, f".ci/run does not run {first.lines[1]!r}"


def test_the_readme_shows_drip_commands() -> None:
    """Guards the tests below against a parser that finds nothing."""
    assert len(SHOWN) >= 15


@pytest.mark.parametrize(("where", "args"), SHOWN, ids=[f"{w} {' '.join(a)}" for w, a in SHOWN])
def test_every_drip_command_in_the_readme_exists_with_its_options(
    where: str, args: list[str]
) -> None:
    try:
        path, command, rest = resolve(args)
    except LookupError as exc:
        pytest.fail(f"{where}: {exc}")
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, f"{where}: drip {' '.join(path)} --help\n{result.output}"
    unknown = unknown_options(command, rest)
    assert not unknown, f"{where}: drip {' '.join(path)} has no option {unknown}"


def test_every_command_is_shown_in_the_readme() -> None:
    shown = {tuple(resolve(args)[0]) for _, args in SHOWN}
    missing = [" ".join(path) for path in walk() if not _is_group(path) and path not in shown]
    assert not missing, f"README.md shows no example of: drip {', drip '.join(missing)}"


def test_the_settings_table_names_real_settings_with_their_real_defaults() -> None:
    text = README.read_text(encoding="utf-8")
    rows = re.findall(r"^\| `DRIP_([A-Z_]+)` \| ([^|]*) \|", text, re.MULTILINE)
    settings = {s.name.upper(): s for s in config.SETTINGS}
    assert len(rows) >= 5
    for name, default in rows:
        assert name in settings, f"README.md documents DRIP_{name}, which drip does not read"
        literal = re.fullmatch(r"\s*`([^`]*)`\s*", default)
        if literal and settings[name].default:
            assert literal.group(1) == settings[name].default, f"default of DRIP_{name}"


def test_the_settings_table_names_every_setting() -> None:
    text = README.read_text(encoding="utf-8")
    rows = set(re.findall(r"^\| `(DRIP_[A-Z_]+)` \|", text, re.MULTILINE))
    missing = [s.variable for s in config.SETTINGS if s.variable not in rows]
    assert not missing, f"README.md's settings table lacks {missing}"


def _is_group(path: tuple[str, ...]) -> bool:
    return isinstance(resolve(list(path))[1], click.Group)
