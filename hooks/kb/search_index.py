"""The search index as compact UTF-8 JSON (same data, fewer bytes)."""

from __future__ import annotations

import json
from pathlib import Path


def rewrite_utf8(path: Path) -> tuple[int, int]:
    """Rewrite ``path`` without ASCII escapes; return (bytes before, bytes after)."""
    raw = path.read_bytes()
    data = json.loads(raw)
    out = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    path.write_bytes(out)
    return len(raw), len(out)
