"""The source mind map (000) as a tree whose every node links to the page covering it."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import Path

from . import svg
from .errors import DataError
from .pages import SiteIndex
from .yamlio import Lines, load_schema, load_yaml, validate_schema


@dataclass
class MindMap:
    data: dict
    file: str
    lines: Lines

    def walk(self):
        """Yield (YAML path, node, depth) for every node, depth-first."""
        stack = [(("children", i), node, 1) for i, node in enumerate(self.data["children"])][::-1]
        while stack:
            path, node, depth = stack.pop()
            yield path, node, depth
            for i, child in reversed(list(enumerate(node.get("children", [])))):
                stack.append((path + ("children", i), child, depth + 1))


def load_mindmap(path: Path, rel: str, sources: dict[str, dict]) -> MindMap:
    data, lines = load_yaml(path, rel)
    validate_schema(data, load_schema(path.parent / "schemas" / "mindmap.schema.json"), rel, lines)
    if data["source"] not in sources:
        raise DataError(rel, f"unknown source '{data['source']}'", fix="use an id from data/sources.yml", path=("source",), line=lines.near(("source",)), zh=f"没有编号为「{data['source']}」的资料", zh_fix="用 data/sources.yml 里的编号")
    mindmap = MindMap(data, rel, lines)
    check_source_lines(mindmap, sources[data["source"]], list(sources).index(data["source"]))
    return mindmap


def check_source_lines(mindmap: MindMap, source: dict, source_index: int = 0) -> None:
    """Every node's ``line`` is a line of the source file (1 … its ``lines``)."""
    total = source.get("lines")
    if total is None:
        raise DataError(
            "data/sources.yml",
            f"source '{source['id']}' has no 'lines:', so the mind map's line numbers cannot be checked",
            fix=f"add 'lines:' with the line count of {source['file']}",
            path=("sources", source_index),
            zh=f"资料「{source['id']}」没写 lines:，思维导图里的行号就没法检查",
            zh_fix=f"加上 lines:，写 {source['file']} 的总行数",
        )
    for path, node, _depth in mindmap.walk():
        if node["line"] > total:
            raise DataError(
                mindmap.file,
                f"line {node['line']} is past the end of source {source['id']} ({source['file']} has {total} lines)",
                fix=f"give the line of this node in {source['file']}, between 1 and {total}",
                zh=f"第 {node['line']} 行超出了资料 {source['id']} 的末尾（{source['file']} 只有 {total} 行）",
                zh_fix=f"写这个节点在 {source['file']} 里的行号，在 1 到 {total} 之间",
                path=path + ("line",),
                line=mindmap.lines.near(path + ("line",)),
                node=node["text"],
            )


def check_mindmap_links(mindmap: MindMap, index: SiteIndex) -> None:
    for path, node, _depth in mindmap.walk():
        index.check_link(node["link"], mindmap.file, path + ("link",), mindmap.lines, node=node["text"])


def count_nodes(mindmap: MindMap) -> int:
    return sum(1 for _ in mindmap.walk())


def render_mindmap(mindmap: MindMap, index: SiteIndex, from_rel: str) -> str:
    """Top-level branches collapse with <details> (no JavaScript); every node is a link."""

    def link(node: dict) -> str:
        return f'<a href="{escape(index.url(node["link"], from_rel))}">{escape(node["text"])}</a>'

    def subtree(nodes: list[dict]) -> str:
        items = "".join(f"<li>{link(n)}{subtree(n['children']) if n.get('children') else ''}</li>" for n in nodes)
        return f"<ul>{items}</ul>"

    branches = []
    for number, node in enumerate(mindmap.data["children"], start=1):
        children = subtree(node["children"]) if node.get("children") else ""
        count = sum(1 for _ in MindMap({"children": [node]}, "", Lines()).walk())
        branches.append(
            f'<details class="kb-mindmap__branch" open><summary>{number}. {escape(node["text"])}'
            f'<span class="kb-mindmap__count">（{count} 个节点）</span></summary>'
            f'<p class="kb-mindmap__page">{link(node)}</p>{children}</details>'
        )
    return f'<div class="kb-mindmap" id="kb-mindmap-outline"><p class="kb-mindmap__root">{escape(mindmap.data["title"])}</p>{"".join(branches)}</div>'


def render_mindmap_picture(mindmap: MindMap, index: SiteIndex, from_rel: str, script_url: str) -> str:
    """The map as one SVG (kb.svg), above the outline that is its text version.
    Without JavaScript the whole map is drawn unfolded in a box that scrolls;
    mindmap.js (this page only) opens it at the first level, big enough to
    read, to fold and unfold node by node, drag, and zoom."""
    branches = svg.mindmap_tree(mindmap.data, lambda link: index.url(link, from_rel))
    picture = svg.render_mindmap_svg(mindmap.data["title"], branches, "#kb-mindmap-outline")
    return (
        '<figure class="kb-mm" data-search-exclude="true">'
        # With JavaScript the map opens at its first level: hide the rest before
        # the SVG is parsed, so the browser never lays out the 300 labels at once.
        '<script>document.currentScript.parentNode.classList.add("kb-mm--js")</script>'
        f'<div class="kb-mm__view" tabindex="0" role="region" aria-label="思维导图的图">{picture}</div>'
        '<figcaption>每个节点后面的「↗」打开讲它的页面。'
        '<a href="#kb-mindmap-outline">图下是同一份导图的文字大纲</a>。</figcaption></figure>'
        f'<script src="{escape(script_url)}" defer></script>'
    )
