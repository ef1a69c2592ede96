"""Hook: render data/mindmap.yml at <!-- kb:mindmap -->: the picture (SVG) and the collapsible outline."""

from __future__ import annotations

import _setup  # noqa: F401
from kb import build as kb_build
from kb import mindmap
from kb.markers import replace_markers


def on_page_markdown(markdown: str, *, page, config, files) -> str:
    if "<!-- kb:mindmap" not in markdown:
        return markdown
    build = kb_build.current(config)
    rel = page.file.src_uri
    script = "../" * page.url.count("/") + "assets/javascripts/mindmap.js"

    def render(_marker) -> str:
        return mindmap.render_mindmap_picture(build.mindmap, build.index, rel, script) + "\n\n" + mindmap.render_mindmap(build.mindmap, build.index, rel)

    return replace_markers(markdown, "mindmap", render)
