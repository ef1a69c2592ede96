#!/usr/bin/env python3
"""The whole benchmark in one run (`make bench`): build cost, scale, page
weight, Lighthouse, then the search benchmark (bench/search.py, run as it is).
Writes bench/README.md (generated, every number and verdict from this run),
bench/results.json (compact, machine-readable, committed) and the raw
measurements to bench/out/raw.json (not committed).

    python bench/report.py            # everything (about 20-30 minutes)
    python bench/report.py --quick    # fewer runs, no 50x / 1,000-node / 200-dimension builds, search --quick
    python bench/report.py --full     # also 50x with every copy in the nav
    python bench/report.py --render   # rewrite README.md and results.json from bench/out/raw.json
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import build
import lighthouse
import scale
import weight
from common import BENCH, OUT, PY, ROOT, env_info, fmt_s, kib, log, served_sites

README = BENCH / "README.md"
RESULTS = BENCH / "results.json"
RAW = OUT / "raw.json"
SEARCH_MD = OUT / "search.md"
SEARCH_JSON = BENCH / "results-search.json"


def measure(args) -> dict:
    results = {"env": env_info(), "options": {"quick": args.quick, "full": args.full}}
    runs = 3 if args.quick else 5
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kb-bench-") as tmp:
        work = Path(tmp)
        log("build cost")
        results["build"] = build.measure(work / "build", runs)
        log("mkdocs serve reaction time")
        results["serve"] = build.measure_serve(work / "serve", 3)
        log("scale")
        results["scale"] = scale.measure(work / "scale", args.quick, args.full)
        log("weight and Lighthouse")
        with served_sites(work / "web") as served:
            results["weight"] = weight.measure(served)
            results["lighthouse"] = lighthouse.measure(served, 1 if args.quick else 3)
    log("search (bench/search.py)")
    cmd = [PY, str(BENCH / "search.py")] + (["--quick"] if args.quick else [])
    search_started = time.time()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    fresh = SEARCH_MD.exists() and SEARCH_MD.stat().st_mtime >= search_started
    results["search"] = {"returncode": proc.returncode, "fresh": fresh, "stderr_tail": proc.stderr[-2000:] if proc.returncode else ""}
    results["env"]["seconds"] = time.perf_counter() - started
    results["env"]["load_end"] = os.getloadavg()[0]
    return results


def compact(results: dict) -> dict:
    """What bench/results.json keeps: the numbers of the report, no raw lists."""
    out = {"env": results["env"], "options": results["options"]}
    out["build"] = build.summary(results["build"])
    sv = results["serve"]
    out["serve"] = sv if "error" in sv else {"latency_s": sorted(sv["latency"]), "latency_data_s": sorted(sv.get("latency_data", [])), "latency_page_s": sorted(sv.get("latency_page", [])), "serve_builds_s": sv["serve_builds"]}
    sc = results["scale"]
    out["scale"] = {k: {key: c[key] for key in ("pages", "cpu", "seconds", "hooks_cpu", "added_pages", "tree", "dims", "factor", "in_nav")} for k, c in sc["cases"].items()}
    out["scale_ratio_to_1x"] = scale.ratios(sc)
    out["weight"] = weight.summary(results["weight"])
    out["lighthouse"] = lighthouse.summary(results["lighthouse"])
    out["search"] = {"ran": results["search"]["returncode"] == 0, "report_included": bool(results["search"].get("fresh")), "file": SEARCH_JSON.name if results["search"].get("fresh") else None}
    out["goals"] = [{"goal": g, "measured": v, "met": ok} for g, v, ok in results.get("goals", [])]
    return out


def machine_note(env: dict) -> str:
    cpus = env.get("cpus") or 1
    start, end = env.get("load_start", 0.0), env.get("load_end", 0.0)
    busy = max(start, end) > 0.5 * cpus
    note = f"开始/结束时的 1 分钟负载 {start:.1f} / {end:.1f}（{cpus} 核）"
    return note + ("：机器上同时有别的进程在跑，墙钟时间偏大、偏散，比较时看 CPU 时间。" if busy else "：机器基本空闲。")


def what_the_numbers_say(results: dict, goals: list) -> list[str]:
    """Verdicts computed from this run's numbers (no fixed sentences)."""
    out = ["## 这些数字说明什么 {#verdicts}", "", "以下每一条都是从本次运行的数字算出来的。", ""]
    missed = [(g, v) for g, v, ok in goals if not ok]
    out.append(f"- 目标：{len(goals) - len(missed)} / {len(goals)} 项达标" + ("。" if not missed else "；未达标：" + "；".join(f"{g}（实测 {v}）" for g, v in missed) + "。"))
    b = build.summary(results["build"])
    top_hook = max(b["hooks"].items(), key=lambda kv: kv[1]) if b["hooks"] else None
    top_plugin = max(b["plugins"].items(), key=lambda kv: kv[1]) if b["plugins"] else None
    line = f"- 构建：热构建 {fmt_s(b['warm_cpu_s'])} CPU，钩子事件占 {b['hooks_share']:.1%}，连同它们引起的工作占 {b['hooks_total_share']:.1%}"
    if b.get("hooks_serve_share") is not None:
        line += f"；`mkdocs serve` 式的热重建 {fmt_s(b['warm_serve_cpu_s'])} CPU，钩子事件占 {b['hooks_serve_share']:.1%}"
    if top_hook:
        line += f"；最贵的钩子是 `{top_hook[0]}`（{fmt_s(top_hook[1])}）"
    if top_plugin:
        line += f"；钩子之外最贵的插件是 `{top_plugin[0]}`（{fmt_s(top_plugin[1])}）"
    out.append(line + "。")
    ratio = scale.ratios(results["scale"])
    if ratio:
        worst = max(ratio.items(), key=lambda kv: kv[1])
        out.append(f"- 规模：每页 CPU 相对 ×1 的倍数 " + "，".join(f"{scale.LABELS[k]} {v:.2f}×" for k, v in ratio.items()) + f"；增长最快的是「{scale.LABELS[worst[0]]}」。")
        rows = scale.superlinear(results["scale"]["cases"].get("pages-1x"), results["scale"]["cases"].get("pages-10x", {}), limit=3)
        if rows:
            out.append("  ×10 时超出线性外推最多的函数：" + "，".join(f"`{f['func']}`（+{fmt_s(excess)}）" for excess, f, _b in rows) + "。")
    w = results["weight"]["pages"]
    bare = w.get(weight_bare_name())
    for name, p in w.items():
        if name == weight_bare_name():
            continue
        biggest = max(p["by_kind"].items(), key=lambda kv: kv[1])
        extra = f"，比空白 Material 多 {kib(p['total'] - bare['total'])}" if bare else ""
        out.append(f"- 重量：{name} 首次加载 {kib(p['total'])}（{p['requests']} 个请求{extra}），最大的一类是 {weight.KIND_NAMES[biggest[0]]}（{kib(biggest[1])}，{biggest[1] / p['total']:.0%}）。")
    lh = results["lighthouse"]
    for name, r in lh.items():
        if name == weight_bare_name():
            continue
        if "error" in r:
            out.append(f"- Lighthouse：{name} 没有跑成。")
            continue
        below = {cid: items for cid, items in (r.get("failing") or {}).items()}
        bare = lh.get(weight_bare_name()) or {}
        tbt, bare_tbt = lighthouse.tbt_of(r), (lighthouse.tbt_of(bare) if "error" not in bare and bare else None)
        blocking = f"，TBT 中位数 {tbt:,.0f} ms" + (f"（{weight_bare_name()} {bare_tbt:,.0f} ms）" if bare_tbt is not None else "") if tbt is not None else ""
        if not below and lighthouse.meets_goal(r):
            out.append(f"- Lighthouse：{name} 四类都达标（性能中位数 {lighthouse.perf_of(r):.2f}{blocking}）。")
            continue
        parts = []
        for cid, items in below.items():
            worst = sorted(items, key=lambda i: (-(i.get("weight") or 0), i["score"]))[:2]
            parts.append(f"{lighthouse.CATEGORIES.get(cid, cid)} {r['scores'].get(cid, 0):.2f}：" + "、".join(f"`{i['id']}`（{i['score']:.2f}）" for i in worst))
        head = f"性能中位数 {lighthouse.perf_of(r):.2f}{blocking}" + ("" if lighthouse.meets_goal(r) else f"，目标 {lighthouse.GOAL_PERF}")
        out.append(f"- Lighthouse：{name} {head}" + ("；" + "；".join(parts) if parts else "") + "。")
    out.append("")
    return out


