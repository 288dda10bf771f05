"""`<mj-style inline="inline">` made real: its rules written into each element's `style`.

mjml-python ignores `inline="inline"`: such rules would stay in a `<style>` block, which some
mail clients strip (Gmail's app for accounts of other providers, many webmail clients). So the
rendered MJML is split first (the inline rules out, line numbers kept for error messages), then
the compiled HTML gets them inlined with css-inline, once per step. Other `<mj-style>` blocks
(media queries, dark mode) stay in the head, where they belong.
"""

from __future__ import annotations

import re

import css_inline

_INLINE_STYLE = re.compile(
    r"<mj-style\b[^>]*\binline\s*=\s*([\"'])inline\1[^>]*>(?P<css>.*?)</mj-style\s*>", re.DOTALL
)


def split(source: str) -> tuple[str, str]:
    """(the MJML without its inline `<mj-style>` blocks, their CSS): a removed block leaves
    its line breaks, so every line keeps its number."""
    rules: list[str] = []

    def cut(match: re.Match[str]) -> str:
        rules.append(match.group("css"))
        return "\n" * match.group(0).count("\n")

    return _INLINE_STYLE.sub(cut, source), "\n".join(rules)


def inline(html: str, css: str) -> str:
    """`html` with the rules of `css` in the `style` attribute of every element they match;
    the document's own `<style>` blocks are left as they are."""
    if not css.strip():
        return html
    inliner = css_inline.CSSInliner(
        inline_style_tags=False,
        keep_style_tags=True,
        keep_link_tags=True,
        load_remote_stylesheets=False,
        extra_css=css,
    )
    return inliner.inline(html)
