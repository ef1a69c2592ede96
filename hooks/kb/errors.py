"""One error type for bad data: it names the file, the place and the fix."""

from __future__ import annotations

from dataclasses import dataclass


def format_path(path: tuple | list) -> str:
    """Render a YAML path like ``nodes[3].options[0].next``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


@dataclass
class DataError(Exception):
    """A problem in an editor's file (YAML data or a page's front matter)."""

    file: str
    message: str
    fix: str = ""
    path: tuple = ()
    line: int | None = None
    node: str | None = None

    def __str__(self) -> str:  # one message, no traceback needed to act on it
        where = self.file
        if self.line:
            where += f":{self.line}"
        parts = [f"{where}: {self.message}"]
        place = []
        if self.node:
            place.append(f"node '{self.node}'")
        if self.path:
            place.append(f"at {format_path(self.path)}")
        if place:
            parts.append("  where: " + ", ".join(place))
        if self.fix:
            parts.append("  fix: " + self.fix)
        return "\n".join(parts)
