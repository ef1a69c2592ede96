#!/usr/bin/env python3
"""Build and page benchmarks: `make bench` (= .venv/bin/python bench/run.py).

Measures, in one run, and writes the tables into bench/README.md under
"## 构建与页面性能" (other sections of that file are left as they are):

1. build cost: cold builds (fresh process, empty site dir; with and without
   jieba's model cache), warm rebuilds in one process, the hooks' share
   (event timers, cProfile, and a build with the hooks removed), and how long
   `mkdocs serve` takes to show an edit of data/platforms.yml;
2. scale: 10x and 50x the content pages, a 1,000-node decision tree and a
   200-dimension comparison, built in throwaway copies of the project;
3. weight: bytes over the wire (gzip, nginx) for the first load of four pages
   and of a bare Material page, by kind, measured in Chromium;
4. Lighthouse scores (mobile) for the same pages, with the failing audits.

Everything runs on 127.0.0.1 in temporary directories; raw results go to
bench/out/ (not committed). Options: --quick (fewer runs, smaller scale),
--only build,serve,scale,web, --render (rewrite the tables from
bench/out/results.json without measuring).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
OUT = BENCH / "out"
README = BENCH / "README.md"
SECTION = "## 构建与页面性能"
PY = sys.executable
sys.path.insert(0, str(ROOT / "tests"))
from siteutil import CHROMIUM_ARGS, chromium_path  # noqa: E402
CHROMIUM = chromium_path() or "/usr/bin/chromium"
CHROME_FLAGS = ["--headless", *CHROMIUM_ARGS]
# Pages measured for weight and Lighthouse (site-relative URLs).
PAGES = [
    ("首页", ""),
    ("清单页", "checklists/launch/"),
    ("对比页", "platforms/wechat-vs-qq/"),
    ("导航页", "navigator/"),
]
# Content sections whose pages are copied to make the site bigger.
CONTENT_SECTIONS = ("basics/", "tactics/", "cases/", "checklists/", "platforms/")
COPY_IGNORE = shutil.ignore_patterns(".venv", "node_modules", "site", ".git", ".pytest_cache", "__pycache__", "bench", ".cache", "*.pyc")

GOALS = {
    "hooks_share": 0.10,  # hooks < 10 % of build time
    "scale_ratio": 1.25,  # per-page time at 50x within 1.25x of 1x
    "own_gzip": 15 * 1024,  # our own CSS + JS < 15 KB gzip
    "perf": 0.95,
}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def median(values):
    return statistics.median(values) if values else float("nan")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def env_for(**extra) -> dict:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    env.update({k: str(v) for k, v in extra.items()})
    return env


def copy_project(dest: Path) -> Path:
    shutil.copytree(ROOT, dest, ignore=COPY_IGNORE)
    return dest


# --------------------------------------------------------------------------
# Child process: in-process builds with event timers and optional cProfile.
# --------------------------------------------------------------------------


class EventTimer:
    """Wrap every plugin/hook event handler of a loaded config with a timer."""

    def __init__(self, config):
        self.times: dict[str, dict[str, float]] = {}
        self.cpu: dict[str, dict[str, float]] = {}
        plugins = config.plugins
        for event, methods in plugins.events.items():
            for i, method in enumerate(list(methods)):
                origin = plugins._event_origins.get(method, "<unknown>")
                wrapped = self._wrap(method, origin, event)
                methods[i] = wrapped
                plugins._event_origins[wrapped] = origin

    def _wrap(self, method, origin, event):
        times = self.times.setdefault(origin, {})
        cpu = self.cpu.setdefault(origin, {})
        clock, cpu_clock = time.perf_counter, time.process_time

        def timed(*args, **kwargs):
            start, cpu_start = clock(), cpu_clock()
            try:
                return method(*args, **kwargs)
            finally:
                times[event] = times.get(event, 0.0) + clock() - start
                cpu[event] = cpu.get(event, 0.0) + cpu_clock() - cpu_start

        timed.__name__ = getattr(method, "__name__", "event")
        return timed


def _profile_summary(profiler, hooks_dir: Path) -> dict:
    import pstats

    stats = pstats.Stats(profiler).stats
    hooks_prefix = str(hooks_dir.resolve()) + os.sep
    per_hook: dict[str, dict[str, float]] = {}
    kb_funcs = []
    top = []
    total_tt = 0.0
    for (filename, line, func), (cc, nc, tt, ct, _callers) in stats.items():
        total_tt += tt
        name = f"{Path(filename).name}:{line}({func})" if filename != "~" else func
        if filename.startswith(hooks_prefix):
            rel = os.path.relpath(filename, hooks_dir.parent)
            if os.sep not in os.path.relpath(filename, hooks_dir) and func.startswith("on_"):
                per_hook.setdefault(rel, {})[func] = ct
            kb_funcs.append({"func": f"{rel}:{line}({func})", "calls": nc, "tottime": tt, "cumtime": ct})
        short = filename
        for marker in ("site-packages" + os.sep, str(hooks_dir.parent) + os.sep):
            if marker in short:
                short = short.split(marker, 1)[1]
        top.append({"func": f"{short}:{line}({func})" if filename != "~" else func, "calls": nc, "tottime": tt, "cumtime": ct})
    # Entry points into our code: functions under hooks/ not called from hooks/.
    # Their cumulative time counts everything our code costs (hook events and
    # the Markdown extension the hooks register), each call once.
    entries: dict[str, float] = {}
    for (filename, line, func), (cc, nc, tt, ct, callers) in stats.items():
        if not filename.startswith(hooks_prefix):
            continue
        if any(caller[0].startswith(hooks_prefix) for caller in callers):
            continue
        if all(caller[0] == "~" for caller in callers):
            continue  # a callback through a builtin (re.sub, sorted): our own code called it
        rel = os.path.relpath(filename, hooks_dir.parent)
        entries[f"{rel}:{line}({func})"] = ct
    kb_funcs.sort(key=lambda f: -f["cumtime"])
    top.sort(key=lambda f: -f["tottime"])
    return {"per_hook": per_hook, "entries": entries, "kb_top": kb_funcs[:25], "top_tottime": top[:400], "total_tottime": total_tt}


def child_main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="run.py --child")
    parser.add_argument("--project", type=Path, required=True)
    parser.add_argument("--site", type=Path, required=True)
    parser.add_argument("--builds", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="cProfile the last build")
    parser.add_argument("--no-strict", action="store_true")
    parser.add_argument("--write-manifest", action="store_true", help="rewrite data/permalinks.yml first (synthetic copies)")
    parser.add_argument("--profile-out", type=Path, help="also dump the raw cProfile stats here")
    parser.add_argument("--prewarm", action="store_true", help="load jieba's model before the first build")
    parser.add_argument("--warmup", type=Path, help="build this project once first (imports, jieba) and do not count it")
    args = parser.parse_args(argv)

    import logging

    project = args.project.resolve()
    os.chdir(project)
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)
    logging.getLogger("mkdocs").addHandler(handler)
    logging.getLogger("mkdocs").setLevel(logging.WARNING)

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    if args.prewarm:
        with contextlib.suppress(ImportError):
            import jieba

            jieba.initialize()

    if args.warmup:
        warm_site = args.site.with_name(args.site.name + "-warmup")
        build(load_config(str(args.warmup.resolve() / "mkdocs.yml"), site_dir=str(warm_site), strict=False))
        shutil.rmtree(warm_site, ignore_errors=True)

    if args.write_manifest:
        manifest = project / "data" / "permalinks.yml"
        moved_text = manifest.read_text(encoding="utf-8") if manifest.exists() else None
        if manifest.exists():
            manifest.unlink()
        sys.path.insert(0, str(project / "hooks"))
        from kb import build as kb_build  # noqa: E402
        from kb import permalinks  # noqa: E402

        cfg = load_config(str(project / "mkdocs.yml"))
        prepared = kb_build.prepare(project, Path(cfg.docs_dir), cfg.nav)
        text = permalinks.render_manifest(prepared)
        if moved_text is not None:
            # Keep moved: entries only if their targets still exist in this copy.
            pass
        manifest.write_text(text, encoding="utf-8")

    results = []
    profile = None
    for i in range(args.builds):
        if args.site.exists():
            shutil.rmtree(args.site)
        profiler = None
        if args.profile and i == args.builds - 1:
            import cProfile

            profiler = cProfile.Profile()
        start, cpu_start = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        cfg = load_config(str(project / "mkdocs.yml"), site_dir=str(args.site), strict=not args.no_strict)
        timer = EventTimer(cfg)
        build(cfg)
        if profiler:
            profiler.disable()
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        pages = sum(1 for _ in args.site.rglob("index.html"))
        results.append({"seconds": elapsed, "cpu": cpu, "events": timer.times, "events_cpu": timer.cpu, "pages": pages})
        if profiler:
            profile = _profile_summary(profiler, project / "hooks")
            if args.profile_out:
                profiler.dump_stats(str(args.profile_out))
    print("BENCHJSON " + json.dumps({"builds": results, "profile": profile}, ensure_ascii=False))


def run_child(project: Path, site: Path, builds: int = 1, profile: bool = False, strict: bool = True, write_manifest: bool = False, env: dict | None = None, timeout: int = 1200, prewarm: bool = False, warmup: Path | None = None) -> dict:
    cmd = [PY, str(Path(__file__).resolve()), "--child", "--project", str(project), "--site", str(site), "--builds", str(builds)]
    if prewarm:
        cmd.append("--prewarm")
    if warmup:
        cmd += ["--warmup", str(warmup)]
    if profile:
        cmd.append("--profile")
    if not strict:
        cmd.append("--no-strict")
    if write_manifest:
        cmd.append("--write-manifest")
    proc = subprocess.run(cmd, env=env or env_for(), capture_output=True, text=True, timeout=timeout)
    for line in proc.stdout.splitlines():
        if line.startswith("BENCHJSON "):
            return json.loads(line[len("BENCHJSON "):])
    raise RuntimeError(f"child build failed ({proc.returncode}):\n{proc.stderr[-4000:]}")


LAST_CLI: dict = {}


def cli_build(project: Path, site: Path, env: dict) -> float:
    """Wall time of `mkdocs build --strict`; CPU time and jieba's load time go to LAST_CLI."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([PY, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)], cwd=project, env=env, capture_output=True, text=True, timeout=900)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"mkdocs build failed:\n{proc.stderr[-4000:]}")
    jieba = re.findall(r"Loading model cost ([0-9.]+) seconds", proc.stderr)
    LAST_CLI.clear()
    LAST_CLI.update(cpu=(after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), jieba=float(jieba[-1]) if jieba else None, jieba_built="Dumping model to file cache" in proc.stderr)
    return elapsed


