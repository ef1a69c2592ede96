"""Glossary tooltips that work in Chinese text.

Python-Markdown's ``abbr`` wraps terms between ``\\b`` word boundaries, and
there is no word boundary between two Chinese characters, so 种子用户 inside
a Chinese sentence never got its tooltip. This tree processor wraps the first
occurrence of each glossary term on a page in ``<abbr class="kb-term"
data-kb-tip="…" tabindex="0">``: Latin terms (KOL) still need non-letters
around them, Chinese terms need nothing. Headings, links, code and existing
``<abbr>`` are left alone.

The definition is not put in ``title``: Material's ``content.tooltips`` builds
its tooltip from ``title`` with ``innerHTML``, so markup in a definition ran in
the reader's browser. docs/assets/javascripts/glossary-tip.js shows
``data-kb-tip`` as text (hover, keyboard focus, tap), without Material.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

SKIP = {"a", "abbr", "code", "pre", "script", "style", "h1", "h2", "h3", "h4", "h5", "h6", "kbd", "summary"}
ASCII_WORD = re.compile(r"[A-Za-z0-9]")


def term_pattern(terms: list[str]) -> re.Pattern | None:
    """One regex for all terms, longest first; ASCII edges get ASCII boundaries."""
    parts = []
    for term in sorted(set(terms), key=len, reverse=True):
        part = re.escape(term)
        if ASCII_WORD.match(term[0]):
            part = r"(?<![A-Za-z0-9])" + part
        if ASCII_WORD.match(term[-1]):
            part = part + r"(?![A-Za-z0-9])"
        parts.append(part)
    return re.compile("|".join(parts)) if parts else None


class GlossaryTreeprocessor(Treeprocessor):
    def __init__(self, md: Markdown, glossary: dict[str, str]):
        super().__init__(md)
        self.glossary = glossary  # filled per build by the hook before pages render
        self._pattern: re.Pattern | None = None
        self._pattern_key: tuple = ()

    def pattern(self) -> re.Pattern | None:
        key = tuple(sorted(self.glossary))
        if key != self._pattern_key:
            self._pattern, self._pattern_key = term_pattern(list(self.glossary)), key
        return self._pattern

    def run(self, root: etree.Element) -> None:
        pattern = self.pattern()
        if pattern is None:
            return
        self.done: set[str] = set()
        self._walk(root, pattern)

    def _wrap(self, text: str, pattern: re.Pattern) -> tuple[str, list[etree.Element]]:
        """Split ``text`` at first occurrences of terms: (head, [abbr elements with tails])."""
        pieces: list[etree.Element] = []
        head = None
        last = 0
        for match in pattern.finditer(text):
            term = match.group(0)
            if term in self.done:
                continue
            self.done.add(term)
            abbr = etree.Element("abbr", {"class": "kb-term", "data-kb-tip": self.glossary[term], "tabindex": "0"})
            abbr.text = AtomicString(term)
            if pieces:
                pieces[-1].tail = text[last:match.start()]
            else:
                head = text[:match.start()]
            pieces.append(abbr)
            last = match.end()
        if not pieces:
            return text, []
        pieces[-1].tail = text[last:]
        return head, pieces

    def _walk(self, el: etree.Element, pattern: re.Pattern) -> None:
        if el.tag in SKIP:
            return
        if el.text and not isinstance(el.text, AtomicString):
            head, pieces = self._wrap(el.text, pattern)
            if pieces:
                el.text = head
                for i, piece in enumerate(pieces):
                    el.insert(i, piece)
        for child in list(el):
            self._walk(child, pattern)
            if child.tail and not isinstance(child.tail, AtomicString):
                head, pieces = self._wrap(child.tail, pattern)
                if pieces:
                    child.tail = head
                    index = list(el).index(child) + 1
                    for i, piece in enumerate(pieces):
                        el.insert(index + i, piece)


class GlossaryExtension(Extension):
    """Register with a dict that the caller keeps filling: term -> definition."""

    def __init__(self, glossary: dict[str, str], **kwargs):
        self.glossary = glossary
        super().__init__(**kwargs)

    def extendMarkdown(self, md: Markdown) -> None:
        # After inline processing, before the abbr extension (7) and toc (5).
        md.treeprocessors.register(GlossaryTreeprocessor(md, self.glossary), "kb_glossary", 8)


def glossary_terms(terms: list[dict]) -> dict[str, str]:
    """term and aliases -> the one-line definition shown in the tooltip."""
    out: dict[str, str] = {}
    for term in terms:
        for name in [term["term"], *term.get("aliases", [])]:
            out[name] = term["definition"].replace("\n", " ")
    return out
