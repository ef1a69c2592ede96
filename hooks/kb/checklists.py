"""Checklist pages: items in front matter, rendered with stable item anchors."""

from __future__ import annotations

from html import escape

from .errors import DataError
from .pages import Page, SiteIndex

SECTION = "checklists/"


def is_checklist(page: Page) -> bool:
    return page.rel.startswith(SECTION) and bool(page.meta.get("checklist"))


def item_anchors(page: Page) -> set[str]:
    return {item["id"] for item in page.meta.get("checklist", {}).get("items", [])}


def check_checklist(page: Page, index: SiteIndex) -> None:
    """Ids unique on the page and not clashing with headings; links resolve."""
    rel = f"docs/{page.rel}"
    seen: dict[str, int] = {}
    heading_ids = {anchor for *_rest, anchor in page.headings if anchor}
    for i, item in enumerate(page.meta["checklist"]["items"]):
        path = ("checklist", "items", i, "id")
        if item["id"] in seen:
            raise DataError(rel, f"the item id '{item['id']}' is used twice (also item {seen[item['id']]})", fix="each item needs its own id; people link to it", path=path, line=page.lines.near(path), zh=f"条目 id「{item['id']}」用了两次（另一处是第 {seen[item['id']] + 1} 条）", zh_fix="每一条用自己的 id：别人会链接到它")
        if item["id"] in heading_ids:
            raise DataError(rel, f"the item id '{item['id']}' is also a heading id on this page", fix="rename the item id or the heading id", path=path, line=page.lines.near(path), zh=f"条目 id「{item['id']}」和本页一个标题的 id 重了", zh_fix="给条目或标题换一个 id")
        seen[item["id"]] = i
        index.check_link(item["see"], rel, ("checklist", "items", i, "see"), page.lines)
    if "<!-- kb:checklist -->" not in page.body:
        raise DataError(rel, "the page has checklist items but no place to show them", fix="add a line '<!-- kb:checklist -->' to the body where the list belongs", line=page.lines.near(("checklist",)), zh="这页有清单条目，但正文里没有放清单的位置", zh_fix="在正文里清单该出现的地方加一行 <!-- kb:checklist -->")


def render_checklist(page: Page, index: SiteIndex, old_anchors: dict[str, list[str]] | None = None) -> str:
    """The items as an ordered list; ``old_anchors`` keeps renamed ids working."""
    items = page.meta["checklist"]["items"]
    old_anchors = old_anchors or {}
    key = page.rel[: -len(".md")]
    out = []
    for item in items:
        iid = escape(item["id"])
        see = escape(index.url(item["see"], page.rel))
        out.append(
            f'<li class="kb-check" id="{iid}">'
            + "".join(f'<span class="kb-old-anchor" id="{escape(old)}"></span>' for old in old_anchors.get(item["id"], []))
            + f'<input class="kb-check__box" type="checkbox" id="kb-box-{iid}" disabled>'
            f'<label class="kb-check__text" for="kb-box-{iid}">{escape(item["text"])}</label>'
            f'<a class="kb-check__link" href="#{iid}" title="本条的链接" aria-label="本条的链接：{escape(item["text"])}">#</a>'
            f'<p class="kb-check__why">{escape(item["why"])} '
            # the other page's title is furniture here: kept out of search, where it made
            # the checklist outrank the page it points to
            f'<a href="{see}" data-search-exclude>详见：{escape(index.label(item["see"]))}</a></p>'
            "</li>"
        )
    return (
        f'<div class="kb-checklist" data-kb-checklist="{escape(key)}" data-kb-title="{escape(page.title)}">'
        f'<p class="kb-checklist__count" data-search-exclude>共 {len(items)} 项</p>'
        f'<ol class="kb-checklist__items">{"".join(out)}</ol></div>'
    )


def render_checklist_index(pages: dict[str, Page], order: list[str], index: SiteIndex, from_rel: str) -> str:
    rows = []
    for rel in order:
        page = pages.get(rel)
        if page is None or not is_checklist(page):
            continue
        checklist = page.meta["checklist"]
        rows.append(
            f'<li><a href="{escape(index.url(rel, from_rel))}"><strong>{escape(page.title)}</strong></a>'
            f'（{len(checklist["items"])} 项）<br><span class="kb-when">什么时候用：{escape(checklist["when"])}</span></li>'
        )
    return f'<ol class="kb-checklist-index">{"".join(rows)}</ol>'