# --------------------------------------------------------------------------
# 1. Build cost
# --------------------------------------------------------------------------


def hook_times(events: dict) -> dict[str, dict[str, float]]:
    return {origin: times for origin, times in events.items() if origin.startswith("hooks/")}


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


def bench_build(work: Path, runs: int) -> dict:
    res: dict = {"runs": runs}
    # Cold, no jieba cache: a fresh TMPDIR per run, so jieba rebuilds its model.
    cold_nocache = []
    for i in range(runs):
        tmp = work / f"cold-nocache-{i}"
        (tmp / "tmp").mkdir(parents=True)
        cold_nocache.append(cli_build(ROOT, tmp / "site", env_for(TMPDIR=tmp / "tmp")))
        res.setdefault("cold_nocache_cpu", []).append(LAST_CLI["cpu"])
        res.setdefault("jieba_nocache", []).append(LAST_CLI["jieba"])
        log(f"cold build without jieba cache: {cold_nocache[-1]:.2f} s")
    # Cold with cache: TMPDIR holds jieba.cache from a previous run.
    cache_dir = work / "cold-nocache-0" / "tmp"
    cold_cache = []
    for i in range(runs):
        site = work / f"cold-cache-{i}"
        cold_cache.append(cli_build(ROOT, site, env_for(TMPDIR=cache_dir)))
        res.setdefault("cold_cache_cpu", []).append(LAST_CLI["cpu"])
        res.setdefault("jieba_cache", []).append(LAST_CLI["jieba"])
        log(f"cold build with jieba cache: {cold_cache[-1]:.2f} s")
    res["cold_nocache"] = cold_nocache
    res["cold_cache"] = cold_cache

    # Warm: one process, load_config + build again and again (what `serve` does).
    warm = run_child(ROOT, work / "warm-site", builds=runs + 1, env=env_for(TMPDIR=cache_dir))
    builds = warm["builds"][1:]
    res["warm"] = [b["seconds"] for b in builds]
    res["warm_cpu"] = [b["cpu"] for b in builds]
    res["first_in_process"] = warm["builds"][0]["seconds"]
    res["pages"] = builds[-1]["pages"]
    # Per-event times of every plugin and hook, median over the warm builds.
    for key in ("events", "events_cpu"):
        events: dict[str, dict[str, list[float]]] = {}
        for b in builds:
            for origin, times in b[key].items():
                for event, secs in times.items():
                    events.setdefault(origin, {}).setdefault(event, []).append(secs)
        res[key] = {o: {e: median(v) for e, v in t.items()} for o, t in events.items()}
    log(f"warm rebuild: median {median(res['warm']):.2f} s")

    # cProfile of one warm build.
    prof = run_child(ROOT, work / "prof-site", builds=2, profile=True, env=env_for(TMPDIR=cache_dir))
    res["profile"] = prof["profile"]
    res["profile_build_seconds"] = prof["builds"][-1]["seconds"]

    # The same project without hooks: what the hooks cost in total, including
    # the work they cause elsewhere (e.g. abbreviations on every page).
    nohooks = copy_project(work / "nohooks")
    cfg = nohooks / "mkdocs.yml"
    cfg.write_text(drop_top_level_key(cfg.read_text(encoding="utf-8"), "hooks"), encoding="utf-8")
    bare = run_child(nohooks, work / "nohooks-site", builds=runs + 1, strict=False, env=env_for(TMPDIR=cache_dir))
    res["warm_nohooks"] = [b["seconds"] for b in bare["builds"][1:]]
    res["warm_nohooks_cpu"] = [b["cpu"] for b in bare["builds"][1:]]
    log(f"warm rebuild without hooks: median {median(res['warm_nohooks']):.2f} s")
    return res


# --------------------------------------------------------------------------
# 1b. mkdocs serve: time from saving data/platforms.yml to the new value
# --------------------------------------------------------------------------


def _get(url: str, timeout: float = 5.0) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.read().decode("utf-8", "replace")
    except Exception:
        return None


