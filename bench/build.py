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

GOAL_HOOKS_SHARE = 0.10  # our hooks' event handlers < 10 % of a warm build (CPU)


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


def measure_serve(work: Path, runs: int) -> dict:
    """Seconds from saving data/platforms.yml to the page serving the new value."""
    project = copy_project(work / "serve-project")
    data = project / "data" / "platforms.yml"
    lines = data.read_text(encoding="utf-8").splitlines(keepends=True)
    target = next((i for i, line in enumerate(lines) if re.match(r"^\s+value: \S", line)), None)
    if target is None:
        return {"error": "no 'value:' line in data/platforms.yml"}
    port = free_port()
    url = f"http://127.0.0.1:{port}/platforms/wechat-vs-qq/"
    log_path = work / "serve.log"
    with open(log_path, "w") as err:
        proc = subprocess.Popen([PY, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}", "--livereload"], cwd=project, env=env_for(TMPDIR=work), stdout=err, stderr=subprocess.STDOUT)
    latencies = []
    try:
        deadline = time.time() + 180
        while get(url, 2) is None:
            if proc.poll() is not None:
                raise RuntimeError("mkdocs serve exited:\n" + log_path.read_text()[-3000:])
            if time.time() > deadline:
                raise RuntimeError("mkdocs serve did not come up")
            time.sleep(0.2)
        time.sleep(1.5)  # let the watcher settle after the first build
        original = lines[target].rstrip("\n")
        for i in range(runs):
            token = f"BENCHEDIT{i}x{os.getpid()}"
            lines[target] = f"{original}{token}\n"
            start = time.perf_counter()
            data.write_text("".join(lines), encoding="utf-8")
            seen = None
            while time.perf_counter() - start < 120:
                body = get(url, 5)
                if body and token in body:
                    seen = time.perf_counter() - start
                    break
                time.sleep(0.05)
            if seen is None:
                raise RuntimeError("the edit never showed up")
            latencies.append(seen)
            log(f"serve: edit visible after {seen:.2f} s")
            time.sleep(1.5)
    finally:
        stop(proc, timeout=20)
    built = [float(m) for m in re.findall(r"Documentation built in ([0-9.]+) seconds", log_path.read_text())]
    return {"latency": latencies, "serve_builds": built[1:]}


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
    goals.append(("钩子事件 < 10% 热构建时间（CPU）", f"{s['hooks_share']:.1%}（含间接代价 {s['hooks_total_share']:.1%}）", s["hooks_share"] < GOAL_HOOKS_SHARE))
    return out


def render_serve(sv: dict) -> list[str]:
    out = ["### `mkdocs serve` 的改动生效时间 {#serve}", ""]
    if "error" in sv:
        return out + [f"未测：{sv['error']}", ""]
    return out + [
        "在项目的临时副本里启动 `mkdocs serve --livereload`，改 `data/platforms.yml` 里一个单元格的值并保存，"
        "从保存到 `/platforms/wechat-vs-qq/` 返回新值的时间（每 50 ms 请求一次）。",
        "",
        "| 指标 | 中位数 | 各次 |",
        "| --- | --- | --- |",
        f"| 保存 → 页面出现新值 | {fmt_s(median(sv['latency']))} | {runs_list(sv['latency'])} |",
        f"| 其中 serve 自报的重建时间 | {fmt_s(median(sv['serve_builds']))} | {runs_list(sv['serve_builds'])} |",
        "",
    ]
