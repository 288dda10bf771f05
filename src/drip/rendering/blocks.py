"""Content references (`back-spasms/treatments/heat-and-ice`) → blocks templates can lay out.

A body is paragraphs separated by a blank line; lines starting with "- " are list entries.
Both the HTML and the text part are built from these blocks, so the content has one source.
Titles are in sentence case ("Heat and ice"), like the subjects beside them in the inbox.
A step's own `body:` (Markdown) replaces the article's text; the first title stays.
"""

from __future__ import annotations

from drip import content, errors, sequences
from drip.rendering import markdown, model

_BULLET = "- "


def for_step(article: content.Article, step: sequences.Step, *, where: str) -> list[model.Block]:
    """The blocks a step shows: its content, or its `body:` under the content's first title."""
    resolved = resolve(article, step.content, where=where)
    if not step.body:
        return resolved
    return markdown.blocks(step.body, title=resolved[0].title if resolved else "")


def resolve(article: content.Article, slugs: tuple[str, ...], *, where: str) -> list[model.Block]:
    """The blocks for a step's content list, in the given order.

    A section brings its own body, then each of its items as a level-2 block.
    """
    blocks: list[model.Block] = []
    for slug in slugs:
        node = article.find(slug)
        if node is None:
            raise errors.RenderError(
                f"{where}: content {slug!r} is not in the article {article.slug!r}; "
                "run `drip check` to list the valid slugs"
            )
        title = content.sentence_case(node.title)
        blocks.append(model.Block(slug=node.slug, title=title, parts=parts(node.body)))
        if isinstance(node, content.Section):
            blocks.extend(
                model.Block(
                    slug=i.slug, title=content.sentence_case(i.title), parts=parts(i.body), level=2
                )
                for i in node.items
            )
    return blocks


def parts(body: str) -> tuple[model.Part, ...]:
    """A body's paragraphs and lists; consecutive "- " lines form one list."""
    result: list[model.Part] = []
    for paragraph in content.paragraphs(body):
        result.extend(_split_lists(paragraph.splitlines()))
    return tuple(result)


def _split_lists(lines: list[str]) -> list[model.Part]:
    result: list[model.Part] = []
    run: list[str] = []
    in_list = False
    for line in [ln.strip() for ln in lines if ln.strip()]:
        is_entry = line.startswith(_BULLET)
        if run and is_entry != in_list:
            result.append(_part(run, in_list))
            run = []
        in_list = is_entry
        run.append(line[len(_BULLET) :].strip() if is_entry else line)
    if run:
        result.append(_part(run, in_list))
    return result


def _part(lines: list[str], is_list: bool) -> model.Part:
    if is_list:
        return model.Part(kind=model.PartKind.LIST, entries=tuple(lines))
    # Lines of one paragraph are soft-wrapped prose: join them with single spaces.
    return model.Part(kind=model.PartKind.PARAGRAPH, text=" ".join(lines))
