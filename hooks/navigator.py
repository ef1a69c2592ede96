"""Hook: one generated page per decision-tree node, plus the start page's markers."""

from __future__ import annotations

import _setup  # noqa: F401
from mkdocs.structure.files import File

from kb import build as kb_build
from kb import comparisons, navigator
from kb.markers import replace_markers


def on_files(files, *, config):
    build = kb_build.current(config)
    tree = build.tree
    if tree is None:
        return files
    platforms = build.comparisons.get("wechat-vs-qq")

    def compare(dims, from_rel):
        return comparisons.render_table(platforms, build.sources, build.index, from_rel, dims, show="table") if platforms else ""

    for nid in tree.nodes:
        rel = tree.page(nid)
        files.append(File.generated(config, rel, content=navigator.render_node(tree, nid, build.index, compare)))
    return files


def on_page_markdown(markdown: str, *, page, config, files) -> str:
    if "<!-- kb:navigator" not in markdown:
        return markdown
    build = kb_build.current(config)
    markdown = replace_markers(markdown, "navigator-start", lambda _m: navigator.render_start(build.tree, build.index))
    return replace_markers(
        markdown,
        "navigator-overview",
        lambda _m: navigator.render_tree_picture(build.tree, build.index) + "\n\n" + navigator.render_overview(build.tree, build.index),
    )
