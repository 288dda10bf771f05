"""Find where in a template an MJML compile error comes from.

mjml-python reports some errors with a byte range (`at position 120:131`) and others with no
position at all (`unexpected end of stream`). We find the offending line of the rendered MJML
(the first MJML tag left open or closed without being open; else the compiler's range) and
then look for that same line in the template and the templates it extends. Best effort: when
the line came from a variable, appears more than once, or cannot be found, only the file is
named.
"""

from __future__ import annotations

import re

_POSITION = re.compile(r"position (\d+):(\d+)")
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
_TAG = re.compile(r"<(/?)(mj[\w-]*|mjml)\b[^>]*?(/?)>")


def locate(
    message: str, source: str, chain: list[tuple[str, str]]
) -> tuple[str | None, int | None]:
    """(template name, line) for an MJML error in `source`, rendered from `chain` (child first)."""
    # The compiler's byte range marks where it gave up, often lines after the mistake, and
    # maybe in another template; the tags tell better, so the range is only a fallback.
    rendered_line = _line_from_tags(source) or _line_from_position(message, source)
    if rendered_line is None:
        return None, None
    wanted = source.splitlines()[rendered_line - 1].strip()
    if not wanted:
        return None, None
    for matches in (_same, _same_but_values):
        found = [
            (name, number)
            for name, template_source in chain
            for number, line in enumerate(template_source.splitlines(), start=1)
            if matches(line.strip(), wanted)
        ]
        if len(found) == 1:  # an ambiguous line would point at the wrong place
            return found[0]
        if found:
            return None, None
    return None, None


def _same(template_line: str, rendered: str) -> bool:
    return template_line == rendered


def _same_but_values(template_line: str, rendered: str) -> bool:
    """True if the rendered line is the template line with its `{{ … }}` values filled in."""
    pieces = _JINJA.split(template_line)
    if len(pieces) == 1 or not any(piece.strip() for piece in pieces):
        return False
    pattern = ".*?".join(re.escape(piece) for piece in pieces)
    return re.fullmatch(pattern, rendered) is not None


def _line_from_position(message: str, source: str) -> int | None:
    match = _POSITION.search(message)
    if match is None:
        return None
    offset = int(match.group(1))
    return source.encode()[:offset].count(b"\n") + 1


def _line_from_tags(source: str) -> int | None:
    """The line of the first MJML tag left open or closed without being open."""
    stack: list[tuple[str, int]] = []
    for match in _TAG.finditer(source):
        closing, name, self_closing = match.groups()
        line = source.count("\n", 0, match.start()) + 1
        if self_closing:
            continue
        if not closing:
            stack.append((name, line))
        elif stack and stack[-1][0] == name:
            stack.pop()
        elif any(open_name == name for open_name, _ in stack):
            return stack[-1][1]  # closes an outer tag: the inner one was left open
        else:
            return line  # closes a tag that is not open: a stray closing tag
    return stack[-1][1] if stack else None
