"""Small diagrams (data/diagrams.yml) placed in pages with <!-- kb:diagram ID -->:
loaded, checked (schema, unique ids, links resolve, markers name a diagram),
and rendered as SVG (kb.svg) in a <figure> with its text alternative."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import Path

from . import svg
from .errors import DataError
from .markers import Marker
from .pages import SiteIndex
from .yamlio import Lines, load_schema, load_yaml, validate_schema

FILE = "data/diagrams.yml"


@dataclass
class Diagrams:
    by_id: dict[str, dict]
    position: dict[str, int]
    lines: Lines
    file: str = FILE


def load_diagrams(path: Path, rel: str = FILE) -> Diagrams:
    data, lines = load_yaml(path, rel)
    validate_schema(data, load_schema(path.parent / "schemas" / "diagrams.schema.json"), rel, lines)
    by_id: dict[str, dict] = {}
    position: dict[str, int] = {}
    for i, diagram in enumerate(data["diagrams"]):
        if diagram["id"] in by_id:
            p = ("diagrams", i, "id")
            raise DataError(rel, f"the diagram id '{diagram['id']}' is used twice (also diagram {position[diagram['id']] + 1})", fix="give each diagram its own id; pages name it in <!-- kb:diagram ID -->", path=p, line=lines.near(p), zh=f"图的 id「{diagram['id']}」用了两次（另一处是第 {position[diagram['id']] + 1} 张图）", zh_fix="每张图用自己的 id：页面用 <!-- kb:diagram ID --> 引用它")
        by_id[diagram["id"]] = diagram
        position[diagram["id"]] = i
    return Diagrams(by_id, position, lines, rel)


def _links(value, path: tuple):
    """(YAML path, link) of every link in a diagram."""
    if isinstance(value, dict):
        for key, child in value.items():
            if key == "link":
                yield path + ("link",), child
            else:
                yield from _links(child, path + (key,))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from _links(child, path + (i,))


def check_diagram_links(diagrams: Diagrams, index: SiteIndex) -> None:
    for did, diagram in diagrams.by_id.items():
        for path, link in _links(diagram, ("diagrams", diagrams.position[did])):
            index.check_link(link, diagrams.file, path, diagrams.lines, node=did)


def check_marker(marker: Marker, diagrams: Diagrams | None, file: str) -> None:
    args = marker.positional()
    if diagrams is None:
        raise DataError(file, "the marker 'kb:diagram' needs data/diagrams.yml, which does not exist", fix="restore the data file or remove the marker", line=marker.line, zh="标记 kb:diagram 需要 data/diagrams.yml，但这个文件不存在", zh_fix="从 git 恢复 data/diagrams.yml（git checkout -- data/diagrams.yml），或者删掉这个标记")
    if len(args) != 1 or marker.kwargs():
        raise DataError(file, "the marker 'kb:diagram' takes one diagram id", fix="write <!-- kb:diagram ID --> with an id from data/diagrams.yml: " + ", ".join(sorted(diagrams.by_id)), line=marker.line, zh="标记 kb:diagram 只写一个图的 id", zh_fix="写成 <!-- kb:diagram ID -->，ID 用 data/diagrams.yml 里的：" + "、".join(sorted(diagrams.by_id)))
    if args[0] not in diagrams.by_id:
        raise DataError(file, f"no diagram '{args[0]}' in data/diagrams.yml", fix="use one of: " + ", ".join(sorted(diagrams.by_id)), line=marker.line, zh=f"data/diagrams.yml 里没有图「{args[0]}」", zh_fix="用其中之一：" + "、".join(sorted(diagrams.by_id)))


def render_diagram(diagrams: Diagrams, did: str, index: SiteIndex, from_rel: str) -> str:
    diagram = diagrams.by_id[did]

    def url(link: str | None) -> str | None:
        return index.url(link, from_rel) if link else None

    # A panel's own link (e.g. the section about the ring) applies to boxes without one.
    panels = []
    for panel in diagram["panels"]:
        panel = dict(panel)
        if panel.get("link"):
            default = panel["link"]
            panel = _with_default_link(panel, default)
        panels.append(panel)
    picture = svg.render_diagram_svg({**diagram, "panels": panels}, url)
    return (
        f'<figure class="kb-dg" data-search-exclude="true">'
        f'<div class="kb-dg__scroll" tabindex="0" role="region" aria-label="图：{escape(diagram["title"])}（可左右滚动）">{picture}</div>'
        f'<figcaption><strong>{escape(diagram["title"])}</strong>。{escape(diagram["alt"])}</figcaption></figure>'
    )


def _with_default_link(value, link: str):
    if isinstance(value, dict):
        out = {k: _with_default_link(v, link) for k, v in value.items()}
        if "label" in out and not out.get("link"):
            out["link"] = link
        return out
    if isinstance(value, list):
        return [_with_default_link(v, link) for v in value]
    return value