def bench_serve(work: Path, runs: int) -> dict:
    project = copy_project(work / "serve-project")
    data = project / "data" / "platforms.yml"
    lines = data.read_text(encoding="utf-8").splitlines(keepends=True)
    target = next((i for i, line in enumerate(lines) if re.match(r"^\s+value: \S", line)), None)
    if target is None:
        return {"error": "no 'value:' line in data/platforms.yml"}
    port = free_port()
    url = f"http://127.0.0.1:{port}/platforms/wechat-vs-qq/"
    stderr_path = work / "serve.log"
    with open(stderr_path, "w") as err:
        proc = subprocess.Popen([PY, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}", "--livereload"], cwd=project, env=env_for(TMPDIR=work), stdout=err, stderr=subprocess.STDOUT)
    latencies = []
    try:
        deadline = time.time() + 180
        while time.time() < deadline:
            if _get(url, 2) is not None:
                break
            if proc.poll() is not None:
                raise RuntimeError("mkdocs serve exited:\n" + stderr_path.read_text()[-3000:])
            time.sleep(0.2)
        else:
            raise RuntimeError("mkdocs serve did not come up")
        time.sleep(1.5)  # let the watcher settle after the first build
        original = lines[target].rstrip("\n")
        for i in range(runs):
            token = f"BENCHEDIT{i}x{os.getpid()}"
            lines[target] = f"{original}{token}\n"
            start = time.perf_counter()
            data.write_text("".join(lines), encoding="utf-8")
            seen = None
            while time.perf_counter() - start < 120:
                body = _get(url, 5)
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
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    built = [float(m) for m in re.findall(r"Documentation built in ([0-9.]+) seconds", stderr_path.read_text())]
    return {"latency": latencies, "serve_builds": built[1:], "first_build": built[0] if built else None}


# --------------------------------------------------------------------------
# 2. Scale: synthetic content in copies of the project
# --------------------------------------------------------------------------

NAV_ENTRY = re.compile(r"^(?P<indent>\s*)- (?:[^:\n]+:\s*)?(?P<path>[\w./-]+\.md)\s*$")


def nav_insert(mkdocs_text: str, after: dict[str, list[str]]) -> str:
    """Insert nav entries after existing ones (path -> new paths), keeping indentation."""
    out = []
    for line in mkdocs_text.splitlines(keepends=True):
        out.append(line)
        match = NAV_ENTRY.match(line.rstrip("\n"))
        if match and match.group("path") in after:
            out.extend(f"{match.group('indent')}- {new}\n" for new in after.pop(match.group("path")))
    if after:
        raise RuntimeError(f"nav entries not found in mkdocs.yml: {sorted(after)}")
    return "".join(out)


def content_pages(docs: Path) -> list[str]:
    return sorted(
        p.relative_to(docs).as_posix()
        for p in docs.rglob("*.md")
        if p.relative_to(docs).as_posix().startswith(CONTENT_SECTIONS) and p.name != "index.md"
    )


def add_not_in_nav(mkdocs_text: str, pattern: str) -> str:
    if re.search(r"^not_in_nav:\s*\|\s*$", mkdocs_text, flags=re.M):
        return re.sub(r"^(not_in_nav:\s*\|\s*\n)", lambda m: m.group(1) + f"  {pattern}\n", mkdocs_text, count=1, flags=re.M)
    return mkdocs_text.rstrip("\n") + f"\nnot_in_nav: |\n  {pattern}\n"


def add_feature(mkdocs_text: str, feature: str) -> str:
    new, n = re.subn(r"^(  features:\s*\n)", lambda m: m.group(1) + f"    - {feature}\n", mkdocs_text, count=1, flags=re.M)
    if not n:
        raise RuntimeError("no theme features: list in mkdocs.yml")
    return new


def multiply_pages(project: Path, factor: int, in_nav: bool = True) -> int:
    """Copy each content page factor-1 times under new names (next to it in nav, or not in nav)."""
    docs = project / "docs"
    originals = content_pages(docs)
    cfg = project / "mkdocs.yml"
    text = cfg.read_text(encoding="utf-8")
    in_nav_now = set(m.group("path") for m in (NAV_ENTRY.match(line) for line in text.splitlines()) if m)
    after: dict[str, list[str]] = {}
    for rel in originals:
        source = (docs / rel).read_text(encoding="utf-8")
        for k in range(1, factor):
            new_rel = rel[: -len(".md")] + f"-x{k}.md"
            body = re.sub(r"^title: (.*)$", lambda m: f"title: {m.group(1)[:30]}（副本{k}）", source, count=1, flags=re.M)
            (docs / new_rel).write_text(body, encoding="utf-8")
            if rel in in_nav_now:
                after.setdefault(rel, []).append(new_rel)
    text = nav_insert(text, after) if in_nav else add_not_in_nav(text, "*-x[0-9]*.md")
    cfg.write_text(text, encoding="utf-8")
    return len(originals) * (factor - 1)


def _yaml_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def link_targets(project: Path) -> dict[str, list[str]]:
    docs = project / "docs"
    pages = content_pages(docs)
    return {
        "tactics": [p for p in pages if p.startswith("tactics/")],
        "checklists": [p for p in pages if p.startswith("checklists/")],
        "cases": [p for p in pages if p.startswith("cases/")],
    }


def platform_dims(project: Path) -> list[str]:
    import yaml

    data = yaml.safe_load((project / "data" / "platforms.yml").read_text(encoding="utf-8"))
    return [d["id"] for g in data["groups"] for d in g["dimensions"]]


def source_ids(project: Path) -> list[str]:
    import yaml

    data = yaml.safe_load((project / "data" / "sources.yml").read_text(encoding="utf-8"))
    return [s["id"] for s in data["sources"]]


def synthetic_tree(project: Path, n: int) -> str:
    """A valid decision tree of exactly n nodes (branching 3; the start takes 2-4)."""
    k0 = {0: 3, 1: 4, 2: 2}[n % 3]
    questions = (n - k0) // 3
    links = link_targets(project)
    dims = platform_dims(project)
    sources = source_ids(project)
    ids = [f"q{i}" if i < questions else f"r{i}" for i in range(n)]
    out = [
        "# yaml-language-server: $schema=schemas/decision_tree.schema.json",
        "# Synthetic tree written by bench/run.py (not the site's real tree).",
        "start:",
        "  title: 你现在最需要解决哪一类问题？",
        "  explanation: 每一步选一个最接近你的情况。",
        "  options:",
    ]
    for j in range(k0):
        out += [f"    - label: 选项 {j + 1}", f"      hint: 起点的第 {j + 1} 种情况", f"      next: {ids[j]}"]
    out.append("nodes:")
    child = k0
    picks = ["wechat", "qq", "qq-discussion", "either"]
    for i, nid in enumerate(ids):
        if i < questions:
            out += [f"  - id: {nid}", "    kind: question", f"    title: 第 {i} 个问题：你的社群现在是什么情况？", "    explanation: 按最接近的情况选。", "    options:"]
            for j in range(3):
                out += [f"      - label: 情况 {j + 1}", f"        hint: 问题 {i} 的第 {j + 1} 种情况", f"        next: {ids[child]}"]
                child += 1
        else:
            out += [
                f"  - id: {nid}",
                "    kind: result",
                f"    title: 第 {i} 个建议",
                f"    summary: {_yaml_str(f'先做第 {i} 个建议里的三件事，再看相关战术。')}",
                "    reasons:",
                "      - 你的回答说明群还在早期，先定规矩比拉人更要紧。",
                "      - 资料里的案例都是先有核心成员再扩张。",
                "    steps:",
                "      - 写好群规并置顶。",
                "      - 请第一批种子用户入群。",
                "      - 安排第一场活动。",
            ]
            for kind in ("tactics", "checklists", "cases"):
                if links[kind]:
                    out += [f"    {kind}:"] + [f"      - {links[kind][(i + m) % len(links[kind])]}" for m in range(min(2, len(links[kind])))]
            if dims:
                out += ["    platform:", f"      pick: {picks[i % len(picks)]}", "      why: 资料里的对比支持这个选择。", "      compare:"]
                out += [f"        - {dims[(i + m) % len(dims)]}" for m in range(min(2, len(dims)))]
            out += ["    sources:"] + [f'      - "{sources[(i + m) % len(sources)]}"' for m in range(min(2, len(sources)))]
    return "\n".join(out) + "\n"


def ensure_navigator_markers(project: Path) -> None:
    page = project / "docs" / "navigator" / "index.md"
    if not page.exists():
        return
    text = page.read_text(encoding="utf-8")
    if "kb:navigator-start" not in text:
        text, n = re.subn(r"^<!--[^\n]*navstart[^\n]*-->$", "<!-- kb:navigator-start -->", text, flags=re.M)
        if not n:
            text += "\n<!-- kb:navigator-start -->\n"
    if "kb:navigator-overview" not in text:
        text, n = re.subn(r"^<!--[^\n]*navoverview[^\n]*-->$", "<!-- kb:navigator-overview -->", text, flags=re.M)
        if not n:
            text += "\n<!-- kb:navigator-overview -->\n"
    page.write_text(text, encoding="utf-8")


def synthetic_comparison(project: Path, dims: int) -> None:
    """data/comparisons/synthetic.yml with `dims` dimensions, and a page showing it."""
    sources = source_ids(project)
    per_group = 20
    out = [
        "# yaml-language-server: $schema=../schemas/comparison.schema.json",
        "id: synthetic",
        "title: 合成对比表",
        f"caption: 基准测试用的合成对比表，共 {dims} 个维度",
        "columns:",
        "  - id: alpha",
        "    name: 甲方案",
        "  - id: beta",
        "    name: 乙方案",
        "  - id: gamma",
        "    name: 丙方案",
        "groups:",
    ]
    for d in range(dims):
        if d % per_group == 0:
            g = d // per_group
            out += [f"  - id: group-{g}", f"    name: 第 {g + 1} 组", "    dimensions:"]
        src = sources[d % len(sources)]
        out += [f"      - id: dim-{d}", f"        name: 第 {d + 1} 个维度", "        cells:"]
        for col, state in (("alpha", "有"), ("beta", "无"), ("gamma", "部分")):
            out += [f"          {col}:", f"            value: 第 {d + 1} 个维度上{col}的做法", f"            state: {state}", f'            source: "{src}"']
        out += ["        verdict:", f"          pick: [{['alpha', 'beta', 'gamma'][d % 3]}]", f"          need: 需要第 {d + 1} 项能力", "          why: 只有这一列写明了有这项能力。"]
    (project / "data" / "comparisons" / "synthetic.yml").write_text("\n".join(out) + "\n", encoding="utf-8")
    page = project / "docs" / "platforms" / "synthetic.md"
    page.write_text(
        "---\ntitle: 合成对比\ndescription: 基准测试生成的页面，嵌入一张很大的对比表，用来测构建时间。\n"
        f"tags: [定位]\nsources: [\"{sources[0]}\"]\n---\n\n# 合成对比 {{#top}}\n\n"
        "## 怎么选 {#choose}\n\n<!-- kb:comparison synthetic show=summary -->\n\n"
        "## 逐项对比 {#table}\n\n<!-- kb:comparison synthetic show=table -->\n",
        encoding="utf-8",
    )
    cfg = project / "mkdocs.yml"
    cfg.write_text(nav_insert(cfg.read_text(encoding="utf-8"), {"platforms/wechat-vs-qq.md": ["platforms/synthetic.md"]}), encoding="utf-8")


def scale_case(work: Path, name: str, factor: int = 1, in_nav: bool = True, prune: bool = False, tree: int = 0, dims: int = 0, profile: bool = False, cache_dir: Path | None = None) -> dict:
    """Build one synthetic variant: a warm-up build of the real site, then one measured build."""
    project = copy_project(work / f"scale-{name}")
    added = multiply_pages(project, factor, in_nav=in_nav) if factor > 1 else 0
    cfg = project / "mkdocs.yml"
    if prune:
        cfg.write_text(add_feature(cfg.read_text(encoding="utf-8"), "navigation.prune"), encoding="utf-8")
    if tree:
        (project / "data" / "decision_tree.yml").write_text(synthetic_tree(project, tree), encoding="utf-8")
        ensure_navigator_markers(project)
    if dims:
        synthetic_comparison(project, dims)
    env = env_for(TMPDIR=cache_dir or work)
    site = work / f"scale-{name}-site"
    result = run_child(project, site, builds=1, write_manifest=True, warmup=ROOT, env=env)
    last = result["builds"][-1]
    hooks = hook_times(last["events_cpu"])
    log(f"scale {name}: {last['pages']} pages, {last['seconds']:.2f} s wall, {last['cpu']:.2f} s CPU (hooks {sum(sum(t.values()) for t in hooks.values()):.2f} s)")
    prof = None
    if profile:
        prof = run_child(project, site, builds=1, profile=True, warmup=ROOT, env=env)["profile"]
    shutil.rmtree(site, ignore_errors=True)
    shutil.rmtree(project, ignore_errors=True)
    return {
        "name": name,
        "factor": factor,
        "in_nav": in_nav,
        "prune": prune,
        "tree": tree,
        "dims": dims,
        "added_pages": added,
        "pages": last["pages"],
        "seconds": last["seconds"],
        "cpu": last["cpu"],
        "hooks": hooks,
        "events": last["events_cpu"],
        "profile": prof,
    }


def bench_scale(work: Path, quick: bool, full: bool) -> dict:
    cache_dir = work / "jieba"
    cache_dir.mkdir(parents=True, exist_ok=True)
    cases = {}

    def case(name, **kw):
        cases[name] = scale_case(work, name, cache_dir=cache_dir, **kw)

    case("pages-1x", profile=not quick)
    case("pages-10x", factor=10, profile=not quick)
    case("pages-10x-prune", factor=10, prune=True)
    case("pages-10x-offnav", factor=10, in_nav=False)
    if not quick:
        case("pages-50x-offnav", factor=50, in_nav=False)
    if full:
        case("pages-50x", factor=50)
    for nodes in ([100] if quick else [100, 1000]):
        case(f"tree-{nodes}", tree=nodes)
    for dims in ([20] if quick else [20, 200]):
        case(f"dims-{dims}", dims=dims)
    return cases


# --------------------------------------------------------------------------
# 3 + 4. Weight and Lighthouse against nginx
# --------------------------------------------------------------------------


def ensure_nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("installing nginx with apt-get")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "nginx"], check=True, env=env)
        return shutil.which("nginx") or "/usr/sbin/nginx"
    raise RuntimeError("nginx is not installed (apt-get install nginx)")


