"""Read the Markdown pages once per build: front matter, explicit ids, links.

The URL contract says every heading carries an explicit ASCII id
(``## 怎么做 {#how}``), so the anchors a page publishes can be read from its
source before anything is rendered. That lets data files be checked against
pages in ``on_pre_build``, before the old ``site/`` is cleaned.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DataError
from .yamlio import Lines, check_characters, parse_yaml, read_text

FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*\n", re.S)
HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*$")
ATTR_LIST = re.compile(r"\{:?([^}\n]*)\}\s*$")
ATTR_ID = re.compile(r"(?:^|\s)#([A-Za-z][\w\-]*)")
HTML_ID = re.compile(r"""\sid=["']([^"']+)["']""")
FENCE = re.compile(r"^\s*(```|~~~)")
ANCHOR_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass
class Page:
    """One Markdown file under docs/ as the build sees it before rendering."""

    rel: str  # docs-relative POSIX path, e.g. "tactics/seed-users.md"
    meta: dict
    lines: Lines  # YAML paths of the front matter -> line numbers in the file
    body: str
    body_offset: int = 0  # lines of front matter before the body
    anchors: set[str] = field(default_factory=set)
    headings: list[tuple[int, int, str, str | None]] = field(default_factory=list)  # (line, level, text, id)

    @property
    def title(self) -> str:
        return str(self.meta.get("title") or "")


def split_front_matter(text: str, rel: str) -> tuple[dict, Lines, str, int]:
    """Return (meta, lines, body, number of lines before the body)."""
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, Lines(), text, 0
    meta, lines = parse_yaml(match.group(1) or "", rel, line_offset=1)
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise DataError(rel, "the front matter is not a mapping of keys to values", fix="write 'title: ...' style lines between the two '---' lines", line=2, zh="页面开头的 front matter 不是「字段: 值」的形式", zh_fix="在两行 --- 之间写 title: …、description: … 这样的行")
    return meta, lines, text[match.end():], match.group(0).count("\n")


def parse_page(text: str, rel: str) -> Page:
    """Front matter plus the headings and ids the page publishes (``rel`` is docs-relative)."""
    meta, lines, body, offset = split_front_matter(text, f"docs/{rel}")
    # Control, zero-width and direction characters in the text, like in data.
    check_characters(body, f"docs/{rel}", offset)
    page = Page(rel=rel, meta=meta, lines=lines, body=body, body_offset=offset)
    in_fence = False
    for number, line in enumerate(body.splitlines(), start=offset + 1):
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        heading = HEADING.match(line)
        if heading:
            text_part = heading.group(2)
            anchor = None
            attrs = ATTR_LIST.search(text_part)
            if attrs:
                found = ATTR_ID.search(attrs.group(1))
                anchor = found.group(1) if found else None
                text_part = text_part[: attrs.start()].rstrip()
            page.headings.append((number, len(heading.group(1)), text_part, anchor))
            if anchor:
                page.anchors.add(anchor)
            continue
        attrs = ATTR_LIST.search(line)
        if attrs:
            found = ATTR_ID.search(attrs.group(1))
            if found:
                page.anchors.add(found.group(1))
        for html_id in HTML_ID.findall(line):
            page.anchors.add(html_id)
    return page


def check_heading_ids(page: Page) -> None:
    """Every ## heading and below needs an explicit, readable ASCII id."""
    for line, level, text, anchor in page.headings:
        if level == 1:
            continue
        if anchor is None:
            raise DataError(
                f"docs/{page.rel}",
                f"the heading '{text}' has no explicit id",
                fix="add a stable ASCII id at the end of the heading, e.g. '## 怎么做 {#how}'; links to it depend on it",
                line=line,
                zh=f"标题「{text}」没有写固定的 id",
                zh_fix="在标题末尾加一个英文 id，例如 ## 怎么做 {#how}；别人的链接靠它",
            )
        if not ANCHOR_ID.match(anchor):
            raise DataError(
                f"docs/{page.rel}",
                f"the heading id '{anchor}' is not lowercase ASCII words joined by hyphens",
                fix="use an id like 'seed-users' (a-z, 0-9, '-')",
                line=line,
                zh=f"标题 id「{anchor}」不是用连字符连起来的小写英文单词",
                zh_fix="写成 seed-users 这样的 id（只用 a-z、0-9 和 -）",
            )
    seen: dict[str, int] = {}
    for line, _level, _text, anchor in page.headings:
        if anchor and anchor in seen:
            raise DataError(f"docs/{page.rel}", f"the id '{anchor}' is used twice on this page (also line {seen[anchor]})", fix="give each heading its own id", line=line, zh=f"id「{anchor}」在这页用了两次（另一处在第 {seen[anchor]} 行）", zh_fix="每个标题用自己的 id")
        if anchor:
            seen[anchor] = line


