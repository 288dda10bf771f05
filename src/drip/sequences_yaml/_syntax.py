"""A YAML syntax error, told as the mistake a person would fix, at the line they would fix.

ruamel notices a broken quote lines after it (an unclosed `"` swallows the next key, and the
reader trips over what follows), so a quote opened and not closed on its line, or closed before
the value ends, is reported first, at its own line; other errors are reworded from ruamel's.
"""

from __future__ import annotations

import re

from ruamel.yaml.error import MarkedYAMLError


def describe(text: str, exc: MarkedYAMLError) -> tuple[int, int, str]:
    """(line, column, message) of the mistake behind a YAML syntax error in `text`."""
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    quote = _broken_quote(text, line)
    if quote is not None:  # the reader trips lines later; the mistake is where the quote is
        return quote[0], quote[1], f"YAML syntax error: {quote[2]}"
    problem = str(exc.problem or exc.context or "invalid YAML")
    plain = next((said for clue, said in _SYNTAX if clue in problem), problem)
    return line, column, f"YAML syntax error: {plain}"


# A value that starts with a quote: `key: "…`, `- "…`, `- key: '…`.
_OPENS_QUOTE = re.compile(r"^\s*(?:-\s+)*(?:[^\s#'\"\[{][^#'\"]*?:\s+)?(?P<quote>[\"'])")
_AFTER_QUOTE = re.compile(r"\s*(?:#.*)?")


def _broken_quote(text: str, upto: int) -> tuple[int, int, str] | None:
    """(line, column, what is wrong) of the first quoted value up to line `upto` that is not
    closed on its line, or closed before the value ends; None when every quote is whole."""
    for number, line in enumerate(text.splitlines()[:upto], start=1):
        match = _OPENS_QUOTE.match(line)
        if match is None:
            continue
        quote, start = match["quote"], match.start("quote")
        end = _closing(line, start, quote)
        if end is None:
            advice = f"the {quote} that opens this value is not closed on this line: "
            return number, start + 1, advice + f"add {quote} at the end of the value"
        if not _AFTER_QUOTE.fullmatch(line[end + 1 :]):
            inner, other = ('\\"', "'") if quote == '"' else ("''", '"')
            return (
                number,
                start + 1,
                f"this value has a {quote} inside it, which ends the value early: write it as "
                f"{inner} (or put the value in {other} quotes)",
            )
    return None


def _closing(line: str, start: int, quote: str) -> int | None:
    """The index of the quote closing the one at `start`, or None."""
    index = start + 1
    while index < len(line):
        char = line[index]
        if quote == '"' and char == "\\":
            index += 2
            continue
        if char == quote:
            if quote == "'" and line[index + 1 : index + 2] == "'":
                index += 2
                continue
            return index
        index += 1
    return None


# ruamel's wording → what a marketer can act on; the first matching clue wins.
_SYNTAX = (
    ("'\\t'", "a tab character: indent with spaces, YAML does not allow tabs"),
    (
        "expected <block end>",
        "this line is indented differently from the lines above it: line up keys of the same "
        "mapping (and list items) with spaces",
    ),
    (
        "mapping values are not allowed",
        'unexpected ":" here: quote a value that contains ": " (subject: "Heat: or ice?"), '
        "or check the indentation of this line",
    ),
    ("could not find expected ':'", 'a key without ":" here: write `key: value`'),
    ("another document", 'a second document ("---"): keep a single document in the file'),
    ("end of stream", "the file ends inside a quoted value or a [list]: close it"),
    ("expected ',' or ']'", 'a [list] is not closed: add "]" or separate items with ", "'),
)
