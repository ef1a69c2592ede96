#!/usr/bin/env python3
"""Search benchmark: real queries typed into the site's search box in Chromium.

Measures, on a strict build served on 127.0.0.1:
- quality: hit@1, hit@3 and MRR (first 10 results) on the development set
  tests/search/dev-queries.tsv (written by someone who did not write the
  pages; a hit is a regex on the result's URL path or title) and on the
  project's own queries tests/search_queries.yml (split into queries that are a
  page's title or alias, which rank first by construction, and the rest);
- an ablation: the same sets without aliases (pages' alias lines removed),
  without the thesaurus (data/synonyms.yml emptied) and without the query
  layer (the raw query straight to Pagefind);
- cost: bytes transferred before the reader searches, and for the first query,
  on the real site (1x) and with the content pages copied ten times (10x):
  one keyword and one question, and every query of the development set as a
  reader's first (median, p90, largest);
  time from the last keystroke to the results shown (median and p95);
- design (b): Material's own lunr search as it was at the last release that
  used it (git commit LUNR_COMMIT), same queries, and its first-query bytes.

    .venv/bin/python bench/search.py            # everything, writes bench/results-search.json and bench/out/search.md
    .venv/bin/python bench/search.py --render   # bench/out/search.md again from bench/results-search.json
    .venv/bin/python bench/search.py --quick    # dev set and own queries on the current site only

tests/test_search_quality.py runs ``run_queries`` on the development set.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from siteutil import CHROMIUM_ARGS, StaticServer, chromium_path, mkdocs_build, project_copy_to  # noqa: E402

# The public development sets, copied from ../shared/search so a fresh clone runs them.
DEV_SET = ROOT / "tests" / "search" / "dev-queries.tsv"
DEV_SET_2 = ROOT / "tests" / "search" / "dev-queries-2.tsv"
OWN_SET = ROOT / "tests" / "search_queries.yml"
TOP = 10
COST_QUERY = "种子用户"  # the query of the cost measurement
COST_QUESTION = "群里没人说话怎么办"  # a question: it also fetches the tables (situations, pinyin, ...)
FIRST_QUERY_GOAL = 200 * 1024  # the goal for a first query at 1x
LUNR_COMMIT = "05dfe4f"  # the last commit with Material's lunr search (search-query.js)


# --- query sets --------------------------------------------------------------

@dataclass
class Query:
    q: str
    expect: str  # a regex on the result URL path or title
    kind: str = ""
    line: int = 0  # line number in its file (1-based), for the parity split of set 2


def load_dev_set(path: Path = DEV_SET) -> list[Query]:
    out, kind = [], ""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("# ---"):
            kind = line.strip("# -").strip()
            continue
        if not line.strip() or line.startswith("#"):
            continue
        q, _, expect = line.partition("\t")
        out.append(Query(q, expect.strip(), kind, number))
    return out


def load_dev_set_2(path: Path = DEV_SET_2) -> tuple[list[Query], list[Query]]:
    """Development set 2, split by the parity of its file's line numbers:
    (odd lines: studied miss by miss, even lines: only ever scored). A change
    that raises the studied half and not the scored one is fitting, not search."""
    queries = load_dev_set(path)
    return [q for q in queries if q.line % 2 == 1], [q for q in queries if q.line % 2 == 0]


def load_own_set(path: Path = OWN_SET) -> list[Query]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Query(e["q"], "|".join(re.escape(u) + "$" for u in e["expect"]), e.get("kind", "")) for e in data["queries"]]


_docs_cache: dict[Path, dict] = {}


def _docs(docs_dir: Path = ROOT / "docs") -> dict:
    """{docs-relative path: kb.pages.Page} of every page, read once (kb.pages.scan_docs)."""
    if docs_dir not in _docs_cache:
        sys.path.insert(0, str(ROOT / "hooks"))
        from kb.pages import scan_docs

        _docs_cache[docs_dir] = scan_docs(docs_dir)
    return _docs_cache[docs_dir]


def load_checklist_items(docs_dir: Path = ROOT / "docs") -> list[Query]:
    """Each checklist item (its page's front matter, as kb.pages reads it),
    asked for by its first clause, as a reader who remembers the item would
    type it; the answer is its checklist."""
    docs = _docs(docs_dir)
    from kb.pages import page_url

    out = []
    for rel, page in docs.items():
        for item in (page.meta.get("checklist") or {}).get("items", []) if rel.startswith("checklists/") else []:
            out.append(Query(re.split(r"[，：；。（]", item["text"])[0], re.escape(page_url(rel)) + "$", "checklist item"))
    return out


def load_page_aliases(docs_dir: Path = ROOT / "docs") -> list[Query]:
    """Each word a page's 「也可以搜」 line offers (its front matter's aliases,
    as kb.pages reads them), typed as it stands: the line promises the reader
    that this finds the page. The answer is any page that offers the word."""
    docs = _docs(docs_dir)
    from kb.pages import page_url

    pages: dict[str, list[str]] = {}
    for rel, page in docs.items():
        for alias in page.meta.get("aliases") or []:
            pages.setdefault(str(alias), []).append(page_url(rel))
    return [Query(alias, "|".join("^" + re.escape(u) + "$" for u in urls), "alias") for alias, urls in pages.items()]


_names_cache: set[str] = set()


def title_or_alias(query: str) -> bool:
    """True when the query is, verbatim, a page's title or one of its aliases."""
    if not _names_cache:
        _names_cache.update(str(n).lower() for page in _docs().values()
                            for n in [page.meta.get("title", ""), *(page.meta.get("aliases") or [])])
    return query.strip().lower() in _names_cache


