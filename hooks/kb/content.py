"""Pages' shared furniture: tags vocabulary, sources, glossary, related pages.

Loaders return plain data and raise ``DataError``; renderers return HTML or
Markdown strings in which every value from data or front matter is escaped.
"""

from __future__ import annotations

import heapq
import posixpath
import re
from dataclasses import dataclass
from html import escape
from pathlib import Path

from .errors import DataError
from .pages import Page, SiteIndex
from .yamlio import load_schema, load_yaml, validate_schema

#: Sections whose pages are knowledge content and must cite their sources.
CONTENT_SECTIONS = ("basics/", "tactics/", "cases/", "checklists/", "platforms/")
FOOTNOTE_REF = re.compile(r"\[\^([0-9]{3})\]")
SOURCES_PAGE = "sources.md"
GLOSSARY_PAGE = "glossary.md"


@dataclass(frozen=True)
class Tag:
    name: str
    group: str
    description: str
    en: tuple[str, ...] = ()  # English names, for search


def load_tags(data_dir: Path) -> dict[str, Tag]:
    rel = "data/tags.yml"
    data, lines = load_yaml(data_dir / "tags.yml", rel)
    validate_schema(data, load_schema(data_dir / "schemas" / "tags.schema.json"), rel, lines)
    tags: dict[str, Tag] = {}
    for g, group in enumerate(data["groups"]):
        for t, tag in enumerate(group["tags"]):
            if tag["name"] in tags:
                path = ("groups", g, "tags", t, "name")
                raise DataError(rel, f"the tag '{tag['name']}' is listed twice", fix="keep it in one group only", path=path, line=lines.near(path), zh=f"标签「{tag['name']}」列了两次", zh_fix="只留在一个分组里")
            tags[tag["name"]] = Tag(tag["name"], group["name"], tag["description"], tuple(tag.get("en") or ()))
    return tags


def load_sources(data_dir: Path) -> dict[str, dict]:
    rel = "data/sources.yml"
    data, lines = load_yaml(data_dir / "sources.yml", rel)
    validate_schema(data, load_schema(data_dir / "schemas" / "sources.schema.json"), rel, lines)
    sources: dict[str, dict] = {}
    for i, source in enumerate(data["sources"]):
        if source["id"] in sources:
            raise DataError(rel, f"the source id '{source['id']}' is used twice", fix="give each source its own id", path=("sources", i, "id"), line=lines.near(("sources", i, "id")), zh=f"资料编号「{source['id']}」用了两次", zh_fix="每份资料用自己的编号")
        sources[source["id"]] = source
    return sources


def load_glossary(data_dir: Path, sources: dict[str, dict], index: SiteIndex) -> list[dict]:
    rel = "data/glossary.yml"
    data, lines = load_yaml(data_dir / "glossary.yml", rel)
    validate_schema(data, load_schema(data_dir / "schemas" / "glossary.schema.json"), rel, lines)
    seen_ids: set[str] = set()
    seen_terms: set[str] = set()
    for i, term in enumerate(data["terms"]):
        if term["id"] in seen_ids:
            raise DataError(rel, f"the id '{term['id']}' is used twice", fix="ids become anchors on /glossary/: make them unique", path=("terms", i, "id"), line=lines.near(("terms", i, "id")), zh=f"id「{term['id']}」用了两次", zh_fix="id 是术语表页上的锚点，不能重复")
        if term["term"] in seen_terms:
            raise DataError(rel, f"the term '{term['term']}' is defined twice", fix="merge the two entries", path=("terms", i, "term"), line=lines.near(("terms", i, "term")), zh=f"术语「{term['term']}」定义了两次", zh_fix="把两条合成一条")
        seen_ids.add(term["id"])
        seen_terms.add(term["term"])
        for j, source in enumerate(term["sources"]):
            _check_source(source, sources, rel, ("terms", i, "sources", j), lines)
        if "see" in term:
            index.check_link(term["see"], rel, ("terms", i, "see"), lines)
    return data["terms"]


def _check_source(source: str, sources: dict[str, dict], rel: str, path: tuple, lines) -> None:
    if source not in sources:
        raise DataError(rel, f"unknown source '{source}'", fix="use one of the ids in data/sources.yml: " + ", ".join(sorted(sources)), path=path, line=lines.near(path) if lines is not None else None, zh=f"没有编号为「{source}」的资料", zh_fix="用 data/sources.yml 里的编号之一：" + "、".join(sorted(sources)))


