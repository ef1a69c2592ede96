"""Published URLs are a contract: data/permalinks.yml lists them, builds hold to it.

The manifest lists every page URL and every checklist item anchor. A URL or
anchor that disappears stops the build unless ``moved:`` says where it went;
moved pages get a redirect page, moved anchors stay as a second id on the new
item. ``make manifest`` rewrites the list after pages or items are added.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from . import checklists
from .errors import DataError
from .pages import page_url
from .yamlio import load_yaml

if TYPE_CHECKING:
    from .build import Build

MANIFEST = "permalinks.yml"
HEADER = """\
# 已发布的网址和清单条目锚点：别人已经把这些链接发到群里了。
# 构建时检查：这里的网址或锚点消失会让构建停下。
# 页面或条目改名：在 moved 里写「旧 → 新」，站点会自动跳转（页面）或保留旧锚点（条目）。
# 新增页面或条目后运行 `make manifest` 更新这个文件（会保留 moved）。
"""


def published(build: Build) -> dict[str, list[str]]:
    """URL -> the checklist item anchors it publishes (empty for other pages)."""
    urls: dict[str, list[str]] = {}
    for rel, page in build.pages.items():
        if rel == "404.md":
            continue
        anchors = sorted(checklists.item_anchors(page)) if checklists.is_checklist(page) else []
        urls["/" + page_url(rel)] = anchors
    if build.tree is not None:
        for nid in build.tree.nodes:
            urls["/" + page_url(build.tree.page(nid))] = []
    return dict(sorted(urls.items()))


def load_manifest(data_dir: Path) -> tuple[dict, object]:
    path = data_dir / MANIFEST
    if not path.exists():
        return {"pages": {}, "moved": {}}, None
    data, lines = load_yaml(path, f"data/{MANIFEST}")
    if not isinstance(data, dict) or set(data) - {"pages", "moved"}:
        raise DataError(f"data/{MANIFEST}", "the manifest must have only 'pages:' and 'moved:'", fix="run `make manifest` to rewrite it", line=1)
    for key in ("pages", "moved"):
        if not isinstance(data.get(key) or {}, dict):
            raise DataError(f"data/{MANIFEST}", f"'{key}:' must be a mapping of URL to value", fix="run `make manifest` to rewrite it", path=(key,), line=lines.near((key,)))
    data.setdefault("pages", {})
    data.setdefault("moved", {})
    return data, lines


def _split(url: str) -> tuple[str, str]:
    """'/checklists/launch/#x' -> ('/checklists/launch/', 'x')."""
    page, _, anchor = url.partition("#")
    return "/" + page.lstrip("/"), anchor


def check_manifest(build: Build) -> dict[str, str]:
    """Hold the site to the manifest; return its ``moved:`` with normalised URLs."""
    data, lines = load_manifest(build.data_dir)
    now = published(build)
    written = {"/" + str(k).lstrip("/"): k for k in (data["moved"] or {})}  # normalised -> as written
    moved = {norm: "/" + str(data["moved"][k]).lstrip("/") for norm, k in written.items()}
    rel = f"data/{MANIFEST}"
    for old, new in moved.items():
        page, anchor = _split(str(new))
        if page not in now or (anchor and anchor not in now[page] and anchor not in build.index.anchors(_rel_of(build, page))):
            raise DataError(rel, f"'{old}' is said to have moved to '{new}', which does not exist", fix="point it to a published URL (and #anchor)", path=("moved", written[old]), line=lines.near(("moved", written[old])) if lines else None)
    for url, anchors in (data["pages"] or {}).items():
        if url not in now and url not in moved:
            raise DataError(
                rel,
                f"the published page '{url}' no longer exists",
                fix=f"restore it, or add under moved: '{url}': '<new url>' so old links redirect",
                path=("pages", url),
                line=lines.near(("pages", url)) if lines else None,
            )
        for anchor in anchors or []:
            key = f"{url}#{anchor}"
            if url in now and anchor not in now[url] and key not in moved:
                raise DataError(
                    rel,
                    f"the checklist item '{key}' no longer exists",
                    fix=f"keep the item id, or add under moved: '{key}': '{url}#<new id>' so old links still land on it",
                    path=("pages", url),
                    line=lines.near(("pages", url)) if lines else None,
                )
    return moved


def _rel_of(build: Build, url: str) -> str:
    for rel in build.pages:
        if "/" + page_url(rel) == url:
            return rel
    return ""


def moved_anchors(build: Build, page_rel: str) -> dict[str, list[str]]:
    """new anchor -> old anchors kept on this page (from ``moved:``)."""
    url = "/" + page_url(page_rel)
    out: dict[str, list[str]] = {}
    for old, new in build.moved.items():
        old_page, old_anchor = _split(str(old))
        new_page, new_anchor = _split(str(new))
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
    data, _lines = load_manifest(data_dir)
    maps = {}
    for old, new in (data["moved"] or {}).items():
        old_page, old_anchor = _split(str(old))
        if old_anchor:
            continue
        maps[_md_path(old_page, docs_dir)] = _md_path(str(new), docs_dir)
    return maps


def render_manifest(build: Build) -> str:
    import yaml

    data, _lines = load_manifest(build.data_dir)
    body = yaml.safe_dump({"pages": published(build), "moved": data["moved"] or {}}, allow_unicode=True, sort_keys=False, width=100)
    return HEADER + body
