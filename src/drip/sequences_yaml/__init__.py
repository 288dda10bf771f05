"""Read `sequences.yaml` into a `sequences.Plan`, reporting every problem with its place.

    plan = sequences_yaml.load(text, file="sequences.yaml", article=article, templates=names)

`load` is pure: it takes the text and the file name (used in messages only). It raises
`errors.ContentError` listing every problem found, not just the first, each located at the
offending value or key (`sequences.yaml:23:7: sequences.muscle-injury.steps[2].after: "3 dayz"
is not a duration (use e.g. 3d, 36h, 90m)`). Given the article, content slugs are checked
against it; given the template file names, template names are checked too.

The format is described in README.md ("sequences.yaml"); the readers live in `_located` (YAML
and generic shapes), `_scalars` (single values), `_settings` and `_sequences` (the sections).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from drip import content, durations, errors, sequences
from drip.sequences_yaml import (
    _containers,
    _lint,
    _located,
    _samples,
    _scalars,
    _sequences,
    _settings,
)

lint = _lint.lint  # what a loaded plan can still get wrong: problems and warnings
load_samples = _samples.load  # samples.yaml: the sample patients of preview, simulate, send-test
Sample = _samples.Sample
Lint = _lint.Lint
parse_duration = durations.parse_duration
format_duration = durations.format_duration


@dataclass(frozen=True, kw_only=True)
class Located:
    """Where a value is written in the file (1-based), and its text when it is a scalar."""

    text: str | None
    line: int
    column: int


def locate(text: str, where: str) -> Located | None:
    """Where the value at a dotted path (`sequences.muscle-injury.steps[1]`) is written.

    None when the path is absent or the YAML cannot be read. Lets a caller point at the
    document (e.g. the `article:` path that cannot be read) without loading the whole plan.
    """
    return Locator(text)(where)


class Locator:
    """`locate` for many paths of one file, which is read once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._root = _located.compose(text)

    def __call__(self, where: str) -> Located | None:
        if self._root is None:
            return None
        value = _located.find(self.text, where, self._root)
        if value is None:
            return None
        scalar = value.node.value if isinstance(value.node.value, str) else None
        at = value if scalar is not None else value.key_value  # a mapping or list: at its key
        return Located(text=scalar, line=at.line, column=at.column)

    def span(self, where: str) -> tuple[int, int, bool] | None:
        """(first line, last line, block style) of the value at `where`, 1-based: the lines
        its own text is written on, comments after it excluded. None when it is absent."""
        if self._root is None:
            return None
        value = _located.find(self.text, where, self._root)
        if value is None:
            return None
        node = value.node
        block = not getattr(node, "flow_style", False)
        return node.start_mark.line + 1, _located.last_line(node) + 1, block


ArticleLoader = Callable[[str], content.Article]


def load(
    text: str,
    *,
    file: str,
    article: content.Article | ArticleLoader | None = None,
    templates: Collection[str] | None = None,
) -> sequences.Plan:
    """The plan in `text`; raises ContentError listing every problem, in file order.

    `article` checks the content slugs: the article itself, or a loader called with the
    `article:` path as written (so the file is parsed once); a loader's DripError becomes a
    problem at that line.
    """
    doc = _located.Doc(file)
    root = _located.parse(doc, text)
    if root is None:
        raise errors.ContentError(doc.problems)
    plan = _plan(doc, root, article=article, templates=templates)
    if doc.problems:
        raise errors.ContentError(doc.sorted_problems())
    return plan


def _plan(
    doc: _located.Doc,
    root: _located.Value,
    *,
    article: content.Article | ArticleLoader | None,
    templates: Collection[str] | None,
) -> sequences.Plan:
    found = _containers.fields(
        doc, root, required=_settings.TOP_LEVEL_REQUIRED, optional=_settings.TOP_LEVEL_OPTIONAL
    )
    if callable(article):
        article = _load_article(doc, found.get("article"), article)
    if "version" in found:
        _settings.version(doc, found["version"])
    declared = _sequences.causes(doc, found["causes"]) if "causes" in found else {}
    sequences_by_cause = (
        _sequences.all_sequences(
            doc, found["sequences"], declared=declared, article=article, templates=templates
        )
        if "sequences" in found
        else {}
    )
    template, subject = (
        _settings.confirmation(doc, found["confirmation"], templates)
        if "confirmation" in found
        else ("", "")
    )
    return sequences.Plan(
        article=_containers.text(doc, found["article"]).strip() if "article" in found else "",
        clinic=_clinic(doc, found.get("clinic")),
        causes=tuple(cause for cause, _ in declared.values()),
        window=_settings.send_window(doc, found.get("send_window")),
        on_cause_change=(
            _scalars.cause_change(doc, found["on_cause_change"])
            if "on_cause_change" in found
            else sequences.CauseChange.SWITCH
        ),
        confirmation_template=template,
        confirmation_subject=subject,
        sequences=sequences_by_cause,
        topic=_settings.topic(doc, found["topic"]) if "topic" in found else "",
    )


def _load_article(
    doc: _located.Doc, value: _located.Value | None, loader: ArticleLoader
) -> content.Article | None:
    raw = value.node.value if value is not None else None
    path = raw.strip() if isinstance(raw, str) else ""
    if not path or value is None:
        return None  # a missing, empty or malformed key is reported as such by _plan
    try:
        return loader(path)
    except errors.DripError as exc:
        doc.report(value, str(exc))
        return None


def _clinic(doc: _located.Doc, value: _located.Value | None) -> sequences.Clinic:
    if value is None:
        return sequences.Clinic(
            name="",
            from_address="",
            reply_to=None,
            postal_address="",
            booking_url="",
            base_url="",
            timezone="",
        )
    return _settings.clinic(doc, value)
