"""`drip --help` and every command's help: an example for each, every setting listed, and no
`drip …` shown in a help text that drip does not have."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from docs_text import command_at, drip_commands, resolve, unknown_options, walk

from drip import config
from drip.cli import main

_MENTION = re.compile(r"(?<![\w./`-])drip (?=[a-z])")


def _command_params() -> list[object]:
    return [pytest.param(path, id=" ".join(path)) for path in walk()]


def _mentions() -> list[tuple[str, str]]:
    """(where, `drip …` text) for every drip command a help text shows, in prose or example."""
    found = []
    for path in [(), *walk()]:
        where = " ".join(("drip", *path))
        for line in (command_at(path).help or "").splitlines():
            for chunk in line.split("·"):  # the overview in `drip --help`
                found += [(where, chunk[m.start() :].strip()) for m in _MENTION.finditer(chunk)]
    return found


def _mention_params() -> list[object]:
    return [pytest.param(where, text, id=f"{where}: {text}") for where, text in _mentions()]


@pytest.mark.parametrize("path", _command_params())
def test_every_command_has_help_with_an_example(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert (command_at(path).help or "").strip(), f"drip {' '.join(path)} has no help text"
    assert "Example:" in result.output, f"drip {' '.join(path)} --help shows no Example:"
    example = result.output.split("Example:", 1)[1].split("\n\n", 1)[0]
    lines = [line for line in example.splitlines() if line.strip()]
    assert lines, f"drip {' '.join(path)}: the Example: section is empty"
    shown = []
    for line in lines:
        assert drip_commands(line), f"example {line.strip()!r} runs no drip command"
        shown += [resolve(args)[0] for args in drip_commands(line)]
    if not _is_group(path):
        assert list(path) in shown, f"no example of drip {' '.join(path)} itself: {lines}"


def test_drip_help_lists_every_setting_with_its_default() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    for setting in config.SETTINGS:
        name = f"DRIP_{setting.name.upper()}"
        line = next((line for line in lines if line.strip().startswith(name)), None)
        assert line is not None, f"drip --help does not list {name}"
        assert setting.help in line, f"{name}: its help is not shown"
        if setting.default:
            assert f"(default: {setting.default})" in line, f"{name}: its default is not shown"


def test_help_texts_show_drip_commands() -> None:
    """Guards the test below against a pattern that finds nothing."""
    assert len(_mentions()) >= 20


@pytest.mark.parametrize(("where", "text"), _mention_params())
def test_every_drip_command_a_help_text_shows_exists(where: str, text: str) -> None:
    try:
        shown = drip_commands(text)
    except ValueError:  # prose with an apostrophe: words are enough here
        shown = [text.split()[1:]]
    assert shown, text
    for args in shown:
        try:
            _, command, rest = resolve(args)
        except LookupError as exc:
            pytest.fail(f"{where} --help shows {text!r}: {exc}")
        unknown = unknown_options(command, rest)
        assert not unknown, f"{where} --help shows {text!r}: no option {unknown}"


def _is_group(path: tuple[str, ...]) -> bool:
    return bool(getattr(command_at(path), "commands", None))


def test_drip_commands_reads_the_shapes_the_docs_use() -> None:
    line = "DRIP_X=1 drip check --json | jq .problems && drip db upgrade  # note"
    assert drip_commands(line) == [["check", "--json"], ["db", "upgrade"]]
    assert drip_commands("drip ingest a.txt --json > o.json") == [["ingest", "a.txt", "--json"]]
    assert drip_commands("pip install -e . && bash scripts/check") == []
