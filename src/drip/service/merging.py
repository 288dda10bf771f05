"""`drip generate --merge`: a new proposal from an edited article, merged into the marketer's
sequences.yaml without losing their edits.

Every line of the file stays as written: subjects, preheaders, delays, leads, bodies, the order
of the steps, the clinic block and every comment. The merge only adds:

- a **proposed step** for each item new in the article (no step of the file shows it, and it
  is not among the items the file's last merge knew), placed after the step the proposal
  puts before it, with a `# PROPOSED …` line above it to delete once reviewed;
- a **proposed sequence** (and its cause, before "I'm not sure") for a cause new in the
  article;
- a `# LEFT THE ARTICLE …` line above each step that shows an item the article no longer
  has; `drip check` refuses such a step until the marketer removes it or changes its content;
- at the end, the items of the article as merged (the list `drip generate` writes there
  too, `yamltext.known_block`), so that a step the marketer removes stays removed at the next
  merge even when no other step shows its item.

A step or a cause the marketer removed is not proposed again: its item is known.
"""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass, field
from pathlib import Path

from drip import errors, generate, ingest, sequences, sequences_yaml
from drip.generate import steps as generated
from drip.generate import yamltext
from drip.service import authoring

PROPOSED = (
    "# PROPOSED by drip generate --merge: new in the article; review it, then delete this line"
)
LEFT = "# LEFT THE ARTICLE: {slugs}: remove this step, or give it content the article has"


@dataclass(frozen=True, kw_only=True)
class Merge:
    path: Path
    before: str
    text: str  # the merged file
    notes: tuple[str, ...]  # what was proposed and flagged, one sentence each

    @property
    def diff(self) -> str:
        return "".join(
            difflib.unified_diff(
                self.before.splitlines(keepends=True),
                self.text.splitlines(keepends=True),
                fromfile=str(self.path),
                tofile=f"{self.path} (merged)",
            )
        )


def merge(article: Path, *, output: Path, format: str | None, single: bool = False) -> Merge:
    """The merge of a new proposal for `article` into `output` (an existing sequences.yaml)."""
    if not output.exists():
        raise errors.UsageError(
            f"--merge: {output} does not exist; write a first proposal with "
            f"`drip generate {article} -o {output}`"
        )
    before, plan = authoring.existing(output)
    tree = ingest.read_article(article, format=format)
    proposal = generate.proposal(
        tree, article_path=authoring.relative(article, output.parent), single=single
    )
    work = _Merging(before, plan, known=_known(before, plan), present=set(tree.slugs()))
    for sequence in proposal.sequences:
        work.propose(sequence)
    work.flag_left()
    text = work.text(sorted(tree.slugs()))
    try:
        sequences_yaml.load(text, file=str(output))
    except errors.ContentError as exc:  # a bug of the merge's, never the marketer's
        raise errors.DripError(
            f"the merge would not read back as sequences.yaml ({exc.problems[0]}); nothing "
            "was written: please report it"
        ) from None
    return Merge(path=output, before=before, text=text, notes=tuple(work.notes))


def _known(text: str, plan: sequences.Plan) -> set[str]:
    """The items the file knows: those its steps show, and those its last merge listed."""
    shown = {slug for seq in plan.sequences.values() for step in seq.steps for slug in step.content}
    return shown | yamltext.known_items(text)