def scan_docs(docs_dir: Path) -> dict[str, Page]:
    """All Markdown pages under ``docs_dir``, keyed by docs-relative path."""
    pages: dict[str, Page] = {}
    for path in sorted(docs_dir.rglob("*.md")):
        rel = path.relative_to(docs_dir).as_posix()
        if rel.startswith("includes/"):
            continue  # snippets, not pages
        pages[rel] = parse_page(read_text(path, f"docs/{rel}"), rel)
    return pages


def page_url(rel: str) -> str:
    """The site-relative URL of a page with directory URLs ('' for the home page)."""
    if rel == "index.md":
        return ""
    if rel.endswith("/index.md"):
        return rel[: -len("index.md")]
    return rel[: -len(".md")] + "/"


def relative_url(target: str, from_url: str) -> str:
    """A link from the page at ``from_url`` to ``target``, both directory URLs.

    Relative links keep the site working under any sub-path (``/kb/``).
    """
    base = from_url.rstrip("/") or "."
    rel = posixpath.relpath(target.rstrip("/") or ".", base)
    return "./" if rel == "." else rel + "/"


class SiteIndex:
    """Pages and their anchors, for checking and resolving links from data."""

    def __init__(self, pages: dict[str, Page]):
        self.pages = pages
        self.extra_anchors: dict[str, set[str]] = {}

    def add_page(self, rel: str, anchors: set[str] | None = None) -> None:
        """Register a page generated by a hook (it has no file in docs/)."""
        self.extra_anchors.setdefault(rel, set()).update(anchors or set())

    def add_anchors(self, rel: str, anchors: set[str]) -> None:
        self.extra_anchors.setdefault(rel, set()).update(anchors)

    def has_page(self, rel: str) -> bool:
        return rel in self.pages or rel in self.extra_anchors

    def anchors(self, rel: str) -> set[str]:
        found = set(self.extra_anchors.get(rel, set()))
        if rel in self.pages:
            found |= self.pages[rel].anchors
        return found

    def check_link(self, target: str, file: str, path: tuple = (), lines: Lines | None = None, node: str | None = None) -> str:
        """Raise a located DataError unless ``page.md#anchor`` exists; return it."""
        line = lines.near(path) if lines is not None else None
        if not isinstance(target, str) or not target:
            raise DataError(file, "the link target is empty", fix="write a docs-relative path such as 'tactics/seed-users.md#how'", path=path, line=line, node=node, zh="链接目标是空的", zh_fix="写一个相对 docs/ 的路径，例如 tactics/seed-users.md#how")
        rel, _, anchor = target.partition("#")
        if not self.has_page(rel):
            guess = [p for p in self.pages if p.endswith(posixpath.basename(rel))]
            hint = f"; did you mean '{guess[0]}'?" if guess else ""
            raise DataError(file, f"the link target '{rel}' is not a page of the site", fix=f"use a path relative to docs/, like 'tactics/seed-users.md'{hint}", path=path, line=line, node=node, zh=f"链接目标「{rel}」不是网站的页面", zh_fix="写相对 docs/ 的路径，例如 tactics/seed-users.md" + (f"；是不是「{guess[0]}」？" if guess else ""))
        if anchor and anchor not in self.anchors(rel):
            known = ", ".join(sorted(self.anchors(rel))) or "none"
            raise DataError(file, f"the page '{rel}' has no anchor '#{anchor}'", fix=f"use one of its ids ({known}) or link the page without '#'", path=path, line=line, node=node, zh=f"页面「{rel}」里没有锚点「#{anchor}」", zh_fix=f"用它有的 id（{known}），或者去掉 # 只链接页面")
        return target

    def label(self, target: str) -> str:
        """Link text for 'page.md#anchor': the page title, then the heading or
        checklist item the anchor names ('种子用户 › 邀请机制')."""
        rel, _, anchor = target.partition("#")
        page = self.pages.get(rel)
        if page is None:
            return rel
        if anchor:
            for _line, _level, text, heading_id in page.headings:
                if heading_id == anchor:
                    return f"{page.title} › {text}"
            for item in (page.meta.get("checklist") or {}).get("items", []):
                if item["id"] == anchor:
                    return f"{page.title} › {item['text']}"
        return page.title

    def url(self, target: str, from_rel: str) -> str:
        """Relative URL from page ``from_rel`` to ``target`` ('page.md#anchor')."""
        rel, _, anchor = target.partition("#")
        url = relative_url(page_url(rel), page_url(from_rel))
        return url + (f"#{anchor}" if anchor else "")