# --- running queries in the browser -------------------------------------------

PAGEFIND_UI = {
    "box": "[data-kb-search-query]",
    "event": "kb-search-results",
    "pages": ".md-search-result__list > .kb-search-page > ol > li:first-child a",
}

WAIT_RESULTS = """(q) => { window.__kbWait = new Promise((resolve) => {
  const form = document.forms.namedItem('kb-search');
  const handler = (ev) => { if (ev.detail.query === q.trim()) { form.removeEventListener('kb-search-results', handler); resolve(ev.detail); } };
  form.addEventListener('kb-search-results', handler);
}); }"""


# Results after the first batch are fetched when the reader scrolls to them
# (search.js, FIRST_BATCH): ask for them, so that MRR is over the first TOP.
LOAD_REST = """async () => {
  const next = document.querySelector('.kb-search-next');
  if (!next || !next.kbLoad) return;
  const form = document.forms.namedItem('kb-search');
  await new Promise((resolve) => { form.addEventListener('kb-search-more', resolve, { once: true }); next.kbLoad(); });
}"""


@dataclass
class Outcome:
    q: str
    kind: str
    expect: str
    results: list[str]  # "path | title" of the ranked pages
    rank: int | None  # 1-based rank of the first hit in the top TOP
    ms: float


@dataclass
class Score:
    n: int
    hit1: float
    hit3: float
    mrr: float
    empty: int
    misses: list[str] = field(default_factory=list)
    ms_median: float | None = None
    ms_p95: float | None = None


def _hit(expect: str, entry: str) -> bool:
    pattern = re.compile(expect)
    path, _, title = entry.partition(" | ")
    return bool(pattern.search(path) or pattern.search(title))


def score(outcomes: list[Outcome]) -> Score:
    n = len(outcomes) or 1
    times = sorted(o.ms for o in outcomes if o.ms is not None)
    return Score(
        n=len(outcomes),
        hit1=sum(1 for o in outcomes if o.rank == 1) / n,
        hit3=sum(1 for o in outcomes if o.rank and o.rank <= 3) / n,
        mrr=sum(1 / o.rank for o in outcomes if o.rank) / n,
        empty=sum(1 for o in outcomes if not o.results),
        misses=[o.q for o in outcomes if not (o.rank and o.rank <= 3)],
        ms_median=round(statistics.median(times), 1) if times else None,
        ms_p95=round(times[max(0, int(len(times) * 0.95) - 1)], 1) if times else None,
    )


def open_browser(pw):
    return pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)


def run_queries(page, base_url: str, queries: list[Query]) -> list[Outcome]:
    """Type each query into the search box of ``base_url`` and read the ranked pages."""
    page.goto(base_url)
    page.keyboard.press("/")
    page.wait_for_function("() => document.activeElement && document.activeElement.matches('[data-kb-search-query]')")
    box = page.locator(PAGEFIND_UI["box"])
    out = []
    base_path = urlsplit(base_url).path
    for query in queries:
        box.fill("")
        page.evaluate(WAIT_RESULTS, query.q)
        started = time.perf_counter()
        box.type(query.q, delay=0)
        detail = page.evaluate("window.__kbWait")
        ms = (time.perf_counter() - started) * 1000
        page.evaluate(LOAD_REST)
        page.wait_for_timeout(10)
        entries = []
        for link in page.locator(PAGEFIND_UI["pages"]).all()[:TOP]:
            href = link.get_attribute("href")
            path = unquote(urlsplit(href).path)
            path = path[len(base_path):] if path.startswith(base_path) else path.lstrip("/")
            title = link.locator("h1").inner_text()
            entries.append(f"{path} | {title}")
        rank = next((i + 1 for i, e in enumerate(entries) if _hit(query.expect, e)), None)
        out.append(Outcome(query.q, query.kind, query.expect, entries, rank, round(detail.get("ms", ms), 1)))
    return out


