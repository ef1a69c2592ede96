"""Lighthouse (mobile) for the pages of bench/common.PAGES and a bare Material
page in the same run, each run several times (3 in `make bench`). The report
gives per page the median performance score and the median total blocking
time (TBT: main-thread time past 50 ms per task, what separates our pages from
bare Material), each beside bare Material's; the run with the median
performance score is kept for its other metrics and for every audit that keeps
a category below 1.00.

    python bench/lighthouse.py [--runs 3] [--pages home,comparison]

measures only Lighthouse (build, nginx with gzip, bare Material included) and
prints the table; bench/out/lighthouse.json keeps the numbers."""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from common import BARE, CHROME_FLAGS, CHROMIUM, OUT, PAGES, ROOT, kib, log, median, served_sites, slug_of

GOAL_PERF = 0.98  # median performance >= 0.98, the other three categories 1.00
CATEGORIES = {"performance": "性能", "accessibility": "无障碍", "best-practices": "最佳实践", "seo": "SEO"}


def run_lighthouse(name: str, url: str, out_dir: Path) -> dict:
    binary = ROOT / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        raise RuntimeError("node_modules/.bin/lighthouse is missing: run `npm ci` (make bench does)")
    report = out_dir / f"lighthouse-{name}.json"
    cmd = [
        str(binary),
        url,
        "--output=json",
        f"--output-path={report}",
        "--only-categories=performance,accessibility,best-practices,seo",
        "--chrome-flags=" + " ".join(CHROME_FLAGS),
        "--quiet",
        "--max-wait-for-load=60000",
    ]
    proc = subprocess.run(cmd, env={**os.environ, "CHROME_PATH": CHROMIUM}, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0 or not report.exists():
        return {"error": proc.stderr[-2000:]}
    lhr = json.loads(report.read_text(encoding="utf-8"))
    return summarize_lighthouse(lhr)


def _audit_nodes(audit: dict, limit: int = 60) -> list[dict]:
    nodes = []
    details = audit.get("details") or {}
    for item in (details.get("items") or [])[:limit]:
        if not isinstance(item, dict):
            continue
        node = item.get("node")
        if node is None and item.get("subItems"):
            sub = (item["subItems"].get("items") or [{}])[0]
            node = sub.get("relatedNode") if isinstance(sub, dict) else None
        if isinstance(node, dict):
            nodes.append({"selector": node.get("selector"), "snippet": node.get("snippet"), "explanation": (node.get("explanation") or "")[:400]})
        elif item.get("url"):
            nodes.append({"url": item.get("url"), "wastedBytes": item.get("wastedBytes"), "wastedMs": item.get("wastedMs"), "totalBytes": item.get("totalBytes")})
    return nodes


def summarize_lighthouse(lhr: dict) -> dict:
    """Scores, metrics, and every audit that keeps a category below 1.00."""
    scores = {cid: cat["score"] for cid, cat in lhr["categories"].items()}
    failing = {}
    diagnostics = []
    for cid, cat in lhr["categories"].items():
        items = []
        for ref in cat["auditRefs"]:
            audit = lhr["audits"].get(ref["id"], {})
            score = audit.get("score")
            if score is None or audit.get("scoreDisplayMode") in ("notApplicable", "manual", "informative") or score >= 1:
                continue
            if cid == "performance" and not ref.get("weight"):
                if score < 0.5:
                    diagnostics.append({"id": ref["id"], "title": audit.get("title"), "displayValue": audit.get("displayValue"), "nodes": _audit_nodes(audit, 10)})
                continue
            items.append({"id": ref["id"], "title": audit.get("title"), "score": score, "weight": ref.get("weight", 0), "displayValue": audit.get("displayValue"), "nodes": _audit_nodes(audit)})
        if items:
            failing[cid] = items
    metrics = {}
    for mid in ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift", "speed-index"):
        audit = lhr["audits"].get(mid)
        if audit:
            metrics[mid] = {"value": audit.get("numericValue"), "display": (audit.get("displayValue") or "").replace("\u00a0", " "), "score": audit.get("score")}
    long_tasks = [
        {"url": t.get("url"), "duration": t.get("duration")}
        for t in ((lhr["audits"].get("long-tasks", {}).get("details") or {}).get("items") or [])[:6]
    ]
    weight = lhr["audits"].get("total-byte-weight", {}).get("numericValue")
    return {"scores": scores, "failing": failing, "diagnostics": diagnostics, "metrics": metrics, "long_tasks": long_tasks, "total_byte_weight": weight}


def lighthouse_median(name: str, url: str, out_dir: Path, runs: int) -> dict:
    """Run Lighthouse `runs` times. The median performance score and the median
    TBT are each the median of their own runs; the run with the median
    performance score is kept for the other metrics and the failing audits."""
    results = []
    for i in range(runs):
        r = run_lighthouse(f"{name}-{i + 1}", url, out_dir)
        if "error" not in r:
            results.append(r)
    if not results:
        return {"error": "every Lighthouse run failed"}
    perf = [r["scores"].get("performance") for r in results]
    tbt = [r["metrics"].get("total-blocking-time", {}).get("value") for r in results]
    results.sort(key=lambda r: r["scores"].get("performance") or 0)
    chosen = dict(results[(len(results) - 1) // 2])
    chosen["perf_runs"] = perf
    chosen["tbt_runs"] = tbt
    chosen["perf_median"] = median(perf)
    chosen["tbt_median"] = median(tbt)
    return chosen


def measure(served: dict, runs: int) -> dict:
    out_dir = OUT / "lighthouse"
    out_dir.mkdir(parents=True, exist_ok=True)
    results = {}
    for name, url in served["urls"].items():
        log(f"lighthouse {name} ({url}) x{runs}")
        results[name] = lighthouse_median(slug_of(name), url, out_dir, runs)
        results[name]["url"] = url
    return results


def perf_of(r: dict) -> float:
    """The median performance score (older raw.json files: the kept run's)."""
    value = r.get("perf_median")
    return value if value is not None else ((r.get("scores") or {}).get("performance") or 0)


def tbt_of(r: dict) -> float | None:
    value = r.get("tbt_median")
    return value if value is not None else (r.get("metrics") or {}).get("total-blocking-time", {}).get("value")


def meets_goal(r: dict) -> bool:
    sc = r.get("scores") or {}
    return perf_of(r) >= GOAL_PERF and all((sc.get(c) or 0) >= 1.0 for c in ("accessibility", "best-practices", "seo"))


def summary(lh: dict) -> dict:
    return {
        name: {"error": True} if "error" in r else {
            "scores": r["scores"],
            "perf_runs": r.get("perf_runs"),
            "perf_median": r.get("perf_median"),
            "tbt_runs": r.get("tbt_runs"),
            "tbt_median": r.get("tbt_median"),
            "metrics": {k: v.get("value") for k, v in r["metrics"].items()},
            "failing": {cid: [i["id"] for i in items] for cid, items in (r.get("failing") or {}).items()},
        }
        for name, r in lh.items()
    }


def _ms(value) -> str:
    return "—" if value is None or value != value else f"{value:,.0f} ms"


def _signed(value: float, fmt: str) -> str:
    return ("+" if value > 0 else "−" if value < 0 else "±") + fmt.format(abs(value))


def render(lh: dict, goals: list) -> list[str]:
    runs = max((len(r.get("perf_runs", [])) for r in lh.values()), default=1)
    bare = lh.get(BARE[0]) or {}
    bare_ok = "error" not in bare and bool(bare)
    out = ["## Lighthouse {#lighthouse}", ""]
    out += [
        "Lighthouse（默认移动端模拟：4 倍 CPU 降速、慢速 4G 的模拟节流），`--only-categories=performance,accessibility,best-practices,seo`，"
        f"站点由 nginx（gzip）提供，「{BARE[0]}」在同一次运行里一起测。每页跑 {runs} 次："
        "「性能」和「TBT」（total blocking time，主线程上每个长任务超过 50 ms 的部分之和）各是这几次的中位数，「各次」列出全部，"
        f"「比{BARE[0]}」是两个中位数之差；其余各列取自性能分居中的那一次。",
        "",
        f"| 页面 | 性能（中位数） | 各次性能 | TBT（中位数） | 各次 TBT | 比{BARE[0]}（性能 / TBT） | 无障碍 | 最佳实践 | SEO | FCP | LCP | CLS | 总字节 |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    ours_ok = True
    for name, r in lh.items():
        if "error" in r:
            out.append(f"| {name} | 运行失败 | | | | | | | | | | | |")
            ours_ok = ours_ok and name == BARE[0]
            continue
        sc, m = r["scores"], r["metrics"]
        score = lambda cid: "—" if sc.get(cid) is None else f"{sc[cid]:.2f}"  # noqa: E731
        shown = lambda mid: m.get(mid, {}).get("display", "—")  # noqa: E731
        versus = "—"
        if name != BARE[0] and bare_ok and tbt_of(r) is not None and tbt_of(bare) is not None:
            versus = _signed(perf_of(r) - perf_of(bare), "{:.2f}") + " / " + _signed(tbt_of(r) - tbt_of(bare), "{:,.0f} ms")
        out.append(
            f"| {name} | {perf_of(r):.2f} | {', '.join(f'{v:.2f}' for v in r.get('perf_runs', []) if v is not None)} | "
            f"{_ms(tbt_of(r))} | {', '.join(_ms(v) for v in r.get('tbt_runs', []) or [])} | {versus} | {score('accessibility')} | {score('best-practices')} | {score('seo')} | "
            f"{shown('first-contentful-paint')} | {shown('largest-contentful-paint')} | {shown('cumulative-layout-shift')} | {kib(r.get('total_byte_weight'))} |"
        )
        if name != BARE[0]:
            ours_ok = ours_ok and meets_goal(r)
    out.append("")
    rows = []
    for name, r in lh.items():
        for cid, items in (r.get("failing") or {}).items():
            for item in items:
                selectors = []
                for n in item["nodes"]:
                    sel = re.sub(r"#[\w:-]+", "#…", n.get("selector") or "")
                    if sel and sel not in selectors:
                        selectors.append(sel)
                where = "; ".join(f"`{x}`" for x in selectors[:4]) + (f" 等 {len(selectors)} 种" if len(selectors) > 4 else "")
                value = (item.get("displayValue") or "").replace("\u00a0", " ")
                rows.append(f"| {name} | {CATEGORIES.get(cid, cid)} | `{item['id']}` | {item['title'].replace('|', '/')} | {item['score']:.2f} | {(value + ' ' + where).strip()} |")
    if rows:
        out += ["拉低分数的审计（性能类只列有权重的指标）：", "", "| 页面 | 类别 | 审计 id | 标题 | 得分 | 值 / 元素 |", "| --- | --- | --- | --- | --- | --- |"] + rows + [""]
    diag: dict[str, tuple[str, list[str]]] = {}
    for name, r in lh.items():
        for d in r.get("diagnostics", []):
            diag.setdefault(d["id"], (d["title"], []))[1].append(name)
    if diag:
        out += ["性能类里得分低于 0.5 的诊断（无权重，不直接计分）：" + "；".join(f"`{k}`（{t}：{'、'.join(v)}）" for k, (t, v) in diag.items()) + "。", ""]
    pages = [n for n in lh if n != BARE[0]]
    measured = ", ".join(f"{n} {perf_of(lh[n]):.2f}" for n in pages if "error" not in lh[n])
    goals.append((f"Lighthouse：性能中位数 ≥ {GOAL_PERF}，无障碍/最佳实践/SEO = 1.00（{len(pages)} 个页面）", f"性能 {measured}" if measured else "运行失败", ours_ok))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Lighthouse only: build, serve with nginx (gzip), measure our pages and bare Material.")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pages", default=",".join(slug for _n, _p, slug in PAGES), help="comma-separated slugs: " + ", ".join(slug for _n, _p, slug in PAGES))
    args = parser.parse_args(argv)
    wanted = {slug for slug in args.pages.split(",") if slug} | {BARE[2]}
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kb-lighthouse-") as tmp, served_sites(Path(tmp)) as served:
        served = {**served, "urls": {name: url for name, url in served["urls"].items() if slug_of(name) in wanted}}
        results = measure(served, args.runs)
    (OUT / "lighthouse.json").write_text(json.dumps(summary(results), ensure_ascii=False, indent=1), encoding="utf-8")
    print("\n".join(render(results, [])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