NGINX_CONF = """\
{user}
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include {mime};
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    # gzip as a typical static host serves it (level 6, text types).
    gzip on;
    gzip_comp_level 6;
    gzip_min_length 256;
    gzip_vary on;
    gzip_types text/css application/javascript text/javascript application/json text/xml application/xml image/svg+xml text/plain;
{servers}
}}
"""

NGINX_SERVER = """\
    server {{
        listen 127.0.0.1:{port};
        root {root};
        index index.html;
        error_page 404 /404.html;
        location / {{ try_files $uri $uri/ =404; }}
    }}
"""


@contextlib.contextmanager
def nginx(sites: dict[int, Path], work: Path):
    binary = ensure_nginx()
    conf_dir = work / "nginx"
    conf_dir.mkdir(parents=True, exist_ok=True)
    mime = "/etc/nginx/mime.types"
    servers = "".join(NGINX_SERVER.format(port=port, root=root) for port, root in sites.items())
    conf = NGINX_CONF.format(user="user root;" if os.geteuid() == 0 else "", dir=conf_dir, mime=mime, servers=servers)
    (conf_dir / "nginx.conf").write_text(conf)
    proc = subprocess.Popen([binary, "-p", str(conf_dir), "-c", str(conf_dir / "nginx.conf")], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for port in sites:
            for _ in range(100):
                if _get(f"http://127.0.0.1:{port}/", 1) is not None:
                    break
                if proc.poll() is not None:
                    raise RuntimeError("nginx exited: " + proc.stderr.read().decode() + (conf_dir / "error.log").read_text())
                time.sleep(0.1)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def build_bare(work: Path, site_url: str) -> Path:
    project = work / "bare"
    (project / "docs").mkdir(parents=True)
    (project / "mkdocs.yml").write_text(
        f"site_name: 空白 Material\nsite_url: {site_url}\ntheme:\n  name: material\n  language: zh\n  font: false\n",
        encoding="utf-8",
    )
    (project / "docs" / "index.md").write_text(
        "# 空白页面\n\n这是一个只用 Material 主题、不加任何扩展的页面，用来和知识库对照页面重量。\n\n"
        "## 第二节\n\n一段普通的中文文字，几个句子，没有图片。\n",
        encoding="utf-8",
    )
    site = work / "bare-site"
    cli_build(project, site, env_for(TMPDIR=work))
    return site


def kind_of(url: str, resource_type: str, mime: str) -> str:
    path = url.split("?", 1)[0].split("#", 1)[0]
    if path.endswith("search_index.json"):
        return "search"
    if resource_type == "document" or "text/html" in mime:
        return "html"
    if path.endswith(".css") or "css" in mime:
        return "css"
    if path.endswith((".js", ".mjs")) or "javascript" in mime:
        return "js"
    if path.endswith((".woff", ".woff2", ".ttf", ".otf")) or "font" in mime:
        return "fonts"
    if path.endswith((".svg", ".png", ".jpg", ".jpeg", ".webp", ".gif", ".ico", ".avif")) or mime.startswith("image/"):
        return "images"
    return "other"


KINDS = ["html", "css", "js", "fonts", "images", "search", "other"]


def measure_weight(urls: dict[str, str]) -> dict:
    """First load of each URL in a fresh context: bytes over the wire per kind."""
    from playwright.sync_api import sync_playwright

    results = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[f for f in CHROME_FLAGS if f != "--headless"], headless=True)
        try:
            for name, url in urls.items():
                context = browser.new_context(locale="zh-CN", service_workers="block")
                page = context.new_page()
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
                seen: dict[str, dict] = {}

                def on_response(event, seen=seen):
                    r = event["response"]
                    seen.setdefault(event["requestId"], {}).update(url=r["url"], mime=r.get("mimeType", ""), type=event.get("type", "").lower(), encoding=r.get("headers", {}).get("Content-Encoding") or r.get("headers", {}).get("content-encoding", ""))

                def on_finished(event, seen=seen):
                    seen.setdefault(event["requestId"], {})["bytes"] = event["encodedDataLength"]

                cdp.on("Network.responseReceived", on_response)
                cdp.on("Network.loadingFinished", on_finished)
                # Playwright's view too: it sees requests of the search web worker.
                pw_sizes = []

                def on_done(request, pw_sizes=pw_sizes):
                    try:
                        sizes = request.sizes()
                    except Exception:
                        return
                    pw_sizes.append({"url": request.url, "type": request.resource_type, "body": sizes["responseBodySize"], "headers": sizes["responseHeadersSize"]})

                context.on("requestfinished", on_done)
                page.goto(url, wait_until="load")
                with contextlib.suppress(Exception):
                    page.wait_for_load_state("networkidle", timeout=10000)
                page.wait_for_timeout(1000)
                context.close()
                by_kind = {k: 0 for k in KINDS}
                files = []
                cdp_urls = set()
                for item in seen.values():
                    if "url" not in item or "bytes" not in item or item["url"].startswith("data:"):
                        continue
                    kind = kind_of(item["url"], item["type"], item["mime"])
                    by_kind[kind] += item["bytes"]
                    cdp_urls.add(item["url"])
                    files.append({"url": item["url"], "kind": kind, "bytes": item["bytes"], "gzip": item["encoding"] == "gzip"})
                # Requests CDP's page session did not see (the search worker's fetch).
                for item in pw_sizes:
                    if item["url"] in cdp_urls or item["url"].startswith("data:"):
                        continue
                    kind = kind_of(item["url"], item["type"], "")
                    size = item["body"] + item["headers"]
                    by_kind[kind] += size
                    files.append({"url": item["url"], "kind": kind, "bytes": size, "gzip": None, "worker": True})
                results[name] = {"url": url, "by_kind": by_kind, "total": sum(by_kind.values()), "requests": len(files), "files": sorted(files, key=lambda f: -f["bytes"])}
                log(f"weight {name}: {sum(by_kind.values()) / 1024:.1f} KiB in {len(files)} requests")
        finally:
            browser.close()
    return results