def check_page_meta(page: Page, schema: dict, tags: dict[str, Tag], sources: dict[str, dict]) -> None:
    """Front matter: required keys, tags from the vocabulary, known sources."""
    rel = f"docs/{page.rel}"
    if not page.meta:
        raise DataError(rel, "the page has no front matter", fix="start the file with '---', then title:, description:, tags:, sources:, then '---'", line=1, zh="这一页没有 front matter", zh_fix="文件第一行写 ---，接着写 title:、description:、tags:、sources:，再写一行 ---")
    validate_schema(page.meta, schema, rel, page.lines)
    for i, tag in enumerate(page.meta["tags"]):
        if tag not in tags:
            raise DataError(rel, f"the tag '{tag}' is not in the vocabulary", fix="use one of: " + "、".join(tags) + " (or add it to data/tags.yml first)", path=("tags", i), line=page.lines.near(("tags", i)), zh=f"标签「{tag}」不在标签词表里", zh_fix="用其中之一：" + "、".join(tags) + "（或者先把它加进 data/tags.yml）")
    for i, source in enumerate(page.meta["sources"]):
        _check_source(source, sources, rel, ("sources", i), page.lines)
    if page.rel.startswith(CONTENT_SECTIONS) and not page.rel.endswith("index.md") and not page.meta["sources"]:
        raise DataError(rel, "a content page must name the sources it draws on", fix="list them, e.g. sources: [\"000\", \"004\"]", path=("sources",), line=page.lines.near(("sources",)), zh="内容页要写明用到了哪些资料", zh_fix="在 sources 里列出来，例如 sources: [\"000\", \"004\"]")
    for ref in set(FOOTNOTE_REF.findall(page.body)):
        if ref not in sources:
            raise DataError(rel, f"the footnote [^{ref}] names no known source", zh=f"脚注 [^{ref}] 不对应任何资料", zh_fix="引用其中之一：" + "、".join(f"[^{s}]" for s in sorted(sources)), fix="cite one of: " + ", ".join(f"[^{s}]" for s in sorted(sources)), line=page.body_offset + page.body[: page.body.find(f"[^{ref}]")].count("\n") + 1)
        if ref not in page.meta["sources"]:
            raise DataError(rel, f"the page cites [^{ref}] but its front matter 'sources' does not list \"{ref}\"", fix=f"add \"{ref}\" to sources", path=("sources",), line=page.lines.near(("sources",)), zh=f"页面引用了 [^{ref}]，但 front matter 的 sources 里没有 \"{ref}\"", zh_fix=f"在 sources 里加上 \"{ref}\"")


def source_footnotes(markdown: str, sources: dict[str, dict], index: SiteIndex, from_rel: str) -> str:
    """Footnote definitions for the ``[^000]`` references a page uses."""
    used = sorted(set(FOOTNOTE_REF.findall(markdown)))
    lines = []
    for ref in used:
        source = sources[ref]
        # A Markdown link to the .md file: MkDocs resolves and checks it.
        url = posixpath.relpath(SOURCES_PAGE, posixpath.dirname(from_rel) or ".") + f"#src-{ref}"
        # The footnote carries the full citation; the text names the source by its short name.
        lines.append(f"[^{ref}]: {_md_escape(source['name'])}：[《{_md_escape(source['title'])}》]({url})，{_md_escape(source['kind'])}")
    return "\n\n" + "\n".join(lines) + "\n" if lines else ""


def _md_escape(text: str) -> str:
    """Escape text placed inside Markdown so it stays literal text."""
    text = escape(text, quote=False)
    return re.sub(r"([\\`*_\[\]{}!|])", r"\\\1", text)


def render_source_line(meta: dict, sources: dict[str, dict], index: SiteIndex, from_rel: str) -> str:
    ids = meta.get("sources") or []
    if not ids:
        return ""
    links = "、".join(
        f'<a href="{escape(index.url(f"{SOURCES_PAGE}#src-{sid}", from_rel))}">{escape(sources[sid]["name"])}</a>'
        for sid in ids
    )
    return f'<p class="kb-sources" id="kb-sources" data-search-exclude="true">来源：{links}</p>'


