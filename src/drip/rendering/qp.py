"""Quoted-printable bodies, encoded once per step where the patient's values do not reach.

`binascii.b2a_qp` over a step's HTML was most of composing an email (~0.1 ms for 10 kB, every
message), yet only a few words of it are personal. A `Body` splits its template once: runs
of lines without placeholders are encoded once; a line with placeholders is cut into pieces
at constant characters, its long constant pieces encoded once for each column they come to
start at (where the soft line breaks fall depends on it), and only the short pieces around
the placeholders are encoded per message. The result is byte for byte what `b2a_qp` writes
for the whole personalised text (`tests/rendering/test_qp.py`), because of how it works:

- it encodes line by line: at a line feed its only state, the column, goes back to 0 (the
  text has no CR: its lines are joined by LF), so lines can be encoded apart;
- within a line, what it writes for a byte depends on that byte, the column, and the next
  byte (a `.` or a blank before the line's end, a soft break before a line's last byte).
  Pieces are cut before a constant printable byte, never at the line's end: a piece is
  encoded after as many `x` as its starting column (written as they are, no break: a column
  is at most 75) and before a `Z` (the next byte is printable either way), which are then cut
  off again.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Callable

_PLACEHOLDER = re.compile(r"%%drip:[a-z_]+%%")
_CUT_BEFORE = frozenset(map(chr, range(0x21, 0x7F)))  # printable ASCII, not a blank
LONG = 256  # characters of a constant piece worth encoding once per starting column

Fill = Callable[[str], str]  # a piece with placeholders → the piece with the patient's values


def encode(text: bytes) -> bytes:
    """Quoted-printable as drip writes it (blanks plain but at a line's end; LF line ends)."""
    return binascii.b2a_qp(text, quotetabs=False, istext=True, header=False)


class Body:
    """A rendered part's template, ready to be encoded for one patient after another."""

    def __init__(self, template: str) -> None:
        self._items: list[bytes | _Line] = []
        self._whole = template if _may_vanish(template) else None
        if self._whole is not None:
            return
        constant: list[str] = []
        for line in template.splitlines() or [""]:
            if _PLACEHOLDER.search(line) is None:
                constant.append(line)
                continue
            if constant:
                self._items.append(_lines(constant))
                constant = []
            self._items.append(_Line(line))
        if constant:
            self._items.append(_lines(constant))

    def encoded(self, fill: Fill) -> bytes:
        """`encode` of the personalised text's lines, each ending in LF (as `splitlines`
        cuts them): `fill` must put no line break in it (compose's values hold none)."""
        if self._whole is not None:
            return _lines(fill(self._whole).splitlines())
        return b"".join(
            item if isinstance(item, bytes) else item.encoded(fill) for item in self._items
        )


class _Line:
    """A line with placeholders, as pieces: constant ones (long) and ones to fill."""

    def __init__(self, line: str) -> None:
        self._pieces: list[str | _Constant] = []
        start = 0  # where the current piece to fill begins
        spans = [m.span() for m in _PLACEHOLDER.finditer(line)]
        starts = [0] + [end for _, end in spans]
        ends = [begin for begin, _ in spans] + [len(line)]
        for begin, end in zip(starts, ends, strict=True):  # the constant runs around placeholders
            if begin > 0:
                begin = next((i for i in range(begin, end) if line[i] in _CUT_BEFORE), end)
            stop = end if end == len(line) else _last_cut(line, begin, end)
            if stop - begin < LONG:
                continue
            if begin > start:
                self._pieces.append(line[start:begin])
            self._pieces.append(_Constant(line[begin:stop], last=stop == len(line)))
            start = stop
        if start < len(line):
            self._pieces.append(line[start:])

    def encoded(self, fill: Fill) -> bytes:
        out, column = [], 0
        last = len(self._pieces) - 1
        for i, piece in enumerate(self._pieces):
            if isinstance(piece, _Constant):
                written, column = piece.at(column)
            else:
                written, column = _at(fill(piece).encode("utf-8"), column, last=i == last)
            out.append(written)
        return b"".join(out)


class _Constant:
    """A long constant piece, encoded once for each column it starts at."""

    def __init__(self, text: str, *, last: bool) -> None:
        self._text = text.encode("utf-8")
        self._last = last
        self._at: dict[int, tuple[bytes, int]] = {}

    def at(self, column: int) -> tuple[bytes, int]:
        if column not in self._at:
            self._at[column] = _at(self._text, column, last=self._last)
        return self._at[column]


def _at(piece: bytes, column: int, *, last: bool) -> tuple[bytes, int]:
    """What `encode` writes for `piece` starting at `column` of an output line, and the column
    it ends at: the line's end follows it when `last`, else a constant printable byte."""
    if last:
        return encode(b"x" * column + piece + b"\n")[column:], 0
    written = encode(b"x" * column + piece + b"Z")[:-1]
    return written[column:], len(written) - written.rfind(b"\n") - 1


def _may_vanish(template: str) -> bool:
    """Whether a line of placeholders only, filled with empty values, would change where the
    whole text's `splitlines` cuts it: unended at the end (it is dropped), or ended by LF after
    a line ended by CR (CR LF is one break). Such a body is encoded whole."""
    lines = template.splitlines(keepends=True)
    for i, line in enumerate(lines):
        content = (line.splitlines() or [""])[0]
        if _PLACEHOLDER.sub("", content) or not content:
            continue
        ending = line[len(content) :]
        if not ending or (ending == "\n" and i > 0 and lines[i - 1].endswith("\r")):
            return True
    return False


def _lines(lines: list[str]) -> bytes:
    return encode(("\n".join(lines) + "\n").encode("utf-8"))


def _last_cut(line: str, begin: int, end: int) -> int:
    """Where a constant run `line[begin:end]` before a placeholder can end: before its last
    printable byte (kept with the placeholder), else nowhere (`begin`)."""
    for cut in range(end - 1, begin, -1):
        if line[cut] in _CUT_BEFORE:
            return cut
    return begin
