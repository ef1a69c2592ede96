"""Hook: expand <!-- kb:comparison ID [dims=a,b] --> into an accessible table."""

from __future__ import annotations

import _setup  # noqa: F401
from kb import build as kb_build
from kb import comparisons
from kb.markers import replace_markers


def on_page_markdown(markdown: str, *, page, config, files) -> str:
    if "<!-- kb:comparison" not in markdown:
        return markdown
    build = kb_build.current(config)
    rel = page.file.src_uri

    def render(marker) -> str:
        comparison = build.comparisons[marker.positional()[0]]
        dims = marker.kwargs().get("dims")
        show = marker.kwargs().get("show", "both")
        return comparisons.render_table(comparison, build.sources, build.index, rel, dims.split(",") if dims else None, show)

    return replace_markers(markdown, "comparison", render)