class RelatedIndex:
    """Pages that share tags, found through a tag -> pages map built once.

    Ranking the pages that share a tag costs O(pages), so doing it for every
    page made the build quadratic. Pages with the same tags in the same section
    get the same ranking (less themselves), so it is done once per distinct
    (tags, section): with a controlled tag vocabulary that number stays small.
    """

    def __init__(self, pages: dict[str, Page], order: list[str]):
        position = {rel: i for i, rel in enumerate(order)}
        self.pages = {rel: p for rel, p in pages.items() if rel.startswith(CONTENT_SECTIONS) and not rel.endswith("index.md")}
        self.position = {rel: position.get(rel, len(order)) for rel in self.pages}
        self.by_tag: dict[str, list[str]] = {}
        for rel, page in self.pages.items():
            for tag in page.meta.get("tags") or []:
                self.by_tag.setdefault(tag, []).append(rel)
        self._ranked: dict[tuple, list[tuple[str, list[str]]]] = {}

    def related(self, rel: str, limit: int = 6) -> list[tuple[str, list[str]]]:
        page = self.pages.get(rel)
        if page is None:
            return []
        tags = tuple(page.meta.get("tags") or [])
        section = rel.split("/", 1)[0]
        key = (tags, section, limit)
        if key not in self._ranked:
            # One more than needed: the page itself is among them.
            self._ranked[key] = self._rank(tags, section, limit + 1)
        return [(other, list(shared)) for other, shared in self._ranked[key] if other != rel][:limit]

    def _rank(self, tags: tuple, section: str, count: int) -> list[tuple[str, list[str]]]:
        shared: dict[str, list[str]] = {}
        for tag in tags:
            for other in self.by_tag.get(tag, []):
                shared.setdefault(other, []).append(tag)

        def rank(other: str) -> tuple:
            # More shared tags first; then other sections (variety), then nav order.
            return (-len(shared[other]), other.split("/", 1)[0] == section, self.position[other])

        return [(other, shared[other]) for other in heapq.nsmallest(count, shared, key=rank)]


def render_related(related: list[tuple[str, list[str]]], pages: dict[str, Page], index: SiteIndex, from_rel: str) -> str:
    if not related:
        return ""
    items = "".join(
        f'<li><a href="{escape(index.url(other, from_rel))}">{escape(pages[other].title)}</a>'
        f' <span class="kb-related__tags">{escape("、".join(tags))}</span></li>'
        for other, tags in related
    )
    return f'<nav class="kb-related" aria-labelledby="kb-related-title" data-search-exclude="true"><h2 id="kb-related-title">相关页面</h2><ul>{items}</ul></nav>'


def source_name(sid: str, sources: dict[str, dict]) -> str:
    """The name a reader sees for a source (「思维导图」), never its bare file code."""
    return sources[sid]["name"]


def render_glossary(terms: list[dict], index: SiteIndex, from_rel: str, sources: dict[str, dict]) -> str:
    rows = []
    for term in sorted(terms, key=lambda t: t["term"].lower()):
        extra = ""
        if term.get("aliases"):
            extra += f'<span class="kb-glossary__aliases">也叫：{escape("、".join(term["aliases"]))}</span>'
        if term.get("see"):
            extra += f' <a href="{escape(index.url(term["see"], from_rel))}">详见</a>'
        cites = "".join(f'<a href="{escape(index.url(f"{SOURCES_PAGE}#src-{s}", from_rel))}">[{escape(source_name(s, sources))}]</a>' for s in term["sources"])
        rows.append(
            f'<dt id="{escape(term["id"])}">{escape(term["term"])}</dt>'
            f'<dd><p>{escape(term["definition"])} <span class="kb-cite">{cites}</span></p>'
            + (f"<p>{extra}</p>" if extra else "")
            + "</dd>"
        )
    return f'<dl class="kb-glossary">{"".join(rows)}</dl>'


def render_sources_page(sources: dict[str, dict], pages: dict[str, Page], index: SiteIndex, from_rel: str) -> str:
    """One section per source, with the pages that cite it."""
    citing: dict[str, list[str]] = {sid: [] for sid in sources}
    for rel, page in pages.items():
        for sid in page.meta.get("sources") or []:
            if sid in citing:
                citing[sid].append(rel)
    out = []
    for sid, source in sources.items():
        gaps = "".join(f"<li>{escape(g)}</li>" for g in source.get("gaps", []))
        used = "、".join(f'<a href="{escape(index.url(rel, from_rel))}">{escape(pages[rel].title)}</a>' for rel in citing[sid])
        out.append(
            f'<section class="kb-source" aria-labelledby="src-{escape(sid)}">'
            f'<h2 id="src-{escape(sid)}">{escape(source["name"])}</h2>'
            f'<dl><dt>全名</dt><dd>《{escape(source["title"])}》</dd>'
            f'<dt>编号和文件</dt><dd>{escape(sid)}（脚注里的编号），<code>{escape(source["file"])}</code></dd>'
            f'<dt>类型</dt><dd>{escape(source["kind"])}</dd>'
            f'<dt>贡献了什么</dt><dd>{escape(source["contributes"])}</dd>'
            + (f"<dt>已知缺口</dt><dd><ul>{gaps}</ul></dd>" if gaps else "")
            + (f"<dt>引用它的页面（{len(citing[sid])}）</dt><dd>{used}</dd>" if used else "")
            + "</dl></section>"
        )
    return "".join(out)


