"""Markers that pages use to place generated content: ``<!-- kb:name args -->``.

A marker sits alone on its line. Hooks replace the ones they own; every
marker is checked before the build starts writing, so a typo in a marker
name or argument stops the build with the page and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from .errors import DataError

MARKER = re.compile(r"^[ \t]*<!--[ \t]*kb:([a-z][a-z0-9-]*)((?:[ \t]+[^\n]*?)?)[ \t]*-->[ \t]*$", re.M)

#: Every marker name the site knows, with what it renders.
KNOWN = {
    "checklist": "the page's checklist items (front matter 'checklist')",
    "checklist-index": "the list of all checklists",
    "comparison": "a comparison table: <!-- kb:comparison ID [dims=a,b] -->",
    "case-table": "the table comparing the case pages",
    "glossary": "the glossary from data/glossary.yml",
    "sources": "the list of sources from data/sources.yml",
    "mindmap": "the mind map picture and outline from data/mindmap.yml",
    "diagram": "a small diagram from data/diagrams.yml: <!-- kb:diagram ID -->",
    "navigator-start": "the navigator's first question",
    "navigator-overview": "the picture and outline of the whole decision tree",
}


@dataclass
class Marker:
    name: str
    args: list[str]
    line: int  # 1-based line within the text it was found in

    def kwargs(self) -> dict[str, str]:
        return dict(a.split("=", 1) for a in self.args if "=" in a)

    def positional(self) -> list[str]:
        return [a for a in self.args if "=" not in a]


def find_markers(text: str, first_line: int = 1) -> list[Marker]:
    found = []
    for match in MARKER.finditer(text):
        line = text.count("\n", 0, match.start()) + first_line
        found.append(Marker(match.group(1), match.group(2).split(), line))
    return found


def check_known(markers: list[Marker], file: str) -> None:
    for marker in markers:
        if marker.name not in KNOWN:
            raise DataError(
                file,
                f"unknown marker 'kb:{marker.name}'",
                fix="use one of: " + ", ".join(f"kb:{name}" for name in sorted(KNOWN)),
                line=marker.line,
                zh=f"不认识的标记 kb:{marker.name}",
                zh_fix="用其中之一：" + "、".join(f"kb:{name}" for name in sorted(KNOWN)),
            )


def replace_markers(text: str, name: str, render: Callable[[Marker], str]) -> str:
    """Replace every marker called ``name`` with ``render(marker)``."""

    def substitute(match: re.Match) -> str:
        if match.group(1) != name:
            return match.group(0)
        marker = Marker(name, match.group(2).split(), text.count("\n", 0, match.start()) + 1)
        # Blank lines around the HTML keep Python-Markdown from mixing it into a paragraph.
        return "\n" + render(marker).strip() + "\n"

    return MARKER.sub(substitute, text)
