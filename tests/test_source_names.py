"""Readers meet sources by name, not by file code, and tactic pages advise
rather than narrate their sources.

- No bare source code (000–004) in text a reader sees — page text, search
  excerpts, tooltips and link-card descriptions — outside the sources page and
  the footnotes, which carry the full citation.
- Narration lead-ins (a source as the subject of a sentence: 「导图把…」
  「004 认为…」「作者提到…」) stay few site-wide; the count is printed.
"""

from __future__ import annotations

import re

import yaml

from reader_text import bare_source_codes, narration_leads, reader_text
from siteutil import ROOT, content_pages, html_pages, pagefind_fragments

#: Goal of issue 21; tests/tools/count_narration.py lists each hit.
NARRATION_LIMIT = 15
SOURCES_PAGE = "sources/index.html"
VISIBLE_ATTRIBUTES = re.compile(r'(?:title|alt|aria-label|content)="([^"]*)"')


def test_patterns():
    assert bare_source_codes("新人第一眼就看到规矩（000）。") and bare_source_codes("004 认为")
    assert not bare_source_codes("2000 人的超级群") and not bare_source_codes("早上 10:00 开始") and not bare_source_codes("1000 人")
    assert narration_leads("导图把群主定为核心") and narration_leads("004 认为入群申请") and narration_leads("作者提到线下")
    assert narration_leads("《一个群多少人最好》也说微信群") and narration_leads("导图在「营销阵地」里提醒：")
    assert not narration_leads("资料没有说") and not narration_leads("群主要带头执行群规")


def test_every_source_has_a_reader_facing_name():
    sources = yaml.safe_load((ROOT / "data" / "sources.yml").read_text(encoding="utf-8"))["sources"]
    names = [s["name"] for s in sources]
    assert len(set(names)) == len(names)
    assert all(not re.search(r"[0-9]", n) for n in names)


def test_reader_text_has_no_bare_source_codes(built_site):
    found = []
    for page in content_pages(built_site):
        rel = page.relative_to(built_site).as_posix()
        if rel == SOURCES_PAGE:
            continue
        for hit in bare_source_codes(reader_text(page)):
            found.append(f"{rel}: …{hit}…")
    for page in html_pages(built_site):
        rel = page.relative_to(built_site).as_posix()
        if rel == SOURCES_PAGE:
            continue
        for value in VISIBLE_ATTRIBUTES.findall(page.read_text(encoding="utf-8")):
            for hit in bare_source_codes(value):
                found.append(f"{rel} (attribute): …{hit}…")
    assert not found, "source codes where a reader sees them; use the source's name from data/sources.yml:\n" + "\n".join(found[:40])


def test_search_excerpts_have_no_bare_source_codes(built_site):
    found = []
    for url, fragment in pagefind_fragments(built_site).items():
        if url.rstrip("/").endswith("sources"):
            continue
        found += [f"{url}: …{hit}…" for hit in bare_source_codes(fragment.get("content", ""))]
    assert not found, "search excerpts show source codes:\n" + "\n".join(found[:40])


def test_footnotes_carry_the_full_citation(built_site):
    html = (built_site / "tactics" / "daily-maintenance" / "index.html").read_text(encoding="utf-8")
    footnotes = html[html.index('<div class="footnote">'):]
    assert "思维导图：" in footnotes and "《社群运营营销学习笔记（思维导图）》" in footnotes
    assert 'href="../../sources/#src-000"' in footnotes
    # the page's own source line names sources by name
    line = re.search(r'<p class="kb-sources"[^>]*>(.*?)</p>', html).group(1)
    assert "思维导图" in line and not bare_source_codes(re.sub(r"<[^>]+>", "", line))


def test_narration_lead_ins_are_few(built_site):
    per_page = {}
    for page in content_pages(built_site):
        hits = narration_leads(reader_text(page))
        if hits:
            per_page[page.relative_to(built_site).as_posix()] = hits
    total = sum(len(h) for h in per_page.values())
    report = "\n".join(f"  {len(h):3d} {p}: {' | '.join(h[:3])}" for p, h in sorted(per_page.items(), key=lambda kv: -len(kv[1])))
    print(f"\nnarration lead-ins (a source as the subject): {total} on {len(per_page)} pages\n{report}")
    assert total <= NARRATION_LIMIT, f"{total} sentences lead with a source as their subject; lead with the advice and put the source in a footnote:\n{report}"
