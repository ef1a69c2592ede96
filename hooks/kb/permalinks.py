"""Published URLs are a contract: data/permalinks.yml lists them, builds hold to it.

The manifest lists every page URL and every checklist item anchor the site
has published. It only grows: ``make manifest`` adds what is new and never
drops an entry. A listed URL or anchor that the site no longer publishes
stops the build unless ``moved:`` says where it went (moved pages get a
redirect page, moved anchors stay as a second id on the new item) or
``removed:`` says why it is gone. A missing manifest stops the build too.

The functions take plain values (pages, URLs, the site index), not the
``Build`` of kb.build, so kb.build imports this module and not the reverse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import yaml

from . import checklists
from .errors import DataError
from .pages import Page, SiteIndex, page_url
from .yamlio import Lines, load_schema, load_yaml, validate_schema

MANIFEST = "permalinks.yml"
REL = f"data/{MANIFEST}"
SCHEMA = "permalinks.schema.json"
HEADER = """\
# yaml-language-server: $schema=schemas/permalinks.schema.json
# 已发布的网址和清单条目锚点：别人已经把这些链接发到群里了。这个文件只增不减。
# 构建时检查：这里的网址或锚点不再发布，又没有写进 moved 或 removed，构建会停下。
# 页面或条目改名：在 moved 里写「旧 → 新」，站点会自动跳转（页面）或保留旧锚点（条目）。
# 页面或条目删除：在 removed 里写「网址: 删除原因」。
# 新增页面或条目后运行 `make manifest` 把它们加进来（已有的条目、moved 和 removed 都会保留）。
"""


@dataclass
class Manifest:
    pages: dict[str, list[str]]  # URL -> item anchors, as listed
    moved: dict[str, str] = field(default_factory=dict)  # normalised old -> normalised new
    removed: dict[str, str] = field(default_factory=dict)  # normalised URL (or URL#anchor) -> why
    written: dict[tuple[str, str], str] = field(default_factory=dict)  # (section, normalised) -> key as written
    lines: Lines = field(default_factory=Lines)
    raw: dict = field(default_factory=dict)  # the file's data as written

    def line(self, section: str, norm: str) -> int | None:
        return self.lines.near((section, self.written.get((section, norm), norm)))

    def path(self, section: str, norm: str) -> tuple:
        return (section, self.written.get((section, norm), norm))


def published(pages: dict[str, Page], generated: Iterable[str] = ()) -> dict[str, list[str]]:
    """URL -> the checklist item anchors it publishes (empty for other pages).

    ``generated`` are the docs-relative paths of pages hooks add (navigator nodes)."""
    urls: dict[str, list[str]] = {}
    for rel, page in pages.items():
        if rel == "404.md":
            continue
        anchors = sorted(checklists.item_anchors(page)) if checklists.is_checklist(page) else []
        urls["/" + page_url(rel)] = anchors
    for rel in generated:
        urls["/" + page_url(rel)] = []
    return dict(sorted(urls.items()))


def _norm(url: object) -> str:
    return "/" + str(url).lstrip("/")


def _split(url: str) -> tuple[str, str]:
    """'/checklists/launch/#x' -> ('/checklists/launch/', 'x')."""
    page, _, anchor = url.partition("#")
    return "/" + page.lstrip("/"), anchor


def load_manifest(data_dir: Path) -> Manifest:
    """Read and check the shape of data/permalinks.yml; a missing file is an error."""
    path = data_dir / MANIFEST
    if not path.exists():
        raise DataError(
            REL,
            "the manifest of published URLs is missing, so the build cannot tell whether a published link broke",
            fix="restore it from git (git checkout -- data/permalinks.yml), or run `make manifest` to write it from the current site",
            zh="缺少已发布链接清单 data/permalinks.yml，构建没法判断有没有发出去的链接断了",
            zh_fix="从 git 恢复它（git checkout -- data/permalinks.yml），或者运行 make manifest 按现在的网站重新生成",
        )
    data, lines = load_yaml(path, REL)
    validate_schema(data, load_schema(data_dir / "schemas" / SCHEMA), REL, lines)
    manifest = Manifest(pages={}, lines=lines, raw=data)
    for url, anchors in data["pages"].items():
        manifest.pages[_norm(url)] = list(anchors)
        manifest.written[("pages", _norm(url))] = url
    for section in ("moved", "removed"):
        for key, value in (data.get(section) or {}).items():
            norm = _norm(key)
            if ("moved", norm) in manifest.written or ("removed", norm) in manifest.written:
                other = "moved" if section == "removed" else "removed"
                raise DataError(REL, f"'{key}' is listed under both moved: and removed:", fix=f"keep it under one of them (delete it from {other}: or {section}:)", path=(section, key), line=lines.near((section, key)), zh=f"「{key}」同时写在 moved: 和 removed: 下面", zh_fix=f"只留一处（从 {other}: 或 {section}: 里删掉）")
            manifest.written[(section, norm)] = key
            if section == "moved":
                manifest.moved[norm] = _norm(value)
            else:
                manifest.removed[norm] = str(value)
    return manifest


def check_manifest(data_dir: Path, now: dict[str, list[str]], index: SiteIndex) -> dict[str, str]:
    """Hold the site (``now``: URL -> anchors) to the manifest; return its
    ``moved:`` with normalised URLs."""
    manifest = load_manifest(data_dir)
    rel_of = {"/" + page_url(rel): rel for rel in index.pages}
    for old, new in manifest.moved.items():
        page, anchor = _split(new)
        if page not in now or (anchor and anchor not in now[page] and anchor not in index.anchors(rel_of.get(page, ""))):
            raise DataError(REL, f"'{old}' is said to have moved to '{new}', which does not exist", fix="point it to a published URL (and #anchor)", path=manifest.path("moved", old), line=manifest.line("moved", old), zh=f"说「{old}」搬到了「{new}」，但那个地址不存在", zh_fix="改成一个已发布的网址（可以带 #锚点）")
    listed = set(manifest.pages) | {f"{url}#{a}" for url, anchors in manifest.pages.items() for a in anchors}
    for url, why in manifest.removed.items():
        page, anchor = _split(url)
        if url not in listed:
            raise DataError(REL, f"'{url}' is listed under removed: but was never published (it is not under pages:)", fix="check the spelling against pages:, or delete the entry", path=manifest.path("removed", url), line=manifest.line("removed", url), zh=f"「{url}」写在 removed: 下面，但它从来没有发布过（pages: 里没有）", zh_fix="对照 pages: 检查拼写，或者删掉这一条")
        if page in now and (not anchor or anchor in now[page]):
            raise DataError(REL, f"'{url}' is listed under removed: but the site still publishes it", fix="delete the removed: entry, or remove the page or item", path=manifest.path("removed", url), line=manifest.line("removed", url), zh=f"「{url}」写在 removed: 下面，但网站还在发布它", zh_fix="删掉 removed: 里的这一条，或者真的删掉那个页面或条目")
        if not why.strip():
            raise DataError(REL, f"removed: '{url}' gives no reason", fix="write why it was removed, e.g. '合并进了 /tactics/fission/'", path=manifest.path("removed", url), line=manifest.line("removed", url), zh=f"removed: 里的「{url}」没写原因", zh_fix="写上为什么删，例如「合并进了 /tactics/fission/」")
    for url, anchors in manifest.pages.items():
        if url not in now:
            if url in manifest.moved or url in manifest.removed:
                continue
            raise DataError(
                REL,
                f"the published page '{url}' no longer exists",
                fix=f"restore it; or add under moved: '{url}': '<new url>' so old links redirect; or under removed: '{url}': '<why>'",
                zh=f"已发布的页面「{url}」不见了",
                zh_fix=f"把它恢复；或者在 moved: 下写 '{url}': '<新网址>'，让旧链接跳过去；或者在 removed: 下写 '{url}': '<原因>'",
                path=manifest.path("pages", url),
                line=manifest.line("pages", url),
            )
        for anchor in anchors:
            key = f"{url}#{anchor}"
            if anchor not in now[url] and key not in manifest.moved and key not in manifest.removed:
                raise DataError(
                    REL,
                    f"the checklist item '{key}' no longer exists",
                    fix=f"keep the item id; or add under moved: '{key}': '{url}#<new id>' so old links still land on it; or under removed: '{key}': '<why>'",
                    zh=f"清单条目「{key}」不见了",
                    zh_fix=f"保留这个条目 id；或者在 moved: 下写 '{key}': '{url}#<新 id>'，让旧链接还落在它上面；或者在 removed: 下写 '{key}': '<原因>'",
                    path=manifest.path("pages", url),
                    line=manifest.line("pages", url),
                )
    return manifest.moved


def moved_anchors(moved: dict[str, str], page_rel: str) -> dict[str, list[str]]:
    """new anchor -> old anchors kept on this page (from ``moved:``, normalised)."""
    url = "/" + page_url(page_rel)
    out: dict[str, list[str]] = {}
    for old, new in moved.items():
        old_page, old_anchor = _split(old)
        new_page, new_anchor = _split(new)
        if new_page == url and old_page == url and old_anchor and new_anchor:
            out.setdefault(new_anchor, []).append(old_anchor)
    return out


def _md_path(url: str, docs_dir: Path) -> str:
    """The docs path that publishes ``url`` ('tactics/x/' -> 'tactics/x.md')."""
    page, anchor = _split(url)
    stem = page.strip("/")
    candidates = [f"{stem}/index.md", f"{stem}.md"] if stem else ["index.md"]
    for candidate in candidates:
        if (docs_dir / candidate).exists():
            return candidate + (f"#{anchor}" if anchor else "")
    return candidates[-1] + (f"#{anchor}" if anchor else "")


def redirect_map(data_dir: Path, docs_dir: Path) -> dict[str, str]:
    """Page moves as mkdocs-redirects wants them: 'old.md' -> 'new.md'."""
    maps = {}
    for old, new in load_manifest(data_dir).moved.items():
        old_page, old_anchor = _split(old)
        if old_anchor:
            continue
        maps[_md_path(old_page, docs_dir)] = _md_path(new, docs_dir)
    return maps


def render_manifest(data_dir: Path, now: dict[str, list[str]]) -> str:
    """The manifest with what ``now`` publishes added: no entry is ever dropped,
    ``moved:`` and ``removed:`` are kept as written. Without a manifest, the
    current site is the first one."""
    if (data_dir / MANIFEST).exists():
        manifest = load_manifest(data_dir)
        pages = {manifest.written[("pages", url)]: list(anchors) for url, anchors in manifest.pages.items()}
        moved, removed = manifest.raw.get("moved") or {}, manifest.raw.get("removed") or {}
    else:
        pages, moved, removed = {}, {}, {}
    known = {_norm(url): url for url in pages}
    for url, anchors in now.items():
        key = known.get(url, url)
        old = pages.get(key, [])
        pages[key] = old + sorted(set(anchors) - set(old))
    pages = {url: sorted(anchors) for url, anchors in sorted(pages.items(), key=lambda kv: _norm(kv[0]))}
    body = {"pages": pages, "moved": moved, "removed": removed}
    return HEADER + yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=100)
