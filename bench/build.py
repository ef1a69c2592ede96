"""Build cost of the real site: cold builds (with and without jieba's model
cache), warm rebuilds in one process, the hooks' share (event timers,
cProfile, and a build with the hooks removed), and how long `mkdocs serve`
takes to show an edit of data/platforms.yml."""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

from common import PY, ROOT, copy_project, cli_build, env_for, fmt_ms, fmt_s, get, free_port, hook_times, log, median, run_child, runs_list, spread, stop, total

GOAL_HOOKS_SHARE = 0.15  # our hooks' event handlers <= 15 % of a warm rebuild of `mkdocs serve` (CPU)
GOAL_SAVE_TO_PAGE = 2.0  # seconds from saving a file to the preview serving the change (median)


def drop_top_level_key(text: str, key: str) -> str:
    """Remove a top-level YAML key and its indented block from mkdocs.yml text."""
    out, skipping = [], False
    for line in text.splitlines(keepends=True):
        if re.match(rf"^{re.escape(key)}\s*:", line):
            skipping = True
            continue
        if skipping and (line.startswith((" ", "\t", "-")) or not line.strip()):
            continue
        skipping = False
        out.append(line)
    return "".join(out)


def measure(work: Path, runs: int) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    res: dict = {"runs": runs, "cold_nocache": [], "cold_cache": []}
    # Cold, no jieba cache: a fresh TMPDIR per run, so jieba rebuilds its model.
    for i in range(runs):
        tmp = work / f"cold-nocache-{i}"
        (tmp / "tmp").mkdir(parents=True)
        res["cold_nocache"].append(cli_build(ROOT, tmp / "site", env_for(TMPDIR=tmp / "tmp")))
        log(f"cold build without jieba cache: {res['cold_nocache'][-1]['seconds']:.2f} s")
    # Cold with cache: TMPDIR holds jieba.cache from a previous run.
    cache_dir = work / "cold-nocache-0" / "tmp"
    for i in range(runs):
        res["cold_cache"].append(cli_build(ROOT, work / f"cold-cache-{i}", env_for(TMPDIR=cache_dir)))
        log(f"cold build with jieba cache: {res['cold_cache'][-1]['seconds']:.2f} s")

    # Warm: one process, load_config + build again and again (what `serve` does).
    warm = run_child(ROOT, work / "warm-site", builds=runs + 1, env=env_for(TMPDIR=cache_dir))
    builds = warm["builds"][1:]
    res["warm"] = [b["seconds"] for b in builds]
    res["warm_cpu"] = [b["cpu"] for b in builds]
    res["pages"] = builds[-1]["pages"]
    events: dict[str, dict[str, list[float]]] = {}
    for b in builds:
        for origin, times in b["events_cpu"].items():
            for event, secs in times.items():
                events.setdefault(origin, {}).setdefault(event, []).append(secs)
    res["events_cpu"] = {o: {e: median(v) for e, v in t.items()} for o, t in events.items()}
    log(f"warm rebuild: median {median(res['warm']):.2f} s")

    # The same, rebuilt the way `mkdocs serve` does (the search index of a
    # preview is built in the background, outside the timed rebuild).
    served = run_child(ROOT, work / "warm-serve-site", builds=runs + 1, env=env_for(TMPDIR=cache_dir), serve=True)
    sbuilds = served["builds"][1:]
    res["warm_serve"] = [b["seconds"] for b in sbuilds]
    res["warm_serve_cpu"] = [b["cpu"] for b in sbuilds]
    sevents: dict[str, dict[str, list[float]]] = {}
    for b in sbuilds:
        for origin, times in b["events_cpu"].items():
            for event, secs in times.items():
                sevents.setdefault(origin, {}).setdefault(event, []).append(secs)
    res["events_cpu_serve"] = {o: {e: median(v) for e, v in t.items()} for o, t in sevents.items()}
    log(f"warm rebuild as mkdocs serve: median {median(res['warm_serve']):.2f} s")

    prof = run_child(ROOT, work / "prof-site", builds=2, profile=True, env=env_for(TMPDIR=cache_dir))
    res["profile"] = prof["profile"]
    res["profile_build_seconds"] = prof["builds"][-1]["seconds"]

    # The same project without hooks: what the hooks cost in total, including
    # the work they cause elsewhere (generated pages, text added to every page).
    nohooks = copy_project(work / "nohooks")
    cfg = nohooks / "mkdocs.yml"
    cfg.write_text(drop_top_level_key(cfg.read_text(encoding="utf-8"), "hooks"), encoding="utf-8")
    bare = run_child(nohooks, work / "nohooks-site", builds=runs + 1, strict=False, env=env_for(TMPDIR=cache_dir))
    res["warm_nohooks_cpu"] = [b["cpu"] for b in bare["builds"][1:]]
    log(f"warm rebuild without hooks: median CPU {median(res['warm_nohooks_cpu']):.2f} s")
    return res


