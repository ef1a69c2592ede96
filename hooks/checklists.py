"""Hook: render checklist items (front matter `checklist:`) and the checklist index."""

from __future__ import annotations

import _setup  # noqa: F401
from kb import build as kb_build
from kb import checklists
from kb.markers import replace_markers
from kb.permalinks import moved_anchors


def on_page_markdown(markdown: str, *, page, config, files) -> str:
    if "<!-- kb:checklist" not in markdown:
        return markdown
    build = kb_build.current(config)
    rel = page.file.src_uri
    source = build.pages[rel]
    if checklists.is_checklist(source):
        old = moved_anchors(build.moved, rel)
        markdown = replace_markers(markdown, "checklist", lambda _m: checklists.render_checklist(source, build.index, old))
    return replace_markers(markdown, "checklist-index", lambda _m: checklists.render_checklist_index(build.pages, build.order, build.index, rel))
