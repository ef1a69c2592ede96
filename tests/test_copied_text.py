"""Own words: how much of each built page is copied verbatim from a source.

For every content page, the CJK characters of the article text (the
``md-content__inner`` block, without navigation, header or footer) are read in
order, with everything that is not a CJK character dropped, so that a copy with
changed punctuation or spacing still counts. A character is *copied* when it
lies in a run of at least ``RUN`` characters that also occurs, read the same
way, in one of the five source files (source 003, in traditional characters, is
compared after OpenCC's traditional-to-simplified conversion).

Excluded, because they are citations rather than prose: the source titles as
listed in data/sources.yml (every footnote names its source by title, and one
title is 15 characters long).

Limits: ``PAGE_LIMIT`` of any page's CJK text, ``SITE_LIMIT`` over the site.

The seeds are found at $KB_SEEDS if it is set, else at ../shared/seeds beside
the project (``siteutil.seeds_dir``). Without them the test skips locally, with
one line saying where to put them, and fails in CI.
"""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from siteutil import ROOT, SEEDS_HINT, content_pages, seeds_dir

RUN = 15
PAGE_LIMIT = 0.05
SITE_LIMIT = 0.015
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def cjk_only(text: str) -> str:
    return "".join(CJK.findall(text))


def to_simplified(text: str) -> str:
    import opencc

    return opencc.OpenCC("t2s").convert(text)


def seed_runs(seeds: Path, run: int = RUN) -> set[str]:
    """Every ``run``-character window of the sources' CJK text."""
    grams: set[str] = set()
    for path in sorted(seeds.glob("00[0-4]_*.txt")):
        text = path.read_text(encoding="utf-8")
        for variant in {text, to_simplified(text)}:
            chars = cjk_only(variant)
            grams.update(chars[i : i + run] for i in range(len(chars) - run + 1))
    return grams


def copied_share(chars: str, grams: set[str], run: int = RUN) -> tuple[int, int]:
    """(copied characters, all characters) of one page's CJK text."""
    covered = [False] * len(chars)
    for i in range(len(chars) - run + 1):
        if chars[i : i + run] in grams:
            for j in range(i, i + run):
                covered[j] = True
    return sum(covered), len(chars)


class _Article(HTMLParser):
    """The text inside <article class="md-content__inner ...">, without scripts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if self.depth:
            if tag not in ("br", "img", "hr", "input", "meta", "link", "wbr", "source"):
                self.depth += 1
            if tag in ("script", "style"):
                self.skip += 1
        elif tag == "article" and "md-content__inner" in classes:
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth:
            if tag in ("script", "style") and self.skip:
                self.skip -= 1
            self.depth -= 1

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.parts.append(data)


def article_text(path: Path) -> str:
    parser = _Article()
    parser.feed(path.read_text(encoding="utf-8"))
    return "\n".join(parser.parts)


def source_titles() -> list[str]:
    data = yaml.safe_load((ROOT / "data" / "sources.yml").read_text(encoding="utf-8"))
    titles = []
    for source in data["sources"]:
        title = source["title"]
        titles.append(title)
        titles.append(re.sub(r"（[^）]*）$", "", title))
    return sorted(set(titles), key=len, reverse=True)


def measure(site: Path, seeds: Path) -> list[tuple[str, int, int]]:
    grams = seed_runs(seeds)
    titles = source_titles()
    rows = []
    for page in content_pages(site):
        text = article_text(page)
        for title in titles:
            text = text.replace(title, " ")
        copied, total = copied_share(cjk_only(text), grams)
        rows.append((page.relative_to(site).as_posix(), copied, total))
    return rows


@pytest.fixture(scope="module")
def seeds() -> Path:
    found = seeds_dir()
    if found is None:
        message = SEEDS_HINT
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return found


def test_copied_share_counts_runs():
    grams = {"一二三四五"}
    assert copied_share("零一二三四五六", grams, run=5) == (5, 7)
    assert copied_share("一二三四", grams, run=5) == (0, 4)


def test_pages_are_in_own_words(built_site, seeds):
    rows = measure(built_site, seeds)
    assert len(rows) > 50
    copied = sum(c for _p, c, _t in rows)
    total = sum(t for _p, _c, t in rows)
    site_share = copied / total
    worst = sorted(rows, key=lambda r: r[1] / max(r[2], 1), reverse=True)[:8]
    report = "\n".join(f"  {c / max(t, 1):6.1%}  {c:5d}/{t:<6d} {p}" for p, c, t in worst)
    print(f"\ncopied text (runs of {RUN}+ CJK characters found in a source): site {site_share:.2%} ({copied}/{total})\n{report}")
    over = [f"{p}: {c / t:.1%} ({c} of {t} CJK characters)" for p, c, t in rows if t and c / t > PAGE_LIMIT]
    assert not over, f"pages over {PAGE_LIMIT:.0%} copied text; rewrite them in the site's own words:\n" + "\n".join(over)
    assert site_share <= SITE_LIMIT, f"site-wide copied text {site_share:.2%} > {SITE_LIMIT:.1%}:\n{report}"


def test_mind_map_nodes_point_at_real_lines_and_do_not_copy_them(seeds):
    """Each node's ``line`` is a real node of source 000 (not an empty
    「分支主题」 placeholder), and a label of six or more characters is not that
    line's text."""
    data = yaml.safe_load((ROOT / "data" / "mindmap.yml").read_text(encoding="utf-8"))
    source = next(s for s in yaml.safe_load((ROOT / "data" / "sources.yml").read_text(encoding="utf-8"))["sources"] if s["id"] == data["source"])
    lines = (seeds / source["file"]).read_text(encoding="utf-8").splitlines()
    assert source["lines"] == len(lines), f"data/sources.yml says {source['file']} has {source['lines']} lines; it has {len(lines)}"
    problems = []
    stack = list(data["children"])
    while stack:
        node = stack.pop()
        stack.extend(node.get("children", []))
        original = cjk_only(lines[node["line"] - 1])
        if not original or original == "分支主题":
            problems.append(f"{node['text']}: line {node['line']} is an empty node ({lines[node['line'] - 1]!r})")
        label = cjk_only(node["text"])
        if len(label) >= 6 and label == original:
            problems.append(f"{node['text']}: copies line {node['line']} of {source['file']}; write a short label in the site's own words")
    assert not problems, "\n".join(problems)
