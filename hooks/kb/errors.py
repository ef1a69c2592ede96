"""One error type for bad data: it names the file, the place and the fix.

Editors read the message in Chinese (the default); developers can ask for
English with ``KB_LANG=en``. Each message starts with ``file:line:column`` (what
editors and terminals turn into a link), then says what is wrong, shows the
line, and gives the fix that is right for this case.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field


def format_path(path: tuple | list) -> str:
    """Render a YAML path like ``nodes[3].options[0].next``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def language() -> str:
    """``en`` when KB_LANG asks for English, else ``zh``."""
    return "en" if os.environ.get("KB_LANG", "").lower().startswith("en") else "zh"


@dataclass
class DataError(Exception):
    """A problem in an editor's file (YAML data or a page's front matter).

    ``message`` and ``fix`` are English; ``zh`` and ``zh_fix`` the same in
    Chinese (without them the Chinese frame carries the English words).
    ``excerpt`` is ``[(line number, text)]`` of the lines to show, the
    offending one marked.
    """

    file: str
    message: str
    fix: str = ""
    path: tuple = ()
    line: int | None = None
    node: str | None = None
    zh: str | None = None
    zh_fix: str | None = None
    column: int | None = None
    excerpt: list = field(default_factory=list)

    def location(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}"
            if self.column:
                where += f":{self.column}"
        return where

    def _excerpt(self) -> list[str]:
        out = []
        width = max((len(str(n)) for n, _t in self.excerpt), default=0)
        for number, text in self.excerpt:
            mark = ">" if number == self.line else " "
            # Spaces shown as they are; a tab shown as →, so indentation can be counted.
            out.append(f"  {mark} {number:>{width}} | {text.replace(chr(9), '→')}")
        return out

    def render(self, lang: str | None = None) -> str:
        lang = lang or language()
        if lang == "en":
            parts = [f"{self.location()}: {self.message}"]
            place = []
            if self.node:
                place.append(f"node '{self.node}'")
            if self.path:
                place.append(f"at {format_path(self.path)}")
            if place:
                parts.append("  where: " + ", ".join(place))
            parts += self._excerpt()
            if self.fix:
                parts.append("  fix: " + self.fix)
            return "\n".join(parts)
        parts = [self.location()]
        place = ""
        if self.line:
            place = f"第 {self.line} 行" + (f"第 {self.column} 列" if self.column else "")
        details = []
        if self.node:
            details.append(f"节点「{self.node}」")
        if self.path:
            details.append(format_path(self.path).replace("(top level)", "最外层"))
        if details:
            place += ("，" if place else "") + "，".join(details)
        parts.append("  问题：" + (self.zh or self.message) + (f"（{place}）" if place else ""))
        parts += self._excerpt()
        fix = self.zh_fix or self.fix
        if fix:
            parts.append("  怎么改：" + fix)
        return "\n".join(parts)

    def __str__(self) -> str:  # one message, no traceback needed to act on it
        return self.render()