#: What an editor saves in `make serve`, and where the change must show:
#: (label, file, a line to append a token to, the page that shows it).
#: What `make serve` sets for `mkdocs serve` (Makefile, target serve).
SERVE_ENV = {"KB_GIT_DATES": "false"}

SERVE_EDITS = [
    ("data", "data/platforms.yml", r"^\s+value: \S", "platforms/wechat-vs-qq/"),
    ("page", "docs/tactics/seed-users.md", r"^[^-#\s<>|*][^:\n]*。$", "tactics/seed-users/"),
]


def measure_serve(work: Path, runs: int) -> dict:
    """Seconds from saving a data file, and a page, to the preview serving the new value."""
    project = copy_project(work / "serve-project")
    edits = []
    for label, rel, pattern, page in SERVE_EDITS:
        lines = (project / rel).read_text(encoding="utf-8").splitlines(keepends=True)
        target = next((i for i, line in enumerate(lines) if re.match(pattern, line)), None)
        if target is None:
            return {"error": f"no line to edit in {rel}"}
        edits.append((label, project / rel, lines, target, page))
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    log_path = work / "serve.log"
    with open(log_path, "w") as err:
        # The preview as `make serve` runs it: the Makefile leaves out the git dates (KB_GIT_DATES=false).
        proc = subprocess.Popen([PY, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}", "--livereload"], cwd=project, env=env_for(TMPDIR=work, **SERVE_ENV), stdout=err, stderr=subprocess.STDOUT)
    latencies: dict[str, list[float]] = {label: [] for label, *_ in edits}
    try:
        deadline = time.time() + 180
        while get(base + edits[0][4], 2) is None:
            if proc.poll() is not None:
                raise RuntimeError("mkdocs serve exited:\n" + log_path.read_text()[-3000:])
            if time.time() > deadline:
                raise RuntimeError("mkdocs serve did not come up")
            time.sleep(0.2)
        time.sleep(1.5)  # let the watcher settle after the first build
        for i in range(runs):
            for label, path, lines, target, page in edits:
                original = lines[target].rstrip("\n")
                token = f"BENCHEDIT{i}x{os.getpid()}"
                changed = list(lines)
                changed[target] = f"{original}{token}\n"
                start = time.perf_counter()
                path.write_text("".join(changed), encoding="utf-8")
                seen = None
                while time.perf_counter() - start < 120:
                    body = get(base + page, 5)
                    if body and token in body:
                        seen = time.perf_counter() - start
                        break
                    time.sleep(0.05)
                if seen is None:
                    raise RuntimeError(f"the edit of {path.name} never showed up")
                latencies[label].append(seen)
                log(f"serve: edit of {path.name} visible after {seen:.2f} s")
                time.sleep(2.5)  # the background search index of the preview settles
    finally:
        stop(proc, timeout=20)
    built = [float(m) for m in re.findall(r"Documentation built in ([0-9.]+) seconds", log_path.read_text())]
    return {"latency": latencies["data"] + latencies["page"], "latency_data": latencies["data"], "latency_page": latencies["page"], "serve_builds": built[1:]}


def summary(b: dict) -> dict:
    """The numbers the report and results.json use."""
    warm_cpu = median(b["warm_cpu"])
    hooks = hook_times(b["events_cpu"])
    hooks_cpu = total(hooks)
    nohooks = median(b["warm_nohooks_cpu"])
    col = lambda rows, key: [r[key] for r in rows]  # noqa: E731
    return {
        "pages": b["pages"],
        "runs": b["runs"],
        "cold_nocache_s": median(col(b["cold_nocache"], "seconds")),
        "cold_cache_s": median(col(b["cold_cache"], "seconds")),
        "cold_nocache_cpu_s": median(col(b["cold_nocache"], "cpu")),
        "cold_cache_cpu_s": median(col(b["cold_cache"], "cpu")),
        "jieba_nocache_s": median(col(b["cold_nocache"], "jieba")),
        "jieba_cache_s": median(col(b["cold_cache"], "jieba")),
        "warm_s": median(b["warm"]),
        "warm_cpu_s": warm_cpu,
        "warm_nohooks_cpu_s": nohooks,
        "hooks_cpu_s": hooks_cpu,
        "hooks_share": hooks_cpu / warm_cpu,
        "hooks_total_share": (warm_cpu - nohooks) / warm_cpu,
        "hooks": {o: sum(t.values()) for o, t in hooks.items()},
        "warm_serve_s": median(b["warm_serve"]) if b.get("warm_serve") else None,
        "warm_serve_cpu_s": median(b["warm_serve_cpu"]) if b.get("warm_serve_cpu") else None,
        "hooks_serve_cpu_s": total(hook_times(b.get("events_cpu_serve") or {})),
        "hooks_serve_share": total(hook_times(b["events_cpu_serve"])) / median(b["warm_serve_cpu"]) if b.get("warm_serve_cpu") else None,
        "hooks_serve": {o: sum(t.values()) for o, t in hook_times(b.get("events_cpu_serve") or {}).items()},
        "plugins": {o: sum(t.values()) for o, t in b["events_cpu"].items() if not o.startswith("hooks/")},
    }


def render(b: dict, goals: list) -> list[str]:
    s = summary(b)
    col = lambda rows, key: [r[key] for r in rows]  # noqa: E731
    out = ["## 构建耗时 {#build-time}", "", f"真实站点（{s['pages']} 个页面，含决策树生成的页面），每项 {s['runs']} 次，取中位数。", ""]
    out += ["| 场景 | 中位数 | 各次 |", "| --- | --- | --- |"]
    rows = [
        ("冷构建（墙钟）：新进程 `mkdocs build --strict`、空 site 目录、无 jieba 缓存（TMPDIR 为空目录）", col(b["cold_nocache"], "seconds")),
        ("冷构建（墙钟）：同上，有 jieba 缓存（`$TMPDIR/jieba.cache`）", col(b["cold_cache"], "seconds")),
        ("冷构建（CPU，子进程 user+sys）：无 jieba 缓存", col(b["cold_nocache"], "cpu")),
        ("冷构建（CPU，子进程 user+sys）：有 jieba 缓存", col(b["cold_cache"], "cpu")),
        ("其中 jieba 加载词典（jieba 自报 `Loading model cost`）：无缓存", [x for x in col(b["cold_nocache"], "jieba") if x is not None]),
        ("其中 jieba 加载词典：有缓存", [x for x in col(b["cold_cache"], "jieba") if x is not None]),
        ("热构建（墙钟）：同一进程里再次 `load_config` + `build`（`mkdocs serve` 重建的情形）", b["warm"]),
        ("热构建（进程 CPU 时间）", b["warm_cpu"]),
        ("热构建（CPU），去掉 mkdocs.yml 的 `hooks:`（非 strict）", b["warm_nohooks_cpu"]),
        ("`mkdocs serve` 式的热重建（墙钟）：`on_startup('serve')`、`serve_url`，搜索索引在单独的工作进程里建、不计入", b.get("warm_serve") or []),
        ("`mkdocs serve` 式的热重建（进程 CPU 时间）", b.get("warm_serve_cpu") or []),
    ]
    for label, values in rows:
        if not values:
            continue  # e.g. jieba printed no load time in this run
        out.append(f"| {label} | {fmt_s(median(values))} | {runs_list(values)} |")
    out.append("")
    # jieba's cache: a verdict from the runs, not a fixed sentence.
    nocache, cache = [x for x in col(b["cold_nocache"], "jieba") if x is not None], [x for x in col(b["cold_cache"], "jieba") if x is not None]
    if nocache and cache:
        saved = median(nocache) - median(cache)
        noise = max(spread(nocache), spread(cache))
        verdict = (
            f"缓存省下 {fmt_s(saved)}，大于各次之间的波动（{fmt_s(noise)}）" if saved > noise
            else f"两者之差 {fmt_s(saved)} 不超过各次之间的波动（{fmt_s(noise)}），这次运行里缓存没有可测的收益"
        )
        out += [f"jieba 加载词典：无缓存 {fmt_s(median(nocache))}，有缓存 {fmt_s(median(cache))}；{verdict}。"
                f"冷构建（CPU，有缓存）比热构建（CPU）多 {fmt_s(s['cold_cache_cpu_s'] - s['warm_cpu_s'])}：Python 启动和导入、词典加载、模板和 Markdown 扩展的首次准备。", ""]

    out += ["### 钩子占构建时间的比例 {#hooks-share}", ""]
    out += [
        "给每个插件和钩子的事件处理函数包上计时器（进程 CPU 时间），取热构建的中位数；cProfile 列是另一次热构建在 cProfile 下"
        "`hooks/*.py` 里 `on_*` 函数的累计时间（cProfile 本身让一切变慢）。",
        "",
        "| 钩子模块 | 合计（CPU） | 占热构建 | cProfile 累计 |",
        "| --- | --- | --- | --- |",
    ]
    per_hook_prof = (b.get("profile") or {}).get("per_hook", {})
    prof_build = b.get("profile_build_seconds") or float("nan")
    for origin, secs in sorted(s["hooks"].items()):
        out.append(f"| `{origin}` | {fmt_ms(secs)} | {secs / s['warm_cpu_s']:.1%} | {fmt_ms(sum(per_hook_prof.get(origin, {}).values()))} |")
    prof_total = sum(sum(v.values()) for v in per_hook_prof.values())
    out.append(f"| **全部钩子** | **{fmt_ms(s['hooks_cpu_s'])}** | **{s['hooks_share']:.1%}** | {fmt_ms(prof_total)}（cProfile 下整次构建 {fmt_s(prof_build)}） |")
    out.append("")
    entries = (b.get("profile") or {}).get("entries") or {}
    if entries:
        by_file: dict[str, float] = {}
        for key, ct in entries.items():
            by_file[key.split(":", 1)[0]] = by_file.get(key.split(":", 1)[0], 0.0) + ct
        out.append(
            f"cProfile 里我们全部代码的时间（`hooks/` 下入口函数的累计时间之和，含钩子注册的 Markdown 扩展）：{fmt_s(sum(entries.values()))}，"
            f"占 cProfile 下整次构建的 {sum(entries.values()) / prof_build:.1%}。按文件："
            + "，".join(f"`{f}` {fmt_ms(v)}" for f, v in sorted(by_file.items(), key=lambda kv: -kv[1]) if v >= 0.001) + "。"
        )
        out.append("")
    out.append(
        f"钩子的总代价（热构建减去去掉钩子后的热构建，CPU）：{fmt_s(s['warm_cpu_s'] - s['warm_nohooks_cpu_s'])}，占 {s['hooks_total_share']:.1%}。"
        "这里除了钩子自己的事件，还包括它们生成的页面（决策树每个节点一页）和加进每页的内容让 Markdown、主题和其他插件多做的工作。"
    )
    out.append("")
    if s["plugins"]:
        out.append("其他插件的事件耗时（热构建中位数，CPU）：" + "，".join(f"`{o}` {fmt_ms(v)}" for o, v in sorted(s["plugins"].items(), key=lambda kv: -kv[1]) if v > 0.0005) + "。")
        out.append("")
    kb_top = (b.get("profile") or {}).get("kb_top", [])
    if kb_top:
        out += ["钩子代码里累计时间最多的函数（cProfile）：", "", "| 函数 | 调用次数 | 自身 | 累计 |", "| --- | --- | --- | --- |"]
        out += [f"| `{f['func']}` | {f['calls']} | {fmt_ms(f['tottime'])} | {fmt_ms(f['cumtime'])} |" for f in kb_top]
        out.append("")
    if s.get("hooks_serve_share") is not None:
        out.append(
            f"`mkdocs serve` 式的热重建（预览每次保存后做的事）：钩子事件 {fmt_ms(s['hooks_serve_cpu_s'])}，占 {s['hooks_serve_share']:.1%}（CPU）。按模块："
            + "，".join(f"`{o}` {fmt_ms(v)}" for o, v in sorted(s["hooks_serve"].items(), key=lambda kv: -kv[1]) if v >= 0.001)
            + "。预览里搜索索引在单独的工作进程里、按页面文字是否变了才重建，jieba 在那个进程里只加载一次；主题模板每个 serve 只编译一次，没改过的数据文件不再重新解析（`hooks/kb/serve_cache.py`、`hooks/kb/yamlio.py`）；`make build` 每次完整建索引，上表的热构建就是它。"
        )
        out.append("")
        goals.append(("钩子事件 ≤ 15% `mkdocs serve` 热重建时间（CPU）", f"{s['hooks_serve_share']:.1%}（`mkdocs build` 式热构建 {s['hooks_share']:.1%}）", s["hooks_serve_share"] <= GOAL_HOOKS_SHARE))
    else:
        goals.append(("钩子事件 ≤ 15% 热构建时间（CPU）", f"{s['hooks_share']:.1%}（含间接代价 {s['hooks_total_share']:.1%}）", s["hooks_share"] <= GOAL_HOOKS_SHARE))
    return out


def render_serve(sv: dict, goals: list | None = None) -> list[str]:
    out = ["### `mkdocs serve` 的改动生效时间 {#serve}", ""]
    if "error" in sv:
        return out + [f"未测：{sv['error']}", ""]
    rows = [
        ("保存 → 页面出现新值（全部）", sv["latency"]),
        ("其中改 `data/platforms.yml` 一个单元格 → `/platforms/wechat-vs-qq/`", sv.get("latency_data") or []),
        ("其中改 `docs/tactics/seed-users.md` 一行 → `/tactics/seed-users/`", sv.get("latency_page") or []),
        ("serve 自报的重建时间", sv["serve_builds"]),
    ]
    out += [
        "在项目的临时副本里像 `make serve` 那样启动 `mkdocs serve --livereload`（`KB_GIT_DATES=false`），轮流改一个数据文件和一个页面并保存，"
        "从保存到预览返回新内容的时间（每 50 ms 请求一次）。",
        "",
        "| 指标 | 中位数 | 各次 |",
        "| --- | --- | --- |",
    ]
    out += [f"| {label} | {fmt_s(median(values))} | {runs_list(values)} |" for label, values in rows if values]
    out.append("")
    if goals is not None:
        goals.append(("`make serve`：保存 → 页面 ≤ 2 s（中位数）", fmt_s(median(sv["latency"])), median(sv["latency"]) <= GOAL_SAVE_TO_PAGE))
    return out