def own_assets(site: Path) -> dict:
    """Our own CSS/JS additions, raw and gzip -6 (what nginx sends as the body)."""
    out = {}
    files = [ROOT / "docs" / "assets" / "stylesheets" / "extra.css", *sorted((ROOT / "docs" / "assets" / "javascripts").glob("*.js"))]
    for path in files:
        rel = path.relative_to(ROOT / "docs").as_posix()
        built = site / rel
        data = (built if built.exists() else path).read_bytes()
        out[rel] = {"raw": len(data), "gzip": len(gzip.compress(data, compresslevel=6, mtime=0))}
    return out


def run_lighthouse(name: str, url: str, out_dir: Path) -> dict:
    binary = ROOT / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=ROOT, check=True)
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
    """Run Lighthouse `runs` times; keep the run with the median performance score."""
    results = []
    for i in range(runs):
        r = run_lighthouse(f"{name}-{i + 1}", url, out_dir)
        if "error" not in r:
            results.append(r)
    if not results:
        return {"error": "every Lighthouse run failed"}
    results.sort(key=lambda r: r["scores"].get("performance") or 0)
    chosen = dict(results[(len(results) - 1) // 2])
    chosen["perf_runs"] = [r["scores"].get("performance") for r in results]
    chosen["tbt_runs"] = [r["metrics"].get("total-blocking-time", {}).get("value") for r in results]
    return chosen


def bench_web(work: Path, lighthouse_runs: int = 3) -> dict:
    port, bare_port = free_port(), free_port()
    while bare_port == port:
        bare_port = free_port()
    site_url = f"http://127.0.0.1:{port}/"
    site = work / "web-site"
    log("building the site for nginx")
    cli_build(ROOT, site, env_for(SITE_URL=site_url, TMPDIR=work))
    bare = build_bare(work, f"http://127.0.0.1:{bare_port}/")
    urls = {name: site_url + path for name, path in PAGES}
    urls["空白 Material"] = f"http://127.0.0.1:{bare_port}/"
    lighthouse_dir = OUT / "lighthouse"
    lighthouse_dir.mkdir(parents=True, exist_ok=True)
    with nginx({port: site, bare_port: bare}, work):
        # The server really compresses: check one CSS response.
        req = urllib.request.Request(site_url, headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(req, timeout=5) as response:
            served_gzip = response.headers.get("Content-Encoding") == "gzip"
        weight = measure_weight(urls)
        lighthouse = {}
        slugs = {"首页": "home", "清单页": "checklist", "对比页": "comparison", "导航页": "navigator", "空白 Material": "bare-material"}
        for name, url in urls.items():
            log(f"lighthouse {name} ({url}) x{lighthouse_runs}")
            lighthouse[name] = lighthouse_median(slugs[name], url, lighthouse_dir, lighthouse_runs)
            lighthouse[name]["url"] = url
    return {"weight": weight, "own": own_assets(site), "lighthouse": lighthouse, "served_gzip": served_gzip}


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------


def fmt_s(x) -> str:
    return "—" if x is None or x != x else f"{x:.2f} s"


def fmt_ms(x) -> str:
    return "—" if x is None or x != x else f"{x * 1000:.1f} ms"


def kib(n) -> str:
    return "—" if n is None else f"{n / 1024:.1f} KiB"


def ok(flag: bool) -> str:
    return "达标" if flag else "**未达标**"


def render(results: dict) -> str:
    out = [SECTION, ""]
    env = results.get("env", {})
    out += [
        f"由 `make bench`（`bench/run.py`）生成，{env.get('date', '')}；机器：{env.get('cpus', '?')} 核，Python {env.get('python', '?')}，"
        f"MkDocs {env.get('mkdocs', '?')}，Material {env.get('material', '?')}，Lighthouse {env.get('lighthouse', '?')}，{env.get('chromium', '')}。"
        f"整次运行 {env.get('seconds', 0) / 60:.1f} 分钟；开始/结束时的 1 分钟负载 {env.get('load_start', [0])[0]:.1f} / {env.get('load_end', [0])[0]:.1f}"
        "（机器上同时有别人的构建和测试在跑，墙钟时间因此偏大、偏散）。"
        "原始数据在 `bench/out/results.json`，Lighthouse 报告在 `bench/out/lighthouse/`（不入库）。"
        + (f"（{env['rerun']}。）" if env.get("rerun") else ""),
        "",
    ]
    goals = []
    b = results.get("build")
    if b:
        warm = median(b["warm_cpu"])
        hooks = hook_times(b["events_cpu"])
        hook_total = sum(sum(t.values()) for t in hooks.values())
        nohooks = median(b.get("warm_nohooks_cpu", []))
        out += ["### 构建耗时 {#build-time}", "", f"真实站点（{b['pages']} 个页面，含决策树生成的页面），每项 {b['runs']} 次，取中位数。", ""]
        out += ["| 场景 | 中位数 | 各次 |", "| --- | --- | --- |"]
        rows = [
            ("冷构建（墙钟）：新进程 `mkdocs build --strict`、空 site 目录、无 jieba 缓存（TMPDIR 为空目录，jieba 重建词典模型）", b["cold_nocache"]),
            ("冷构建（墙钟）：同上，但有 jieba 缓存（`$TMPDIR/jieba.cache`，默认即 /tmp/jieba.cache）", b["cold_cache"]),
            ("冷构建（CPU，子进程 user+sys）：无 jieba 缓存", b.get("cold_nocache_cpu", [])),
            ("冷构建（CPU，子进程 user+sys）：有 jieba 缓存", b.get("cold_cache_cpu", [])),
            ("其中 jieba 加载词典（jieba 自报 `Loading model cost`）：无缓存", [x for x in b.get("jieba_nocache", []) if x is not None]),
            ("其中 jieba 加载词典：有缓存", [x for x in b.get("jieba_cache", []) if x is not None]),
            ("热构建（墙钟）：同一进程里再次 `load_config` + `build`（`mkdocs serve` 重建的情形）", b["warm"]),
            ("热构建（进程 CPU 时间）", b["warm_cpu"]),
            ("热构建（CPU），去掉 mkdocs.yml 的 `hooks:`（非 strict）", b.get("warm_nohooks_cpu", [])),
        ]
        for label, values in rows:
            out.append(f"| {label} | {fmt_s(median(values))} | {', '.join(f'{v:.2f}' for v in values)} |")
        out.append("")
        if b.get("cold_cache_cpu"):
            out.append(
                f"冷构建（CPU）比热构建（CPU）多 {median(b['cold_cache_cpu']) - median(b['warm_cpu']):.2f} s：Python 启动和导入、jieba 词典加载、主题模板和 Markdown 扩展的首次准备。"
                f"jieba 加载词典：没有缓存时从自带词典建前缀词典并写出约 9 MB 的 `jieba.cache`，{fmt_s(median([x for x in b['jieba_nocache'] if x is not None]))}；"
                f"有缓存时读这个 marshal 文件，{fmt_s(median([x for x in b['jieba_cache'] if x is not None]))}——在这台机器上缓存几乎不省时间，两种冷构建的差别在噪声之内。"
                "墙钟时间受机器上其他负载影响，看 CPU 行。"
            )
        out.append("")
        out += ["### 钩子占构建时间的比例 {#hooks-share}", ""]
        out += [
            "计时方法：给每个插件和钩子的事件处理函数包上计时器（进程 CPU 时间），取热构建的中位数。cProfile 列是另一次热构建在 cProfile 下"
            "`hooks/*.py` 里 `on_*` 函数的累计时间（含它们调用的 kb 代码和第三方库；cProfile 本身让一切变慢约 2 倍）。",
            "",
            "| 钩子模块 | on_config | on_pre_build | on_files | on_page_markdown | 合计 | 占热构建 | cProfile 累计 |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        per_hook_prof = (b.get("profile") or {}).get("per_hook", {})
        prof_total = 0.0
        for origin in sorted(hooks):
            t = hooks[origin]
            total = sum(t.values())
            prof = sum(per_hook_prof.get(origin, {}).values())
            prof_total += prof
            out.append(
                f"| `{origin}` | {fmt_ms(t.get('config'))} | {fmt_ms(t.get('pre_build'))} | {fmt_ms(t.get('files'))} | {fmt_ms(t.get('page_markdown'))} | {fmt_ms(total)} | {total / warm:.1%} | {fmt_ms(prof)} |"
            )
        prof_build = b.get("profile_build_seconds") or float("nan")
        out.append(f"| **全部钩子** | | | | | **{fmt_ms(hook_total)}** | **{hook_total / warm:.1%}** | {fmt_ms(prof_total)}（cProfile 下整次构建 {fmt_s(prof_build)}，占 {prof_total / prof_build:.1%}） |")
        out.append("")
        entries = (b.get("profile") or {}).get("entries") or {}
        if entries:
            by_file: dict[str, float] = {}
            for key, ct in entries.items():
                by_file[key.split(":", 1)[0]] = by_file.get(key.split(":", 1)[0], 0.0) + ct
            ours = sum(entries.values())
            out.append(
                f"cProfile 里我们全部代码的时间（`hooks/` 下、且不是被 `hooks/` 里的函数调用的入口函数的累计时间之和；"
                f"除了钩子事件，还包括钩子注册的 Markdown 扩展）：{fmt_s(ours)}，占 cProfile 下整次构建的 {ours / prof_build:.1%}。按文件："
                + "，".join(f"`{f}` {fmt_ms(v)}" for f, v in sorted(by_file.items(), key=lambda kv: -kv[1]) if v >= 0.001)
                + "。"
            )
            out.append("")
        indirect = warm - nohooks
        out.append(
            f"钩子的总代价（直接 + 间接 = 热构建减去去掉钩子后的热构建，CPU）：{fmt_s(indirect)}，占 {indirect / warm:.1%}。"
            "间接部分是钩子生成的页面（决策树每个节点一页）和加进每页的内容（相关页面、来源行和脚注、术语提示）让 Markdown、主题和搜索插件多做的工作。"
        )
        out.append("")
        other = {o: sum(t.values()) for o, t in b["events_cpu"].items() if not o.startswith("hooks/")}
        if other:
            out.append("其他插件的事件耗时（热构建中位数，CPU）：" + "，".join(f"`{o}` {fmt_ms(v)}" for o, v in sorted(other.items(), key=lambda kv: -kv[1]) if v > 0.0005) + "。")
            out.append("")
        kb_top = (b.get("profile") or {}).get("kb_top", [])[:10]
        if kb_top:
            out += ["钩子代码里累计时间最多的函数（cProfile）：", "", "| 函数 | 调用次数 | 自身 | 累计 |", "| --- | --- | --- | --- |"]
            out += [f"| `{f['func']}` | {f['calls']} | {fmt_ms(f['tottime'])} | {fmt_ms(f['cumtime'])} |" for f in kb_top]
            out.append("")
        goals.append(("钩子 < 10% 构建时间（热构建，CPU，事件计时）", f"{hook_total / warm:.1%}（含间接代价 {indirect / warm:.1%}）", hook_total / warm < GOALS["hooks_share"]))
    s = results.get("serve")
    if s:
        out += ["### `mkdocs serve` 的改动生效时间 {#serve}", ""]
        if "error" in s:
            out += [f"未测：{s['error']}", ""]
        else:
            out += [
                "在项目的临时副本里启动 `mkdocs serve --livereload`，改 `data/platforms.yml` 里一个单元格的值并保存，"
                "从保存到 `/platforms/wechat-vs-qq/` 返回新值的时间（每 50 ms 请求一次）。",
                "",
                "| 指标 | 中位数 | 各次 |",
                "| --- | --- | --- |",
                f"| 保存 → 页面出现新值 | {fmt_s(median(s['latency']))} | {', '.join(f'{v:.2f}' for v in s['latency'])} |",
                f"| 其中 serve 自报的重建时间 | {fmt_s(median(s['serve_builds']))} | {', '.join(f'{v:.2f}' for v in s['serve_builds'])} |",
                "",
            ]
    sc = results.get("scale")
    if sc:
        out += render_scale(sc, goals)
    web = results.get("web")
    if web:
        out += render_web(web, goals)
    if goals:
        out += ["### 目标对照 {#goals}", "", "| 目标 | 实测 | 结论 |", "| --- | --- | --- |"]
        out += [f"| {g} | {v} | {ok(flag)} |" for g, v, flag in goals]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def render_scale(sc: dict, goals: list) -> list[str]:
    out = ["### 规模 {#scale}", ""]
    out += [
        "在项目的临时副本里生成内容：五个内容栏目（basics、tactics、cases、checklists、platforms）里的每个非索引页复制 k−1 份"
        "（新文件名；「在 nav 里」= 插在 nav 里原页面后面，「不在 nav 里」= 用 `not_in_nav` 排除），`data/permalinks.yml` 按副本重写；"
        "决策树是按 schema 生成的合法树（每个问题 3 个选项，每个节点一页）；对比表是 `data/comparisons/synthetic.yml`（3 列）加一个嵌入它的页面。"
        "每个场景一个新进程：先构建一次真实站点预热（导入、jieba 词典），再计一次构建。"
        "机器上有别人的进程在跑，所以这里用进程 CPU 时间（`time.process_time`）比较，墙钟时间只作参考。",
        "",
        "| 场景 | 页面数 | 构建 CPU | 墙钟 | 每页 CPU | 钩子 CPU | 钩子每页 | 钩子占比 |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    labels = {
        "pages-1x": "内容页 ×1（真实站点的副本）",
        "pages-10x": "内容页 ×10，在 nav 里",
        "pages-10x-prune": "内容页 ×10，在 nav 里，加 `navigation.prune`",
        "pages-10x-offnav": "内容页 ×10，不在 nav 里",
        "pages-50x-offnav": "内容页 ×50，不在 nav 里",
        "pages-50x": "内容页 ×50，在 nav 里",
    }
    keys = [k for k in labels if k in sc] + [k for k in sc if k.startswith(("tree-", "dims-"))]
    for key in keys:
        c = sc[key]
        hooks = sum(sum(t.values()) for t in c["hooks"].values())
        label = labels.get(key) or (f"决策树 {c['tree']} 个节点" if c["tree"] else f"对比表 {c['dims']} 个维度")
        out.append(f"| {label} | {c['pages']} | {fmt_s(c['cpu'])} | {fmt_s(c['seconds'])} | {fmt_ms(c['cpu'] / c['pages'])} | {fmt_s(hooks)} | {fmt_ms(hooks / c['pages'])} | {hooks / c['cpu']:.1%} |")
    out.append("")
    base = sc.get("pages-1x")
    if not base:
        return out
    base_pp = base["cpu"] / base["pages"]
    base_hooks = sum(sum(t.values()) for t in base["hooks"].values())
    out += [
        "每页 CPU 时间相对 ×1 的倍数，和增量成本：内容页相对 ×1 副本（多用的 CPU 时间 ÷ 多出的页数）；"
        "决策树 1000 节点相对 100 节点（÷ 多出的节点页）；对比表 200 维度相对 20 维度（÷ 多出的维度）。"
        "真实站点的决策树有 58 个节点，合成树替换了它。",
        "",
        "| 场景 | 每页 / ×1 每页 | 钩子每页 / ×1 | 相对 | 增加 | 每增加一个 | 其中钩子 |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for key in keys[1:]:
        c = sc[key]
        ref, unit = base, "页"
        if c["tree"]:
            ref = next((sc[k] for k in sc if k.startswith("tree-") and sc[k]["tree"] < c["tree"]), None)
            unit = "节点"
        elif c["dims"]:
            ref = next((sc[k] for k in sc if k.startswith("dims-") and sc[k]["dims"] < c["dims"]), None)
            unit = "维度"
        hooks = sum(sum(t.values()) for t in c["hooks"].values())
        if ref is None:
            inc = "| — | — | — | — |"
        else:
            n = (c["dims"] - ref["dims"]) if c["dims"] else (c["pages"] - ref["pages"])
            ref_hooks = sum(sum(t.values()) for t in ref["hooks"].values())
            ref_name = labels.get(ref["name"]) or ref["name"]
            inc = f"| {ref_name} | {n} {unit} | {fmt_ms((c['cpu'] - ref['cpu']) / n)} | {fmt_ms((hooks - ref_hooks) / n)} |"
        label = labels.get(key) or (f"决策树 {c['tree']} 个节点" if c["tree"] else f"对比表 {c['dims']} 个维度")
        out.append(f"| {label} | {(c['cpu'] / c['pages']) / base_pp:.2f}× | {(hooks / c['pages']) / (base_hooks / base['pages']):.2f}× " + inc)
    out.append("")
    for key in ("pages-50x-offnav", "pages-50x"):
        if key in sc:
            c = sc[key]
            ratio = (c["cpu"] / c["pages"]) / base_pp
            hooks = sum(sum(t.values()) for t in c["hooks"].values())
            goals.append((f"每页构建时间（{labels[key]}）≤ 1.25 × ×1", f"{ratio:.2f}×（{fmt_ms(c['cpu'] / c['pages'])} 对 {fmt_ms(base_pp)}；钩子每页 {(hooks / c['pages']) / (base_hooks / base['pages']):.2f}×）", ratio <= GOALS["scale_ratio"]))
    if "pages-10x" in sc:
        c = sc["pages-10x"]
        ratio = (c["cpu"] / c["pages"]) / base_pp
        goals.append(("每页构建时间（内容页 ×10，在 nav 里）≤ 1.25 × ×1", f"{ratio:.2f}×", ratio <= GOALS["scale_ratio"]))
        out += scale_diagnosis(base, c)
    return out


def scale_diagnosis(small: dict | None, big: dict) -> list[str]:
    """Functions whose time grows faster than the page count between 1x and 10x."""
    if not small or not small.get("profile") or not big.get("profile"):
        return []
    a = {f["func"]: f for f in small["profile"]["top_tottime"]}
    b = {f["func"]: f for f in big["profile"]["top_tottime"]}
    scale = big["pages"] / small["pages"]
    rows = []
    for func, f in b.items():
        before = a.get(func)
        expected = before["tottime"] * scale if before else 0.0
        rows.append((f["tottime"] - expected, func, f, before))
    rows.sort(key=lambda r: -r[0])
    out = [
        f"cProfile（自身时间，cProfile 下的数字，比正常构建慢 2–3 倍）：×10（在 nav 里，{big['pages']} 页）比按 ×1（{small['pages']} 页）每页成本线性外推多出最多的函数。"
        "调用次数按页数的平方增长的，就是平方项：",
        "",
        "| 函数 | ×1 调用 | ×1 自身 | ×10 调用 | ×10 调用 / ×1 | ×10 自身 | 超出线性外推 |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for excess, func, f, before in rows[:10]:
        growth = f"{f['calls'] / before['calls']:.1f}" if before and before["calls"] else "—"
        out.append(f"| `{func}` | {before['calls'] if before else '—'} | {fmt_ms(before['tottime']) if before else '—'} | {f['calls']} | {growth} | {fmt_s(f['tottime'])} | {fmt_s(excess)} |")
    out.append("")
    return out


def render_web(web: dict, goals: list) -> list[str]:
    out = ["### 页面重量（首次加载，gzip） {#weight}", ""]
    out += [
        "nginx（`gzip on`，`gzip_comp_level 6`，文本类型）在 127.0.0.1 上提供构建好的站点；Chromium（Playwright，新上下文、空缓存、禁用 service worker）"
        "打开页面，等到 load 和网络空闲，按响应统计线上字节（CDP `Network.loadingFinished.encodedDataLength`，含 HTTP 头；"
        "搜索 worker 自己的请求由 Playwright `request.sizes()` 补上）。「空白 Material」是同一次运行里构建的最小项目"
        "（theme material、language zh、`font: false`、一页）。"
        + ("已确认 nginx 返回 `Content-Encoding: gzip`。" if web.get("served_gzip") else "**nginx 未返回 gzip！**"),
        "",
        "| 页面 | HTML | CSS | JS | 字体 | 图片 | 搜索索引 | 其他 | 合计 | 请求数 |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, w in web["weight"].items():
        k = w["by_kind"]
        out.append(f"| {name} | " + " | ".join(kib(k[x]) for x in KINDS) + f" | **{kib(w['total'])}** | {w['requests']} |")
    out.append("")
    own = web["own"]
    total_gzip = sum(v["gzip"] for v in own.values())
    out += ["我们自己加的 CSS/JS（`gzip -6` 后的正文大小；上表的线上字节另含约 250 B 的 HTTP 头）：", "", "| 文件 | 原始 | gzip |", "| --- | --- | --- |"]
    out += [f"| `docs/{rel}` | {kib(v['raw'])} | {kib(v['gzip'])} |" for rel, v in own.items()]
    out += [f"| **合计** | {kib(sum(v['raw'] for v in own.values()))} | **{kib(total_gzip)}** |", ""]
    goals.append(("自己的 CSS+JS < 15 KB gzip", kib(total_gzip), total_gzip < GOALS["own_gzip"]))

    out += ["### Lighthouse {#lighthouse}", ""]
    lh = web["lighthouse"]
    runs = max((len(r.get("perf_runs", [])) for r in lh.values()), default=1)
    out += [
        f"Lighthouse（默认移动端模拟：4 倍 CPU 降速、慢速 4G 的模拟节流），`--only-categories=performance,accessibility,best-practices,seo`，"
        f"同一次运行里依次测，站点由 nginx（gzip）提供。每页跑 {runs} 次，表里是性能分居中的那一次，「各次性能」列出全部。"
        "性能分对机器负载很敏感（模拟节流按实测的主线程时间推算），其余三类是确定的。",
        "",
        "| 页面 | 性能 | 各次性能 | 无障碍 | 最佳实践 | SEO | FCP | LCP | TBT | CLS | 总字节 |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    all_ok = True
    for name, r in lh.items():
        if "error" in r:
            out.append(f"| {name} | 运行失败 | | | | | | | | | |")
            all_ok = False
            continue
        sc = r["scores"]
        m = r["metrics"]

        def score(cid):
            v = sc.get(cid)
            return "—" if v is None else f"{v:.2f}"

        perf_runs = ", ".join(f"{v:.2f}" for v in r.get("perf_runs", []) if v is not None)
        out.append(
            f"| {name} | {score('performance')} | {perf_runs} | {score('accessibility')} | {score('best-practices')} | {score('seo')} | "
            f"{m.get('first-contentful-paint', {}).get('display', '—')} | {m.get('largest-contentful-paint', {}).get('display', '—')} | "
            f"{m.get('total-blocking-time', {}).get('display', '—')} | {m.get('cumulative-layout-shift', {}).get('display', '—')} | {kib(r.get('total_byte_weight'))} |"
        )
        if name != "空白 Material":
            good = (sc.get("performance") or 0) >= GOALS["perf"] and all((sc.get(c) or 0) >= 1.0 for c in ("accessibility", "best-practices", "seo"))
            all_ok = all_ok and good
    out.append("")
    names = {"performance": "性能", "accessibility": "无障碍", "best-practices": "最佳实践", "seo": "SEO"}
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
                shown = (item.get("displayValue") or "").replace("\u00a0", " ")
                rows.append(f"| {name} | {names.get(cid, cid)} | `{item['id']}` | {item['title'].replace('|', '/')} | {item['score']:.2f} | {(shown + ' ' + where).strip()} |")
    if rows:
        out += ["拉低分数的审计（性能类只列有权重的指标）：", "", "| 页面 | 类别 | 审计 id | 标题 | 得分 | 值 / 元素 |", "| --- | --- | --- | --- | --- | --- |"] + rows + [""]
    diag = {}
    for name, r in lh.items():
        for d in r.get("diagnostics", []):
            diag.setdefault(d["id"], (d["title"], []))[1].append(name)
    if diag:
        out.append("性能类里得分低于 0.5 的诊断（无权重，不直接计分）：" + "；".join(f"`{k}`（{t}：{'、'.join(v)}）" for k, (t, v) in diag.items()) + "。")
        out.append("")
    out.append("修复建议见 [`proposed-fixes.md`](proposed-fixes.md)。")
    out.append("")
    goals.append(("Lighthouse：性能 ≥ 0.95，无障碍/最佳实践/SEO = 1.00（我们的四个页面）", "见 Lighthouse 表", all_ok))
    return out


def update_readme(section: str) -> None:
    text = README.read_text(encoding="utf-8") if README.exists() else "# 基准测试\n\n"
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == SECTION), None)
    if start is None:
        if not text.endswith("\n"):
            text += "\n"
        README.write_text(text + ("\n" if not text.endswith("\n\n") else "") + section, encoding="utf-8")
        return
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    new = "".join(lines[:start]) + section + ("\n" if end < len(lines) else "") + "".join(lines[end:])
    README.write_text(new, encoding="utf-8")


def env_info() -> dict:
    info = {"date": time.strftime("%Y-%m-%d %H:%M"), "cpus": os.cpu_count(), "python": sys.version.split()[0], "load_start": os.getloadavg()}
    with contextlib.suppress(Exception):
        from importlib.metadata import version

        info["mkdocs"] = version("mkdocs")
        info["material"] = version("mkdocs-material")
    with contextlib.suppress(Exception):
        pkg = json.loads((ROOT / "node_modules" / "lighthouse" / "package.json").read_text())
        info["lighthouse"] = pkg["version"]
    with contextlib.suppress(Exception):
        info["chromium"] = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    return info


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child_main(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer runs and no 50x / 1000-node / 200-dim builds")
    parser.add_argument("--full", action="store_true", help="also build 50x with every copy in the nav (~10 minutes more)")
    parser.add_argument("--only", default="build,serve,scale,web", help="comma-separated parts to run")
    parser.add_argument("--render", action="store_true", help="only re-render bench/out/results.json into bench/README.md")
    parser.add_argument("--no-readme", action="store_true", help="print the tables but leave bench/README.md alone")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    results_file = OUT / "results.json"
    if args.render:
        results = json.loads(results_file.read_text(encoding="utf-8"))
    else:
        parts = set(args.only.split(","))
        previous = json.loads(results_file.read_text(encoding="utf-8")) if results_file.exists() and parts != {"build", "serve", "scale", "web"} else {}
        results = {**previous, "env": env_info()}
        if previous.get("env"):
            # A partial rerun: keep the full run's header, note what was redone.
            results["env"] = {**previous["env"], "rerun": f"{time.strftime('%Y-%m-%d %H:%M')} 重跑了：{', '.join(sorted(parts))}"}
        runs = 3 if args.quick else 5
        started = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="kb-bench-") as tmp:
            work = Path(tmp)
            if "build" in parts:
                log("1. build cost")
                results["build"] = bench_build(work / "build", runs)
            if "serve" in parts:
                log("1b. mkdocs serve reaction time")
                results["serve"] = bench_serve(work / "serve", 3)
            if "scale" in parts:
                log("2. scale")
                results["scale"] = bench_scale(work / "scale", args.quick, args.full)
            if "web" in parts:
                log("3/4. weight and Lighthouse")
                results["web"] = bench_web(work / "web", 1 if args.quick else 3)
        if not previous.get("env"):
            results["env"]["seconds"] = time.perf_counter() - started
            results["env"]["load_end"] = os.getloadavg()
        results_file.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    section = render(results)
    print(section)
    if not args.no_readme:
        update_readme(section)
        log(f"wrote {README.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