def weight_bare_name() -> str:
    from common import BARE

    return BARE[0]


def render(results: dict) -> str:
    env = results["env"]
    goals: list = []
    body: list[str] = []
    body += build.render(results["build"], goals)
    body += build.render_serve(results["serve"], goals)
    body += scale.render(results["scale"], goals)
    body += weight.render(results["weight"], goals)
    body += lighthouse.render(results["lighthouse"], goals)
    results["goals"] = goals
    head = [
        "# 基准测试",
        "",
        "<!-- 这个文件由 `make bench`（bench/report.py）生成，不要手改：改脚本，再跑一次。 -->",
        "",
        f"**本文件由 `make bench`（`bench/report.py`）在 {env['date']} 的一次运行中生成，所有数字和结论都来自这次运行。**"
        f"代码版本 `{env.get('commit', '?')}`{'（工作区有未提交的改动）' if env.get('dirty') else ''}；"
        f"机器 {env.get('cpus', '?')} 核，Python {env.get('python', '?')}，MkDocs {env.get('mkdocs', '?')}，Material {env.get('material', '?')}，"
        f"Lighthouse {env.get('lighthouse', '?')}，{env.get('chromium', '')}；整次运行 {env.get('seconds', 0) / 60:.1f} 分钟；{machine_note(env)}"
        + ("（`--quick`：次数少、规模小。）" if results["options"].get("quick") else ""),
        "",
        "机器可读的结果在 [`results.json`](results.json)（搜索：[`results-search.json`](results-search.json)），原始数据在 `bench/out/raw.json`，Lighthouse 报告在 `bench/out/lighthouse/`（后两者不入库）。",
        "",
    ]
    goal_table = ["## 目标对照 {#goals}", "", "| 目标 | 实测 | 结论 |", "| --- | --- | --- |"]
    goal_table += [f"| {g} | {v} | {'达标' if ok else '**未达标**'} |" for g, v, ok in goals] + [""]
    search = ["## 搜索 {#search}", ""]
    if results["search"]["returncode"] == 0 and results["search"].get("fresh") and SEARCH_MD.exists():
        text = SEARCH_MD.read_text(encoding="utf-8").strip()
        # search.py's own headings move one level down under this section.
        search += [("#" + line) if line.startswith("#") else line for line in text.splitlines()] + [""]
    elif results["search"]["returncode"] == 0:
        search += ["`bench/search.py --quick` 只在终端打印命中率、不写报告，所以这次没有搜索一节；不加 `--quick` 运行即有。", ""]
    else:
        search += [f"`bench/search.py` 这次没有跑成（退出码 {results['search']['returncode']}）：", "", "```", results["search"].get("stderr_tail", "").strip(), "```", ""]
    return "\n".join(head + what_the_numbers_say(results, goals) + goal_table + body + search).rstrip() + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--render", action="store_true", help="only re-render from bench/out/raw.json")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.render:
        results = json.loads(RAW.read_text(encoding="utf-8"))
    else:
        results = measure(args)
        RAW.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    README.write_text(render(results), encoding="utf-8")
    RESULTS.write_text(json.dumps(compact(results), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    log(f"wrote {README.relative_to(ROOT)} and {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