@dataclass
class _Merging:
    before: str
    plan: sequences.Plan
    known: set[str]
    present: set[str]
    notes: list[str] = field(default_factory=list)
    _inserts: list[tuple[int, list[str]]] = field(default_factory=list)  # (before line i, lines)

    def __post_init__(self) -> None:
        self.lines = self.before.splitlines()
        self.locator = sequences_yaml.Locator(self.before)

    def propose(self, proposed: generated.Sequence) -> None:
        ours = self.plan.sequence(proposed.cause)
        if ours is None:
            if not self._all_known(proposed.steps[0].content):
                self._add_sequence(proposed)
            return  # else the marketer removed this cause: it stays removed
        taken = {step.id for step in ours.steps}
        for index, step in enumerate(proposed.steps):
            if self._all_known(step.content):
                continue
            step = dataclasses.replace(step, id=yamltext.unique(step.id, taken))
            at = self._after(ours, [s.id for s in proposed.steps[:index]])
            lines = [f"      {PROPOSED}", *generated.step_lines(step)]
            self._insert(at, lines, shift=self._dash(ours))
            new = ", ".join(s for s in step.content if s not in self.known)
            self.notes.append(
                f"proposed step {step.id} in {ours.cause} ({new}: new in the article)"
            )

    def flag_left(self) -> None:
        for cause, sequence in self.plan.sequences.items():
            for index, step in enumerate(sequence.steps):
                gone = [slug for slug in step.content if slug not in self.present]
                first = self._span(f"sequences.{cause}.steps[{index}]")[0]
                if not gone or self.lines[first - 2].strip().startswith("# LEFT THE ARTICLE"):
                    continue
                indent = " " * self._indent(first)
                self._inserts.append((first - 1, [indent + LEFT.format(slugs=", ".join(gone))]))
                self.notes.append(
                    f"{cause}/{step.id} shows {', '.join(gone)}, which left the article: marked; "
                    "drip check refuses the step until you remove it or change its content"
                )

    def text(self, items: list[str]) -> str:
        lines = list(self.lines)
        # from the bottom up, so that each index still means the line it was computed for; at
        # one index, what was added first ends up first
        ordered = sorted(enumerate(self._inserts), key=lambda x: (x[1][0], x[0]), reverse=True)
        for _, (at, added) in ordered:
            lines[at:at] = added
        lines = yamltext.without_known_block(lines)
        return "\n".join([*lines, *yamltext.known_block(items)]) + "\n"

    def _all_known(self, slugs: tuple[str, ...]) -> bool:
        return all(slug in self.known for slug in slugs)

    def _after(self, ours: sequences.Sequence, earlier: list[str]) -> int:
        """The line index a step goes before: after the last of `earlier` the file has, else
        before the file's first step."""
        for step_id in reversed(earlier):
            index = ours.index(step_id)
            if index is not None:
                return self._span(f"sequences.{ours.cause}.steps[{index}]")[1]
        return self._above(self._span(f"sequences.{ours.cause}.steps[0]")[0] - 1)

    def _add_sequence(self, proposed: generated.Sequence) -> None:
        end = self._span("sequences")[1]
        first = next(iter(self.plan.sequences))
        located = self.locator(f"sequences.{first}")
        shift = (located.column - 1 if located else 2) - 2
        self._insert(end, [f"  {PROPOSED}", *generated.lines(proposed)], shift=shift)
        listed = [c.slug for c in self.plan.causes]
        cause = yamltext.cause_lines(proposed.cause, proposed.label)
        if sequences.NOT_SURE in listed:
            at = self._above(self._span(f"causes[{listed.index(sequences.NOT_SURE)}]")[0] - 1)
        else:
            at = self._span("causes")[1]
        self._insert(
            at, [f"  {PROPOSED}", *cause], shift=self._indent(self._span("causes[0]")[0]) - 2
        )
        self.notes.append(f"proposed a sequence for {proposed.cause}: a cause new in the article")

    def _insert(self, at: int, lines: list[str], *, shift: int) -> None:
        self._inserts.append((at, [_shifted(line, shift) for line in lines]))

    def _span(self, where: str) -> tuple[int, int]:
        found = self.locator.span(where)
        if found is None or not found[2]:
            raise errors.UsageError(
                f"--merge: cannot place new steps at {where}: write it in block style (one "
                "`- id: …` per step), as drip generate does"
            )
        return found[0], found[1]

    def _above(self, index: int) -> int:
        """`index` (a 0-based line), moved above the comment lines right over it."""
        while index > 0 and self.lines[index - 1].strip().startswith("#"):
            index -= 1
        return index

    def _indent(self, line: int) -> int:
        text = self.lines[line - 1]
        return len(text) - len(text.lstrip())

    def _dash(self, ours: sequences.Sequence) -> int:
        """How far the file's steps of `ours` are from the generator's ("- " at column 6)."""
        return self._indent(self._span(f"sequences.{ours.cause}.steps[0]")[0]) - 6


def _shifted(line: str, shift: int) -> str:
    if shift >= 0:
        return " " * shift + line
    return line[min(-shift, len(line) - len(line.lstrip())) :]
