"""Load and check everything the hooks need, once per build, before any output.

``prepare`` runs in ``on_pre_build``, i.e. before MkDocs cleans ``site/``: a
bad data file or front matter stops the build with one located message and
the previous site is left as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import checklists, comparisons, content, diagrams, markers, mindmap, navigator, permalinks, terms
from .errors import DataError
from .pages import Page, SiteIndex, check_heading_ids, scan_docs
from .yamlio import load_schema, read_text


@dataclass
class Build:
    root: Path
    docs_dir: Path
    data_dir: Path
    pages: dict[str, Page]
    order: list[str]
    index: SiteIndex
    tags: dict[str, content.Tag]
    sources: dict[str, dict]
    glossary: list[dict]
    related: content.RelatedIndex
    comparisons: dict[str, comparisons.Comparison]
    tree: navigator.Tree | None
    mindmap: mindmap.MindMap | None
    terms: list[terms.Term] = field(default_factory=list)  # data/terms.yml: one spelling per name
    published: dict[str, list[str]] = field(default_factory=dict)  # URL -> checklist item anchors, as built now
    diagrams: diagrams.Diagrams | None = None
    moved: dict[str, str] = field(default_factory=dict)  # data/permalinks.yml `moved:`, normalised



def nav_order(nav: list | None) -> list[str]:
    """Flatten mkdocs.yml ``nav`` into the list of page paths, in order."""
    out: list[str] = []

    def walk(item) -> None:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            for value in item.values():
                walk(value)
        elif isinstance(item, list):
            for value in item:
                walk(value)

    walk(nav or [])
    return out


class _ConfigLoader(yaml.SafeLoader):
    """Reads mkdocs.yml without its tags (!ENV ...): only `nav` is needed."""


_ConfigLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def read_nav(root: Path) -> list | None:
    """The ``nav`` of ``root``/mkdocs.yml, for tools that run prepare() outside MkDocs."""
    config = yaml.load((root / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_ConfigLoader) or {}
    return config.get("nav")


def prepare(root: Path, docs_dir: Path, nav: list | None, check_permalinks: bool = True) -> Build:
    """Everything the hooks need, checked. ``check_permalinks=False`` is for
    `make manifest` writing the first manifest, when there is none to check against."""
    data_dir = root / "data"
    check_required_files(data_dir)
    pages = scan_docs(docs_dir)
    order = nav_order(nav) + sorted(set(pages) - set(nav_order(nav)))
    index = SiteIndex(pages)

    tags = content.load_tags(data_dir)
    sources = content.load_sources(data_dir)
    spellings = terms.load_terms(data_dir)
    page_schema = load_schema(data_dir / "schemas" / "page.schema.json")
    for page in pages.values():
        check_page_meta_and_ids(page, page_schema, tags, sources)
        if checklists.is_checklist(page):
            index.add_anchors(page.rel, checklists.item_anchors(page))

    # Generated pages first, so data and pages may link to them.
    tree = None
    tree_file = data_dir / "decision_tree.yml"
    if tree_file.exists():
        tree = navigator.load_tree(tree_file, "data/decision_tree.yml", sources)
        for nid in tree.nodes:
            index.add_page(tree.page(nid), {"top", "options", "why", "first-steps", "platform", "alternatives"})

    comparison_schema = load_schema(data_dir / "schemas" / "comparison.schema.json")
    loaded: dict[str, comparisons.Comparison] = {}
    for path in comparisons.comparison_files(data_dir):
        rel = path.relative_to(root).as_posix()
        comparison = comparisons.load_comparison(path, rel, comparison_schema, sources)
        if comparison.id in loaded:
            raise DataError(rel, f"the comparison id '{comparison.id}' is also used by {loaded[comparison.id].file}", fix="give each comparison file its own id", path=("id",), line=comparison.lines.near(("id",)), zh=f"对比表 id「{comparison.id}」也被 {loaded[comparison.id].file} 用了", zh_fix="每个对比表文件用自己的 id")
        loaded[comparison.id] = comparison

    pictures = diagrams.load_diagrams(data_dir / "diagrams.yml") if (data_dir / "diagrams.yml").exists() else None

    for page in pages.values():
        found = markers.find_markers(page.body, first_line=page.body_offset + 1)
        markers.check_known(found, f"docs/{page.rel}")
        for marker in found:
            needs = {"navigator-start": tree, "navigator-overview": tree}
            if marker.name in needs and needs[marker.name] is None:
                raise DataError(f"docs/{page.rel}", f"the marker 'kb:{marker.name}' needs data/decision_tree.yml, which does not exist", fix="restore the data file or remove the marker", line=marker.line, zh=f"标记 kb:{marker.name} 需要 data/decision_tree.yml，但这个文件不存在", zh_fix="从 git 恢复它（git checkout -- data/decision_tree.yml），或者删掉这个标记")
            if marker.name == "mindmap" and not (data_dir / "mindmap.yml").exists():
                raise DataError(f"docs/{page.rel}", "the marker 'kb:mindmap' needs data/mindmap.yml, which does not exist", fix="restore the data file or remove the marker", line=marker.line, zh="标记 kb:mindmap 需要 data/mindmap.yml，但这个文件不存在", zh_fix="从 git 恢复它（git checkout -- data/mindmap.yml），或者删掉这个标记")
            if marker.name == "diagram":
                diagrams.check_marker(marker, pictures, f"docs/{page.rel}")
            if marker.name == "comparison":
                comparisons.check_marker(marker, loaded, f"docs/{page.rel}")
                index.add_anchors(page.rel, comparisons.marker_anchors(marker, loaded))

    # After every page registered its anchors (comparison rows too).
    for page in pages.values():
        if checklists.is_checklist(page):
            checklists.check_checklist(page, index)

    glossary = content.load_glossary(data_dir, sources, index)

    if tree is not None:
        dims = loaded["wechat-vs-qq"].dimension_ids() if "wechat-vs-qq" in loaded else []
        navigator.check_tree_links(tree, index, dims)

    if pictures is not None:
        diagrams.check_diagram_links(pictures, index)

    mind = None
    if (data_dir / "mindmap.yml").exists():
        mind = mindmap.load_mindmap(data_dir / "mindmap.yml", "data/mindmap.yml", sources)
        mindmap.check_mindmap_links(mind, index)

    build = Build(
        root=root,
        docs_dir=docs_dir,
        data_dir=data_dir,
        pages=pages,
        order=order,
        index=index,
        tags=tags,
        sources=sources,
        glossary=glossary,
        related=content.RelatedIndex(pages, order),
        comparisons=loaded,
        tree=tree,
        mindmap=mind,
        terms=spellings,
        diagrams=pictures,
    )
    build.published = permalinks.published(pages, [tree.page(nid) for nid in tree.nodes] if tree is not None else [])
    if check_permalinks:
        build.moved = permalinks.check_manifest(data_dir, build.published, index)
    return build


#: Data files without which the site would be built wrong rather than not at
#: all (no glossary tooltips, no spelling checks, no search synonyms): their
#: absence stops the build. The decision tree, mind map and diagrams are
#: optional: a page that uses one of them says so through its marker.
REQUIRED = ("sources.yml", "tags.yml", "glossary.yml", "terms.yml", "synonyms.yml", "query_words.yml")  # permalinks.yml: kb.permalinks (make manifest writes the first one)


def check_required_files(data_dir: Path) -> None:
    for name in REQUIRED:
        path = data_dir / name
        if not path.is_file():
            read_text(path, f"data/{name}")  # raises the located message (missing, or a folder)
            raise DataError(f"data/{name}", "this is not a regular file", fix=f"restore it from git: git checkout -- data/{name}", zh="这不是一个普通文件", zh_fix=f"从 git 恢复它：git checkout -- data/{name}")


def check_page_meta_and_ids(page: Page, schema: dict, tags, sources) -> None:
    content.check_page_meta(page, schema, tags, sources)
    check_heading_ids(page)


_current: tuple[object, Build] | None = None


def remember(config: object, build: Build) -> None:
    """Keep the prepared build for the other hooks of the same build."""
    global _current
    _current = (config, build)


def current(config: object) -> Build:
    if _current is None or _current[0] is not config:
        raise RuntimeError("kb.build.prepare() has not run for this build: hooks/content.py must be the first hook in mkdocs.yml")
    return _current[1]


def forget() -> None:
    global _current
    _current = None
