"""Hook: render data/mindmap.yml as a collapsible outline at <!-- kb:mindmap -->."""

from __future__ import annotations

import _setup  # noqa: F401
from kb import build as kb_build
from kb import mindmap
from kb.markers import replace_markers


def on_page_markdown(markdown: str, *, page, config, files) -> str:
    if "<!-- kb:mindmap" not in markdown:
        return markdown
    build = kb_build.current(config)
    return replace_markers(markdown, "mindmap", lambda _m: mindmap.render_mindmap(build.mindmap, build.index, page.file.src_uri))
