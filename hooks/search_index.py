"""Hook: write Material's search index as UTF-8 instead of \\uXXXX escapes.

Material writes search/search_index.json with json.dumps' default
ensure_ascii=True, so every Chinese character costs six bytes. Rewriting it
as UTF-8 halves the raw index (1.60 MB -> 0.87 MB) and the browser's JSON.parse
work on every page load; gzip shrinks from ~232 KB to ~194 KB. Hooks run after
plugins in on_post_build, so the search plugin has written the file by now.
"""

from __future__ import annotations

import _setup  # noqa: F401
from pathlib import Path

from mkdocs.plugins import get_plugin_logger

from kb.search_index import rewrite_utf8

log = get_plugin_logger(__name__)


def on_post_build(*, config) -> None:
    path = Path(config.site_dir) / "search" / "search_index.json"
    if path.exists():
        before, after = rewrite_utf8(path)
        log.debug("search index %d -> %d bytes", before, after)
