"""Reading the docs as data: README code blocks, the commands they show, the CLI's tree."""

from __future__ import annotations

import importlib
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click

from drip.cli import main

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
CI_RUN = REPO / ".ci" / "run"

_FENCE = re.compile(r"^\s*```(\S*)\s*$")  # indented too: a block inside a list item
_HEADING = re.compile(r"^(#+)\s+(.*)$")
_OPERATORS = {"&&", "||", "|", ";"}
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


@dataclass(frozen=True, kw_only=True)
class Block:
    """A fenced code block of README.md: its language, the heading above it, its lines."""

    language: str
    heading: str
    line: int  # of the opening fence, 1-based
    lines: tuple[str, ...]


def readme_blocks(text: str | None = None) -> list[Block]:
    text = README.read_text(encoding="utf-8") if text is None else text
    blocks: list[Block] = []
    body: list[str] = []
    heading, opened, language = "", 0, ""
    for number, line in enumerate(text.splitlines(), 1):
        fence = _FENCE.match(line)
        if opened and line.strip() == "```":
            blocks.append(Block(language=language, heading=heading, line=opened, lines=tuple(body)))
            opened, body = 0, []
        elif opened:
            body.append(line)
        elif fence:
            opened, language = number, fence.group(1)
        elif match := _HEADING.match(line):
            heading = match.group(2).strip()
    assert not opened, f"README.md:{opened}: code block never closed"
    return blocks


def drip_commands(line: str) -> list[list[str]]:
    """The `drip …` invocations in a shell line, as argument lists without `drip`.

    Comments are dropped, the line is split at `&&`, `||`, `|` and `;`, leading `VAR=value`
    assignments and output redirections are ignored.
    """
    tokens = shlex.split(line, comments=True)
    segments: list[list[str]] = [[]]
    for token in tokens:
        if token in _OPERATORS:
            segments.append([])
        else:
            segments[-1].append(token)
    found = []
    for segment in segments:
        while segment and _ASSIGNMENT.match(segment[0]):
            segment = segment[1:]
        for redirect in (">", ">>", "<"):
            if redirect in segment:
                segment = segment[: segment.index(redirect)]
        if segment and segment[0] == "drip":
            found.append(segment[1:])
    return found


def resolve(args: list[str]) -> tuple[list[str], click.Command, list[str]]:
    """`drip` arguments → (subcommand path, the command, the arguments left for it).

    Raises LookupError naming the first word that is not a subcommand of its group.
    """
    command: click.Command = main
    path: list[str] = []
    rest = list(args)
    while isinstance(command, click.Group) and rest and not rest[0].startswith("-"):
        name = rest.pop(0)
        sub = command.commands.get(name)
        if sub is None:
            known = ", ".join(sorted(command.commands))
            raise LookupError(f"`drip {' '.join([*path, name])}`: no such command ({known})")
        command, path = sub, [*path, name]
    return path, command, rest


def unknown_options(command: click.Command, args: list[str]) -> list[str]:
    """The `-x` / `--xyz` arguments that are not options of `command`."""
    known = {"-h", "--help"}
    for param in command.params:
        known.update(param.opts)
        known.update(param.secondary_opts)
    return [a for a in args if a.startswith("-") and a.split("=", 1)[0] not in known]


def walk(group: click.Group = main, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command and subcommand path under `group`, groups included."""
    for name in sorted(group.commands):
        command = group.commands[name]
        yield (*path, name)
        if isinstance(command, click.Group):
            yield from walk(command, (*path, name))


def command_at(path: tuple[str, ...]) -> click.Command:
    return resolve(list(path))[1]


DRIP_NAME = re.compile(r"`(drip(?:\.[A-Za-z_][A-Za-z0-9_]*)+)`")  # `drip.module.attribute`


def resolve_name(dotted: str) -> object:
    """The module, or the attribute of the longest importable module prefix, `dotted` names."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            found = getattr(found, attribute)
        return found
    raise ModuleNotFoundError(dotted)