def measure_site(site_dir: Path, sets: dict[str, list[Query]]) -> dict[str, list[Outcome]]:
    from playwright.sync_api import sync_playwright

    with StaticServer(site_dir, "/") as server, sync_playwright() as pw:
        browser = open_browser(pw)
        page = browser.new_page(locale="zh-CN")
        results = {name: run_queries(page, server.url, qs) for name, qs in sets.items()}
        browser.close()
    return results


# --- bytes ---------------------------------------------------------------------

def _gzip_size(p: Path) -> int:
    """Bytes a server with gzip sends for ``p`` (Pagefind's files come compressed)."""
    return len(gzip.compress(p.read_bytes(), 6)) if p.suffix not in (".png", ".jpg", ".woff2", ".pf_index", ".pf_fragment", ".pf_meta", ".pagefind") else p.stat().st_size


def _first_visit(browser, server, site_dir: Path, path: str, query: str | None) -> dict:
    """One reader with an empty cache (a context of its own): the bytes fetched
    by a first visit to ``path``, then by typing ``query`` into search."""
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url))
    page.goto(server.url + path)
    page.wait_for_load_state("networkidle")
    before = list(seen)
    if query is not None:
        page.keyboard.press("/")
        page.evaluate(WAIT_RESULTS, query)
        page.locator(PAGEFIND_UI["box"]).type(query)
        page.evaluate("window.__kbWait")
        page.wait_for_load_state("networkidle")
    context.close()

    def size(urls):
        total, files = 0, []
        for url in dict.fromkeys(urls):
            parts = urlsplit(url)
            if not url.startswith(server.url):
                continue
            rel = unquote(parts.path)[1:]
            file = site_dir / rel
            if file.is_dir() or rel.endswith("/") or rel == "":
                file = file / "index.html"
            if file.exists():
                total += _gzip_size(file)
                files.append(rel)
        return total, files

    page_bytes, page_files = size(before)
    all_bytes, all_files = size(seen)
    search_files = [f for f in all_files if f not in page_files]
    return {"page": page_bytes, "search": all_bytes - page_bytes, "search_files": len(search_files),
            "search_requests_before_query": sum(1 for f in page_files if f.startswith("pagefind/") or f.startswith("assets/search-") or f.endswith("javascripts/search.js"))}


def transfer(site_dir: Path, path: str = "", query: str | None = None) -> dict:
    """Bytes (gzip, as a server with gzip sends them) fetched by a first visit to
    ``path``, then by typing ``query`` into search."""
    from playwright.sync_api import sync_playwright

    with StaticServer(site_dir, "/") as server, sync_playwright() as pw:
        browser = open_browser(pw)
        try:
            return _first_visit(browser, server, site_dir, path, query)
        finally:
            browser.close()


def first_query_bytes(site_dir: Path, queries: list[Query]) -> dict:
    """The bytes of each query of a set typed as a reader's first (a fresh
    reader each time, on the home page): their median, 90th percentile and
    largest, and how many stay within FIRST_QUERY_GOAL. One keyword says
    little: a question looks up more words, and each word one index chunk."""
    from playwright.sync_api import sync_playwright

    with StaticServer(site_dir, "/") as server, sync_playwright() as pw:
        browser = open_browser(pw)
        try:
            sizes = sorted(_first_visit(browser, server, site_dir, "", q.q)["search"] for q in queries)
        finally:
            browser.close()
    return {"n": len(sizes), "median": statistics.median(sizes), "p90": sizes[int(0.9 * (len(sizes) - 1))],
            "max": sizes[-1], "within_goal": sum(1 for b in sizes if b <= FIRST_QUERY_GOAL)}


def index_size(site_dir: Path) -> dict:
    """What the index holds on the server: its chunks and stored pages (bytes, as served)."""
    index = sorted((site_dir / "pagefind" / "index").glob("*.pf_index"))
    fragments = sorted((site_dir / "pagefind" / "fragment").glob("*.pf_fragment"))
    return {"chunks": len(index), "chunk_bytes": sum(f.stat().st_size for f in index),
            "fragments": len(fragments), "fragment_bytes": sum(f.stat().st_size for f in fragments)}