CASE_COLUMNS = (
    ("community_type", "社群类型"),
    ("platform", "平台"),
    ("threshold", "入群门槛"),
    ("core_size", "核心规模"),
    ("monetization", "变现方式"),
)


def render_case_table(pages: dict[str, Page], order: list[str], index: SiteIndex, from_rel: str) -> str:
    """Compare the case pages from their ``case:`` front matter (typed once)."""
    cases = [rel for rel in order if rel.startswith("cases/") and pages[rel].meta.get("case")]
    head = "".join(f'<th scope="col">{label}</th>' for _key, label in CASE_COLUMNS)
    rows = []
    for rel in cases:
        case = pages[rel].meta["case"]
        cells = "".join(f"<td>{escape(case[key])}</td>" for key, _label in CASE_COLUMNS)
        rows.append(f'<tr><th scope="row"><a href="{escape(index.url(rel, from_rel))}">{escape(case["name"])}</a></th>{cells}</tr>')
    return (
        '<div class="kb-table-scroll" tabindex="0" role="region" aria-label="案例对比表（可横向滚动）">'
        f'<table class="kb-table"><caption>案例一览：社群类型、平台、门槛、规模与变现</caption>'
        f'<thead><tr><th scope="col">案例</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
    )


#: Pagefind weight of the 「遇到这些情况看这一页」 block: the reader's own
#: situation, said as the reader says it, names the page as well as its headings
#: do (h2 = 6, h1 = 7 in Pagefind's defaults), so it weighs like an h2.
QUESTIONS_WEIGHT = 6


def render_questions(questions, what: str = "这一页") -> str:
    """「遇到这些情况看这一页」: the situations a page or a navigator step answers,
    as an operator would say them (``questions:`` in front matter or in
    data/decision_tree.yml). Shown at the top for the browsing reader; a field
    of its own for search (weighted, and matched as a phrase by search.js)."""
    if not questions:
        return ""
    items = "".join(f"<li>{escape(q)}</li>" for q in questions)
    return (
        f'<aside class="kb-situations" data-kb-situations data-pagefind-weight="{QUESTIONS_WEIGHT}" aria-label="遇到这些情况看{what}">'
        f'<p class="kb-situations__head">遇到这些情况，看{what}：</p><ul>{items}</ul></aside>'
    )


#: Pagefind weight of a page's English terms. Pagefind squares a weight, so 4
#: counts a third of an alias (7), as a character pair counts a third of a word
#: in search.js (BIGRAM_FACTOR): both are matched loosely (English by stem and
#: by prefix: chat also meets chatter). Measured in bench/README.md.
ENGLISH_WEIGHT = 4


def render_aliases(meta: dict) -> str:
    """The page's aliases, shown small under the content and indexed by search,
    and its English terms (``en:``), indexed but not shown: search.js turns an
    English term it knows into the page's Chinese words; a word it does not
    know (growing, monetizing) is looked up in the index, where Pagefind's own
    English stemmer meets the page's term (growth, monetization)."""
    aliases = [str(a) for a in meta.get("aliases") or []]
    english = [str(e) for e in meta.get("en") or []]  # a list (data/schemas/page.schema.json)
    if not aliases and not english:
        return ""
    shown = f"也可以搜：{escape('、'.join(aliases))}" if aliases else ""
    hidden = f'<span hidden lang="en" data-pagefind-weight="{ENGLISH_WEIGHT}">{escape(", ".join(english))}</span>' if english else ""
    # Weighted like a title in Pagefind: another name for the page.
    return f'<p class="kb-aliases" data-pagefind-weight="7"{"" if aliases else " hidden"}>{shown}{hidden}</p>'
