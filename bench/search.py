#!/usr/bin/env python3
"""Search quality benchmark: type real queries into Material's search box.

Builds the site into a temporary directory (or uses ``--site``), serves it on
127.0.0.1, opens it in Chromium through Playwright and, for every query in
tests/search_queries.yml, types it character by character into the real
search box, waits for the results and reads the ranked page URLs (one per
document; section hits of a page are folded into it).

Reports hit@1, hit@3, MRR (over the first 10 results), the failed queries, the
size of search/search_index.json (bytes and gzip) and the median / 95th
percentile time from the last typed character to the results being shown.

    .venv/bin/python bench/search.py                 # build, measure, print
    .venv/bin/python bench/search.py --json out.json # also write the results
    .venv/bin/python bench/search.py --site /tmp/site --titles

tests/test_search_quality.py runs the same functions (``measure``).
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from siteutil import CHROMIUM_ARGS, StaticServer, chromium_path, mkdocs_build  # noqa: E402

QUERIES = ROOT / "tests" / "search_queries.yml"
TOP = 10  # results read per query (Material renders the first 10 at once)


# Test-only instrumentation, injected before Material's bundle runs. It counts
# the query messages the page sends to the search worker and the results it
# gets back (trusted worker messages only), and timestamps (1) every keyup in
# the search box and (2) the last DOM change of the result list for each result
# (all changes for one result happen in one task): that is "results shown".
# It never changes a message; the site's own scripts run unmodified.
INSTRUMENT = r"""
(() => {
  const S = window.__kbBench = { ready: false, sent: 0, recv: 0, keyup: 0, shown: {} };
  const Native = window.Worker;
  window.Worker = class extends Native {
    constructor(url, options) {
      super(url, options);
      if (!/search/.test(String(url))) return;
      this.addEventListener("message", ev => {
        if (!ev.isTrusted) return;               // a page script's re-dispatch of a result
        const type = ev.data && ev.data.type;
        if (type === 1) S.ready = true;          // READY
        if (type === 3) S.recv++;                // RESULT
      });
    }
    postMessage(message, ...rest) {
      if (message && message.type === 2) S.sent++; // QUERY
      return super.postMessage(message, ...rest);
    }
  };
  document.addEventListener("keyup", ev => {
    if (ev.target && ev.target.matches && ev.target.matches("[data-md-component=search-query]"))
      S.keyup = performance.now();
  }, true);
  const watch = () => {
    const result = document.querySelector("[data-md-component=search-result]");
    if (!result) return setTimeout(watch, 20);
    new MutationObserver(() => { S.shown[S.recv] = performance.now(); }).observe(result, { childList: true, subtree: true, characterData: true });
  };
  document.readyState === "loading" ? document.addEventListener("DOMContentLoaded", watch) : watch();
})();
"""

READ_RESULTS = r"""
() => {
  const meta = document.querySelector(".md-search-result__meta");
  const urls = [...document.querySelectorAll(".md-search-result__item")]
    .map(li => li.querySelector("a[href]"))
    .filter(Boolean)
    .map(a => a.href);
  return { meta: meta ? meta.textContent : "", urls };
}
"""


@dataclass
class QueryResult:
    q: str
    expect: list[str]
    kind: str = ""
    holdout: bool = False  # written after tuning (bench/README.md, 搜索)
    urls: list[str] = field(default_factory=list)  # ranked, site-relative, deduplicated
    rank: int | None = None  # 1-based rank of the first expected page, None if not in the top TOP
    ms: float | None = None  # last keyup -> result list changed
    meta: str = ""

    @property
    def hit1(self) -> bool:
        return self.rank is not None and self.rank <= 1

    @property
    def hit3(self) -> bool:
        return self.rank is not None and self.rank <= 3


# ---------------------------------------------------------------------------
# Inputs


def load_queries(path: Path = QUERIES) -> list[dict]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    out = []
    for item in data["queries"]:
        expect = item["expect"]
        out.append({
            "q": str(item["q"]),
            "expect": [expect] if isinstance(expect, str) else list(expect),
            "kind": item.get("kind", ""),
            "holdout": bool(item.get("holdout")),
        })
    return out


def _front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        return {}
    end = text.find("\n---", 3)
    return yaml.safe_load(text[3:end]) or {} if end != -1 else {}


def page_url(rel: str) -> str:
    """docs-relative source path -> site-relative URL (use_directory_urls)."""
    rel = rel.replace("\\", "/")
    if rel == "index.md":
        return ""
    if rel.endswith("/index.md"):
        return rel[: -len("index.md")]
    return rel[: -len(".md")] + "/"


def title_alias_queries(docs_dir: Path = ROOT / "docs", site_dir: Path | None = None) -> list[dict]:
    """One query per page title and per front-matter alias, expecting that page.

    With ``site_dir``, pages that are not in the search index are skipped.
    """
    indexed = None
    if site_dir is not None:
        docs = json.loads((Path(site_dir) / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
        indexed = {d["location"].split("#")[0] for d in docs}
    out = []
    for path in sorted(Path(docs_dir).rglob("*.md")):
        rel = path.relative_to(docs_dir).as_posix()
        url = page_url(rel)
        if indexed is not None and url not in indexed:
            continue
        meta = _front_matter(path)
        if meta.get("title"):
            out.append({"q": str(meta["title"]), "expect": [url], "kind": "title"})
        for alias in meta.get("aliases") or []:
            out.append({"q": str(alias), "expect": [url], "kind": "alias"})
    return out


def index_size(site_dir: Path) -> dict:
    raw = (Path(site_dir) / "search" / "search_index.json").read_bytes()
    return {"bytes": len(raw), "gzip": len(gzip.compress(raw, compresslevel=9))}


# ---------------------------------------------------------------------------
# The browser part


def open_search(browser, base_url: str):
    """A fresh context and page on the home page with the search box focused
    and the search worker ready. Returns (context, page)."""
    context = browser.new_context(locale="zh-CN", service_workers="block")
    context.add_init_script(INSTRUMENT)
    page = context.new_page()
    page.goto(base_url, wait_until="load")
    page.wait_for_function("() => window.__kbBench && window.__kbBench.ready", timeout=30000)
    page.keyboard.press("/")  # Material's shortcut: open search and focus the box
    page.wait_for_function("() => document.activeElement && document.activeElement.matches('[data-md-component=search-query]')", timeout=5000)
    return context, page


def _settle(page, timeout: float = 15000) -> None:
    """Wait until every query sent has its result rendered."""
    page.wait_for_function(
        "() => { const S = window.__kbBench; return S.recv >= S.sent && (S.sent === 0 || S.sent in S.shown); }",
        timeout=timeout,
    )


def _type(page, text: str, per_char: bool = True) -> None:
    """Type like a person: ASCII through the keyboard; Chinese as an IME commits
    it (the text is inserted, then the committing key is released). With
    ``per_char`` off, everything but the last character is committed at once
    (as an IME commits a phrase): fewer searches, same final query."""
    if not per_char and len(text) > 1:
        page.keyboard.insert_text(text[:-1])
        page.keyboard.up("Shift")
        text = text[-1]
    for ch in text:
        if ch.isascii() and ch.isprintable():
            page.keyboard.type(ch)
        else:
            page.keyboard.insert_text(ch)
            page.keyboard.up("Shift")  # the keyup that ends an IME commit; Material reads the box on keyup


def _clear(page) -> None:
    box = page.locator("[data-md-component=search-query]")
    box.focus()
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    if box.input_value():
        box.fill("")
        page.keyboard.up("Shift")
    _settle(page)


def _site_relative(href: str, base_url: str) -> str:
    base_path = urlsplit(base_url).path
    path = urlsplit(href).path
    return path[len(base_path):] if path.startswith(base_path) else path


def run_query(page, base_url: str, q: str, expect: list[str], kind: str = "", holdout: bool = False, per_char: bool = True) -> QueryResult:
    _clear(page)
    _type(page, q, per_char)
    _settle(page)
    data = page.evaluate(READ_RESULTS)
    timing = page.evaluate("() => { const S = window.__kbBench; return S.shown[S.sent] - S.keyup; }")
    urls: list[str] = []
    for href in data["urls"]:
        rel = _site_relative(href, base_url)
        if rel not in urls:
            urls.append(rel)
    urls = urls[:TOP]
    rank = next((i + 1 for i, u in enumerate(urls) if u in expect), None)
    return QueryResult(q=q, expect=expect, kind=kind, holdout=holdout, urls=urls, rank=rank, ms=timing, meta=data["meta"])


def run_queries(browser, base_url: str, queries: list[dict], progress=None, per_char: bool = True) -> list[QueryResult]:
    context, page = open_search(browser, base_url)
    try:
        _type(page, "社群")  # warm-up: the first query pays for JIT and fonts
        _settle(page)
        results = []
        for i, item in enumerate(queries):
            results.append(run_query(page, base_url, item["q"], item["expect"], item.get("kind", ""), item.get("holdout", False), per_char))
            if progress:
                progress(i + 1, len(queries), results[-1])
        return results
    finally:
        context.close()


# ---------------------------------------------------------------------------
# Summaries


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    k = (len(values) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def _rates(results: list[QueryResult]) -> dict:
    n = len(results) or 1
    return {
        "queries": len(results),
        "hit@1": sum(r.hit1 for r in results) / n,
        "hit@3": sum(r.hit3 for r in results) / n,
        "mrr": sum(1 / r.rank for r in results if r.rank) / n,
    }


def summarize(results: list[QueryResult]) -> dict:
    times = [r.ms for r in results if r.ms is not None and r.ms == r.ms]
    by_kind: dict[str, dict] = {}
    for r in results:
        k = by_kind.setdefault(r.kind or "-", {"n": 0, "hit1": 0, "hit3": 0})
        k["n"] += 1
        k["hit1"] += r.hit1
        k["hit3"] += r.hit3
    return {
        **_rates(results),
        "tuned": _rates([r for r in results if not r.holdout]),
        "holdout": _rates([r for r in results if r.holdout]),
        "time_ms_median": statistics.median(times) if times else None,
        "time_ms_p95": percentile(times, 0.95),
        "by_kind": by_kind,
        "failed@3": [r.q for r in results if not r.hit3],
        "failed@1": [r.q for r in results if not r.hit1],
    }


def measure(browser, base_url: str, site_dir: Path, queries: list[dict] | None = None, progress=None, per_char: bool = True) -> dict:
    """Run the benchmark against a served site; everything a report needs."""
    queries = load_queries() if queries is None else queries
    results = run_queries(browser, base_url, queries, progress, per_char)
    return {"summary": summarize(results), "index": index_size(site_dir), "results": [asdict(r) for r in results]}


def format_report(report: dict, verbose: bool = False) -> str:
    s, idx = report["summary"], report["index"]
    lines = []
    if verbose:
        lines.append(f"{'#':>3}  {'rank':>4}  {'ms':>6}  query → top 3")
        for i, r in enumerate(report["results"], 1):
            rank = r["rank"] if r["rank"] else "-"
            ms = f"{r['ms']:.0f}" if r["ms"] is not None else "-"
            mark = (" " if r["rank"] and r["rank"] <= 3 else "✗") + ("h" if r.get("holdout") else " ")
            lines.append(f"{i:>3}{mark}{rank:>4}  {ms:>6}  {r['q']} → {', '.join(r['urls'][:3]) or r['meta']}")
        lines.append("")
    lines += [
        "| queries | hit@1 | hit@3 | MRR | index bytes | index gzip | median ms | p95 ms |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {s['queries']} | {s['hit@1']:.1%} | {s['hit@3']:.1%} | {s['mrr']:.3f} | {idx['bytes']:,} | {idx['gzip']:,} | "
        f"{s['time_ms_median']:.0f} | {s['time_ms_p95']:.0f} |",
        "",
    ]
    if s["holdout"]["queries"]:
        lines += ["| set | n | hit@1 | hit@3 | MRR |", "|---|---:|---:|---:|---:|"]
        for name in ("tuned", "holdout"):
            k = s[name]
            lines.append(f"| {name} | {k['queries']} | {k['hit@1']:.1%} | {k['hit@3']:.1%} | {k['mrr']:.3f} |")
        lines.append("")
    lines += [
        "| kind | n | hit@1 | hit@3 |",
        "|---|---:|---:|---:|",
    ]
    for kind, k in sorted(s["by_kind"].items()):
        lines.append(f"| {kind} | {k['n']} | {k['hit1'] / k['n']:.0%} | {k['hit3'] / k['n']:.0%} |")
    failed = [r for r in report["results"] if not (r["rank"] and r["rank"] <= 3)]
    lines.append("")
    lines.append(f"failed (not in top 3): {len(failed)}")
    for r in failed:
        lines.append(f"  {r['q']}  want {r['expect'][0]}  rank {r['rank'] or '>' + str(TOP)}  got {', '.join(r['urls'][:3]) or r['meta']}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--site", type=Path, help="use this built site instead of building one")
    ap.add_argument("--queries", type=Path, default=QUERIES)
    ap.add_argument("--titles", action="store_true", help="also check every page title and alias (expect that page)")
    ap.add_argument("--json", type=Path, metavar="PATH", help="write the full results as JSON")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every query with its rank and top 3")
    args = ap.parse_args(argv)

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="kb-search-") as tmp:
        site_dir = args.site
        if site_dir is None:
            site_dir = Path(tmp) / "site"
            t0 = time.perf_counter()
            proc = mkdocs_build(site_dir)
            if proc.returncode != 0:
                print(proc.stdout, proc.stderr, file=sys.stderr)
                return 1
            print(f"built in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
        suites = {"queries": load_queries(args.queries)}
        if args.titles:
            suites["titles"] = title_alias_queries(ROOT / "docs", site_dir)
        out = {}
        with StaticServer(site_dir, "/") as server, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
            try:
                for name, queries in suites.items():
                    # Titles/aliases only check ranks: commit all but the last character at once.
                    report = measure(browser, server.url, site_dir, queries, per_char=name == "queries")
                    out[name] = report
                    print(f"## {name}\n")
                    print(format_report(report, verbose=args.verbose))
                    print()
            finally:
                browser.close()
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