def scaled_site(factor: int, tmp: Path) -> Path:
    """The site with every content page copied ``factor`` times (copies in docs/copy-N/)."""
    project = project_copy_to(tmp / f"project-{factor}")
    docs = project / "docs"
    sections = ["basics", "tactics", "cases", "checklists"]
    for i in range(1, factor):
        for section in sections:
            for md in (docs / section).glob("*.md"):
                dest = docs / f"copy{i}" / section / md.name
                dest.parent.mkdir(parents=True, exist_ok=True)
                text = md.read_text(encoding="utf-8").replace("](../", "](../../")
                dest.write_text(text, encoding="utf-8")
    # copies are not in the nav, so strict validation of omitted files is relaxed for them
    cfg = project / "mkdocs.yml"
    text = cfg.read_text(encoding="utf-8").replace("not_in_nav: |\n", "not_in_nav: |\n  /copy*/**\n")
    cfg.write_text(text, encoding="utf-8")
    site = tmp / f"site-{factor}"
    result = mkdocs_build(site, project=project)
    if result.returncode != 0:
        raise SystemExit(f"{factor}x build failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return site


# --- ablations -------------------------------------------------------------------

def _drop_lost_synonyms(project: Path) -> None:
    """Without aliases some thesaurus targets no longer occur anywhere, which the
    build rejects: drop those targets (and entries left with none), checked by
    the build's own function on the ablated project."""
    sys.path.insert(0, str(ROOT / "hooks"))
    from kb import build as kb_build
    from kb import search_layer

    build = kb_build.prepare(project, project / "docs", kb_build.read_nav(project), check_permalinks=False)
    text = search_layer.source_text(build.pages, build.data_dir)
    path = project / "data" / "synonyms.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    kept = []
    for entry in data["synonyms"]:
        site = [w for w in entry["site"] if w.lower() in text]
        if site:
            kept.append({"word": entry["word"], "site": site})
    path.write_text(yaml.safe_dump({"synonyms": kept}, allow_unicode=True), encoding="utf-8")


#: Ablations switched off at build time by KB_SEARCH_ABLATE (kb.search_layer.ABLATABLE).
BUILD_ABLATIONS = {"no-bigrams": "bigrams", "no-field-weights": "fields", "no-page-kinds": "kinds", "no-situations": "situations"}


def ablated_site(kind: str, tmp: Path) -> Path:
    if kind in BUILD_ABLATIONS:
        site = tmp / f"site-{kind}"
        result = mkdocs_build(site, env={"KB_SEARCH_ABLATE": BUILD_ABLATIONS[kind]})
        if result.returncode != 0:
            raise SystemExit(f"{kind} build failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        return site
    project = project_copy_to(tmp / f"project-{kind}")
    if kind == "no-aliases":
        for md in (project / "docs").rglob("*.md"):
            text = md.read_text(encoding="utf-8")
            new = re.sub(r"(?m)^aliases:.*\n(?:  - .*\n)*", "", text, count=1)
            md.write_text(new, encoding="utf-8")
        _drop_lost_synonyms(project)
    elif kind == "no-thesaurus":
        path = project / "data" / "synonyms.yml"
        path.write_text("# yaml-language-server: $schema=schemas/synonyms.schema.json\nsynonyms:\n  - {word: 同义, site: [社群]}\n", encoding="utf-8")
    site = tmp / f"site-{kind}"
    result = mkdocs_build(site, project=project)
    if result.returncode != 0:
        raise SystemExit(f"{kind} build failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return site


RAW_QUERY = """
(() => {
  // Ablation "no query layer": each query goes to Pagefind as typed.
  window.__kbRawQuery = true;
})();
"""


def measure_raw(site_dir: Path, sets: dict[str, list[Query]]) -> dict[str, list[Outcome]]:
    """Pagefind's own search on the raw query, ranked by Pagefind, no query layer."""
    from playwright.sync_api import sync_playwright

    out: dict[str, list[Outcome]] = {}
    with StaticServer(site_dir, "/") as server, sync_playwright() as pw:
        browser = open_browser(pw)
        page = browser.new_page(locale="zh-CN")
        page.goto(server.url)
        page.evaluate("async (base) => { window.__pf = await import(base + 'pagefind/pagefind.js'); await window.__pf.options({baseUrl: '/'}); await window.__pf.init(); }", server.url)
        for name, queries in sets.items():
            rows = []
            for query in queries:
                started = time.perf_counter()
                entries = page.evaluate("""async (q) => {
                    const r = await window.__pf.search(q);
                    const top = await Promise.all(r.results.slice(0, 10).map(x => x.data()));
                    return top.map(d => d.url.replace(/^\\//, '') + ' | ' + ((d.meta && d.meta.title) || ''));
                }""", query.q)
                ms = (time.perf_counter() - started) * 1000
                rank = next((i + 1 for i, e in enumerate(entries) if _hit(query.expect, e)), None)
                rows.append(Outcome(query.q, query.kind, query.expect, entries, rank, round(ms, 1)))
            out[name] = rows
        browser.close()
    return out


# --- each weight of search.js, varied ------------------------------------------------

WEIGHTS_INIT = """async () => {
  const m = await import('/assets/javascripts/search.js');
  const pfm = await import('/pagefind/pagefind.js');
  const data = await (await fetch('/assets/search-layer.json')).json();
  const tables = await (await fetch('/assets/search-tables.json')).json();
  const root = document.documentElement, lang = root.getAttribute('lang');
  root.setAttribute('lang', data.lang);
  const pf = pfm.createInstance({ basePath: '/pagefind/', noWorker: true });
  root.setAttribute('lang', lang);
  await pf.options({ baseUrl: '/' });
  await pf.init();
  window.__kbW = { m, pf, data, tables, base: JSON.parse(JSON.stringify(m.WEIGHTS)) };
}"""
WEIGHTS_RUN = """async ([queries, change]) => {
  const { m, pf, data, tables, base } = window.__kbW;
  Object.assign(m.WEIGHTS, JSON.parse(JSON.stringify(base)), change);
  await pf.options({ ranking: m.WEIGHTS.PAGEFIND_RANKING });
  const layer = new m.QueryLayer(data, tables);
  const out = [];
  for (const q of queries) {
    const ranked = await m.rank(pf, layer, layer.analyse(q));
    out.push(await Promise.all(ranked.slice(0, 3).map(async (r) => { const d = await r.result.data(); return d.url.replace(/^\\//, '') + ' | ' + ((d.meta && d.meta.title) || ''); })));
  }
  return out;
}"""


def weight_variants(base: dict) -> dict[str, dict]:
    """Each weight of search.js off, halved and doubled (booleans flipped)."""
    out: dict[str, dict] = {}
    for name, value in base.items():
        if name == "PAGEFIND_RANKING":
            for key, v in value.items():
                if key == "metaWeights":
                    for half, factor in (("×0", 0), ("×0.4", 0.4), ("×2", 2)):
                        out[f"title boost (metaWeights.title) {half}"] = {name: {**value, key: {"title": v["title"] * factor}}}
                else:
                    for half, factor in (("×0.5", 0.5), ("×2", 2)):
                        out[f"Pagefind {key} {half}"] = {name: {**value, key: v * factor}}
        elif isinstance(value, bool):
            out[f"{name} {not value}"] = {name: not value}
        else:
            for half, factor in (("0", 0), ("×0.5", 0.5), ("×2", 2)):
                out[f"{name} {half}"] = {name: value * factor if half != "0" else 0}
    return out


def measure_weights(site_dir: Path, sets: dict[str, list[Query]]) -> dict:
    """hit@1 and hit@3 (top 3 by search.js's rank, straight from the module)
    with each weight varied; every variant on the same queries in one page."""
    from playwright.sync_api import sync_playwright

    out: dict = {}
    with StaticServer(site_dir, "/") as server, sync_playwright() as pw:
        browser = open_browser(pw)
        page = browser.new_page(locale="zh-CN")
        page.goto(server.url)
        page.evaluate(WEIGHTS_INIT)
        base = page.evaluate("() => window.__kbW.base")
        variants = {"(as shipped)": {}} | weight_variants(base)
        for label, change in variants.items():
            row = {}
            for name, queries in sets.items():
                tops = page.evaluate(WEIGHTS_RUN, [[q.q for q in queries], change])
                n = len(queries) or 1
                row[name] = {"hit1": sum(1 for q, t in zip(queries, tops) if t and _hit(q.expect, t[0])) / n,
                             "hit3": sum(1 for q, t in zip(queries, tops) if any(_hit(q.expect, e) for e in t)) / n}
            out[label] = row
        out["_base"] = base
        browser.close()
    return out


# --- before: the landed site this work started from ------------------------------

BEFORE_COMMIT = "00f2751"  # the site as issue 19 measured it


def site_at(commit: str, tmp: Path, name: str) -> tuple[Path, subprocess.CompletedProcess]:
    """The site as it was at ``commit`` (``git archive``, its own code and data),
    built into ``tmp``/``name``-site; and the build's process."""
    src = tmp / f"{name}-project"
    src.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(src)], input=archive, check=True)
    site = tmp / f"{name}-site"
    return site, mkdocs_build(site, project=src)


def before_site(tmp: Path) -> Path:
    """The site of BEFORE_COMMIT."""
    site, result = site_at(BEFORE_COMMIT, tmp, "before")
    if result.returncode != 0:
        raise SystemExit(f"{BEFORE_COMMIT} build failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return site


# --- design (b): Material's lunr ---------------------------------------------------

LUNR_WAIT = """(q) => new Promise((resolve) => {
  const list = document.querySelector('[data-md-component=search-result] .md-search-result__list');
  const meta = document.querySelector('[data-md-component=search-result] .md-search-result__meta');
  let timer = null;
  const done = () => { clearTimeout(timer); timer = setTimeout(() => { obs.disconnect(); resolve(true); }, 400); };
  const obs = new MutationObserver(done);
  obs.observe(list, {childList: true, subtree: true});
  obs.observe(meta, {childList: true, subtree: true, characterData: true});
  done();
})"""


def measure_lunr(tmp: Path, sets: dict[str, list[Query]], factor10: bool) -> dict:
    """Design (b): the site as it was with Material's lunr search (LUNR_COMMIT)."""
    from playwright.sync_api import sync_playwright

    site, result = site_at(LUNR_COMMIT, tmp, "lunr")
    if result.returncode != 0:
        return {"error": "build failed: " + result.stderr[-500:]}
    index = site / "search" / "search_index.json"
    worker = next((site / "assets" / "javascripts" / "workers").glob("search.*.min.js"))
    first_query = len(gzip.compress(index.read_bytes(), 6)) + len(gzip.compress(worker.read_bytes(), 6))
    out: dict = {"first_query_bytes_1x": first_query}
    from urllib.parse import quote

    with StaticServer(site, "/") as server, sync_playwright() as pw:
        browser = open_browser(pw)
        page = browser.new_page(locale="zh-CN")
        for name, queries in sets.items():
            rows = []
            for query in queries:
                # One ?q= link per query (Material's search.share): the query goes through
                # Material's own path, and each run starts from a fresh index.
                page.goto(server.url + "?q=" + quote(query.q))
                page.wait_for_function(
                    "() => { const m = document.querySelector('[data-md-component=search-result] .md-search-result__meta');"
                    " return m && /符合条件|没有找到/.test(m.textContent); }", timeout=60000)
                page.evaluate(LUNR_WAIT, query.q)
                entries = []
                for link in page.locator(".md-search-result__list > .md-search-result__item > a.md-search-result__link").all()[:TOP]:
                    path = unquote(urlsplit(link.get_attribute("href")).path).lstrip("/")
                    title = link.locator("h1").first.inner_text() if link.locator("h1").count() else ""
                    entries.append(f"{path} | {title}")
                rank = next((i + 1 for i, e in enumerate(entries) if _hit(query.expect, e)), None)
                rows.append(Outcome(query.q, query.kind, query.expect, entries, rank, None))
            out[name] = asdict(score(rows))
        browser.close()
    if factor10:
        # the lunr index grows with the content: a 10x copy of the pages' text
        docs = json.loads(index.read_text(encoding="utf-8"))
        docs["docs"] = docs["docs"] * 10
        out["first_query_bytes_10x"] = len(gzip.compress(json.dumps(docs, ensure_ascii=False).encode("utf-8"), 6)) + len(gzip.compress(worker.read_bytes(), 6))
    return out


# --- report ----------------------------------------------------------------------

def pct(x: float) -> str:
    return f"{x * 100:.1f}%"


SET_NAMES = {
    "dev": "开发集 1",
    "dev2-odd": "开发集 2 奇数行（研究过）",
    "dev2-even": "开发集 2 偶数行（只打分）",
    "own-title-alias": "本项目查询：标题或别名",
    "own-other": "本项目查询：其余",
    "checklist-items": "清单条目：按每条的第一句查它的清单",
    "page-aliases": "每页「也可以搜」列出的词，原样输入",
}
ABLATION_SETS = ("dev", "dev2-odd", "dev2-even", "own-other")


def report_md(data: dict) -> str:
    lines = ["## 搜索", "", f"由 `bench/search.py` 在 {data['when']} 生成（{data['machine']}）。", ""]
    lines += ["### 质量", "", "| 查询集 | 条数 | hit@1 | hit@3 | MRR | 无结果 |", "|---|---|---|---|---|---|"]
    for name, s in data["quality"].items():
        lines.append(f"| {SET_NAMES.get(name, name)} | {s['n']} | {pct(s['hit1'])} | {pct(s['hit3'])} | {s['mrr']:.3f} | {s['empty']} |")
    if data.get("before"):
        b = data["before"]
        lines += ["", f"### 之前（{BEFORE_COMMIT}）与现在，同一次运行", "", "| 查询集 | 之前 hit@1 / hit@3 | 现在 hit@1 / hit@3 |", "|---|---|---|"]
        for name in (*ABLATION_SETS, "checklist-items", "page-aliases"):
            if name in b and name in data["quality"]:
                now = data["quality"][name]
                lines.append(f"| {SET_NAMES[name]} | {pct(b[name]['hit1'])} / {pct(b[name]['hit3'])} | {pct(now['hit1'])} / {pct(now['hit3'])} |")
        if "cost" in b:
            lines.append(f"| 第一次查询「{COST_QUERY}」1× | {b['cost']['search'] / 1024:.1f} KiB | {data.get('cost', {}).get('1x', {}).get('search', 0) / 1024:.1f} KiB |")
    if data.get("ablation"):
        head = " | ".join(f"{SET_NAMES[n]} hit@1 / hit@3" for n in ABLATION_SETS)
        lines += ["", "### 消融：每次去掉一部分", "", f"| 去掉 | {head} |", "|---" * (len(ABLATION_SETS) + 1) + "|"]
        lines.append("| （全部都在） | " + " | ".join(f"{pct(data['quality'][n]['hit1'])} / {pct(data['quality'][n]['hit3'])}" for n in ABLATION_SETS) + " |")
        for name, s in data["ablation"].items():
            lines.append(f"| {name} | " + " | ".join(f"{pct(s[n]['hit1'])} / {pct(s[n]['hit3'])}" if n in s else "–" for n in ABLATION_SETS) + " |")
    if data.get("weights"):
        w = {k: v for k, v in data["weights"].items() if not k.startswith("_")}
        head = " | ".join(f"{SET_NAMES[n]} hit@1 / hit@3" for n in ABLATION_SETS)
        lines += ["", "### 每个权重的理由：改它一个，其余不动（`search.js` 的 `WEIGHTS`，直接调排序函数，前三名）", "",
                  f"| 改动 | {head} |", "|---" * (len(ABLATION_SETS) + 1) + "|"]
        for label, row in w.items():
            lines.append(f"| {label} | " + " | ".join(f"{pct(row[n]['hit1'])} / {pct(row[n]['hit3'])}" for n in ABLATION_SETS) + " |")
    if data.get("cost"):
        c = data["cost"]
        lines += ["", f"### 代价（第一次查询：关键词「{COST_QUERY}」，问句「{COST_QUESTION}」）", "",
                  "| 站点 | 首页首次访问（gzip） | 打开前的搜索请求 | 第一次查询另取（gzip） | 文件数 | 索引块 | 索引（服务器上） |", "|---|---|---|---|---|---|---|"]
        for name, v in c.items():
            size = f"{v['chunks']} | {(v['chunk_bytes'] + v['fragment_bytes']) / 1024:.0f} KiB" if "chunks" in v else "– | –"
            lines.append(f"| {name} | {v['page'] / 1024:.1f} KiB | {v['search_requests_before_query']} | {v['search'] / 1024:.1f} KiB | {v['search_files']} | {size} |")
        if "1x" in c and "10x" in c:
            lines.append(f"\n10× 内容时第一次查询的字节是 1× 的 {c['10x']['search'] / c['1x']['search']:.2f} 倍（目标 ≤ 1.5 倍）。")
    if data.get("first_queries"):
        f = data["first_queries"]
        lines += ["", "### 每个查询都当作读者的第一次查询（开发集 1，每次一个空缓存的新读者，首页）", "",
                  f"| 站点 | 查询数 | 中位数 | p90 | 最大 | ≤ {FIRST_QUERY_GOAL // 1024} KiB 的 |", "|---|---|---|---|---|---|"]
        for name, v in f.items():
            lines.append(f"| {name} | {v['n']} | {v['median'] / 1024:.1f} KiB | {v['p90'] / 1024:.1f} KiB | {v['max'] / 1024:.1f} KiB | {v['within_goal']} / {v['n']} |")
        if "1x" in f and "10x" in f:
            lines.append(f"\n10× 内容时中位数是 1× 的 {f['10x']['median'] / f['1x']['median']:.2f} 倍。")
        if "1x" in f and "1x" in data.get("cost", {}):
            one, median = data["cost"]["1x"]["search"], f["1x"]["median"]
            lines.append(f"\n上面关键词「{COST_QUERY}」的 {one / 1024:.1f} KiB {'低于' if one < median else '不低于'}这个中位数：一个查询每查一个词（同义词、二元组也算）就要取那个词所在的一块索引。")
    t = data["quality"].get("dev")
    if t and t.get("ms_median") is not None:
        lines.append(f"\n从最后一次按键到结果显示：中位数 {t['ms_median']} ms，p95 {t['ms_p95']} ms（开发集）。")
    if data.get("lunr"):
        l = data["lunr"]
        lines += ["", "### 方案比较：Material 自带 lunr（按需加载也一样）vs Pagefind", "", "| 方案 | 开发集 hit@1 | 开发集 hit@3 | 第一次查询 1× | 10× |", "|---|---|---|---|---|"]
        if "dev" in l:
            lines.append(f"| (b) lunr，{LUNR_COMMIT} 的整站索引 | {pct(l['dev']['hit1'])} | {pct(l['dev']['hit3'])} | {l['first_query_bytes_1x'] / 1024:.1f} KiB | {l.get('first_query_bytes_10x', 0) / 1024:.1f} KiB |")
        d, c = data["quality"]["dev"], data.get("cost", {})
        if "1x" in c:
            lines.append(f"| (a) Pagefind + 查询层 | {pct(d['hit1'])} | {pct(d['hit3'])} | {c['1x']['search'] / 1024:.1f} KiB | {c.get('10x', {}).get('search', 0) / 1024:.1f} KiB |")
    for name in ("dev", "dev2-odd"):  # never the scored half: it is only counted
        lines += ["", f"### {SET_NAMES[name]}里没有排进前三的查询", ""]
        for o in data["outcomes"][name]:
            if not (o["rank"] and o["rank"] <= 3):
                got = "；".join(r.split(" | ")[0] for r in o["results"][:3]) or "（无结果）"
                lines.append(f"- `{o['q']}`：前三是 {got}")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="quality on the current site only")
    parser.add_argument("--site", type=Path, help="use this built site instead of building one")
    parser.add_argument("--show", action="store_true", help="print every miss with its results")
    parser.add_argument("--render", action="store_true", help="only re-render bench/out/search.md from bench/results-search.json")
    args = parser.parse_args()
    if args.render:
        data = json.loads((ROOT / "bench" / "results-search.json").read_text(encoding="utf-8"))
        data["outcomes"] = {"dev": data.pop("dev_outcomes"), "dev2-odd": data.pop("dev2_odd_outcomes")}
        (ROOT / "bench" / "out" / "search.md").write_text(report_md(data), encoding="utf-8")
        return 0
    dev, own = load_dev_set(), load_own_set()
    dev2_studied, dev2_scored = load_dev_set_2()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        site = args.site
        if site is None:
            site = tmp / "site"
            result = mkdocs_build(site)
            if result.returncode != 0:
                print(result.stdout, result.stderr)
                return 1
        own_named = [q for q in own if title_or_alias(q.q)]
        own_other = [q for q in own if not title_or_alias(q.q)]
        items, aliases = load_checklist_items(), load_page_aliases()
        sets = {"dev": dev, "dev2-odd": dev2_studied, "dev2-even": dev2_scored,
                "own-title-alias": own_named, "own-other": own_other, "checklist-items": items, "page-aliases": aliases}
        outcomes = measure_site(site, sets)
        data = {
            "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "machine": f"{subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores",
            "quality": {name: asdict(score(rows)) for name, rows in outcomes.items()},
            "outcomes": {name: [asdict(o) for o in outcomes[name]] for name in ("dev", "dev2-odd")},
        }
        for name, s in data["quality"].items():
            print(f"{name:16} n={s['n']:3} hit@1={pct(s['hit1']):>6} hit@3={pct(s['hit3']):>6} MRR={s['mrr']:.3f} empty={s['empty']} ms={s['ms_median']}/{s['ms_p95']}")
        if args.show:
            # never the scored half (dev2-even): it is only ever counted
            for o in outcomes["dev"] + outcomes["dev2-odd"] + outcomes["own-other"]:
                if not (o.rank and o.rank <= 3):
                    print(f"  MISS {o.q!r} [{o.expect}] -> {[r.split(' | ')[0] for r in o.results[:3]]}")
        if args.quick:
            return 0
        ab_sets = {"dev": dev, "dev2-odd": dev2_studied, "dev2-even": dev2_scored, "own-other": own_other}
        ablation = {}
        for kind in (*BUILD_ABLATIONS, "no-thesaurus", "no-aliases"):
            ab = measure_site(ablated_site(kind, tmp), ab_sets)
            ablation[kind] = {k: asdict(score(v)) for k, v in ab.items()}
            print(kind, {k: (pct(v["hit1"]), pct(v["hit3"])) for k, v in ablation[kind].items()}, flush=True)
        data["weights"] = measure_weights(site, ab_sets)
        raw = measure_raw(site, ab_sets)
        ablation["no-query-layer"] = {k: asdict(score(v)) for k, v in raw.items()}
        data["ablation"] = ablation
        first = COST_QUERY
        data["cost"] = {"1x": transfer(site, "", first) | index_size(site)}
        ten = scaled_site(10, tmp)
        data["cost"]["10x"] = transfer(ten, "", first) | index_size(ten)
        # a question (several words: the situations and other tables come too), 1x and 10x
        data["cost"]["1x-question"] = transfer(site, "", COST_QUESTION)
        data["cost"]["10x-question"] = transfer(ten, "", COST_QUESTION)
        # every query of set 1 as a reader's first, 1x and 10x
        data["first_queries"] = {"1x": first_query_bytes(site, dev), "10x": first_query_bytes(ten, dev)}
        old = before_site(tmp)
        data["before"] = {k: asdict(score(v)) for k, v in measure_site(old, ab_sets | {"checklist-items": items, "page-aliases": aliases}).items()}
        data["before"]["cost"] = transfer(old, "", first) | index_size(old)
        data["cost"]["before-1x"] = data["before"]["cost"]
        data["lunr"] = measure_lunr(tmp, {"dev": dev}, factor10=True)
    (ROOT / "bench" / "results-search.json").write_text(json.dumps({k: v for k, v in data.items() if k != "outcomes"} | {"dev_outcomes": data["outcomes"]["dev"], "dev2_odd_outcomes": data["outcomes"]["dev2-odd"]}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "search.md").write_text(report_md(data), encoding="utf-8")
    print(report_md(data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
