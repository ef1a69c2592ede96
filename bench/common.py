"""What every benchmark module shares: paths, logging, builds in a child
process with event timers and cProfile, a `mkdocs build` timed from outside,
nginx for the web measurements, and the number formats of the report.

Helpers that the tests already have (Chromium flags, finding Chromium, copying
the project) come from tests/siteutil.py.

`python bench/common.py --child ...` is the child process of ``run_child``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
OUT = BENCH / "out"
PY = sys.executable
sys.path.insert(0, str(ROOT / "tests"))
from siteutil import CHROMIUM_ARGS, chromium_path, project_copy_to  # noqa: E402

CHROMIUM = chromium_path() or "/usr/bin/chromium"
CHROME_FLAGS = ["--headless", *CHROMIUM_ARGS]
# Pages measured for weight and Lighthouse: (name, site-relative URL, file slug).
PAGES = [
    ("首页", "", "home"),
    ("清单页", "checklists/launch/", "checklist"),
    ("对比页", "platforms/wechat-vs-qq/", "comparison"),
    ("导航页", "navigator/", "navigator"),
    ("思维导图", "mindmap/", "mindmap"),
]
BARE = ("空白 Material", "", "bare-material")


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else float("nan")


def spread(values) -> float:
    """Max minus min of the runs: what a difference of medians must beat."""
    values = [v for v in values if v is not None]
    return (max(values) - min(values)) if values else float("nan")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def env_for(**extra) -> dict:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("SITE_URL", None)
    env.update({k: str(v) for k, v in extra.items()})
    return env


def copy_project(dest: Path) -> Path:
    return project_copy_to(dest)


def stop(proc: subprocess.Popen, timeout: float = 20) -> None:
    """End a server started by a benchmark: terminate, then kill if it lingers."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def get(url: str, timeout: float = 5.0) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.read().decode("utf-8", "replace")
    except Exception:
        return None


def hook_times(events: dict) -> dict[str, dict[str, float]]:
    """Only our hooks' entries of an event-timer result."""
    return {origin: times for origin, times in events.items() if origin.startswith("hooks/")}


def total(times: dict[str, dict[str, float]]) -> float:
    return sum(sum(t.values()) for t in times.values())


# --------------------------------------------------------------------------
# Builds in a child process: event timers, optional cProfile
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


def profile_summary(profiler, hooks_dir: Path) -> dict:
    """Per-hook cumulative times, the entry points into our code, the top functions."""
    import pstats

    stats = pstats.Stats(profiler).stats
    hooks_prefix = str(hooks_dir.resolve()) + os.sep
    per_hook: dict[str, dict[str, float]] = {}
    kb_funcs, top = [], []
    entries: dict[str, float] = {}
    for (filename, line, func), (_cc, nc, tt, ct, callers) in stats.items():
        short = filename
        for marker in ("site-packages" + os.sep, str(hooks_dir.parent) + os.sep):
            if marker in short:
                short = short.split(marker, 1)[1]
        hooks_marker = os.sep + "hooks" + os.sep
        if os.path.isabs(short) and hooks_marker in short:
            # The project's hooks seen from another copy (the scale bench): no machine's path in the report.
            short = "hooks" + os.sep + short.rsplit(hooks_marker, 1)[1]
        elif os.path.isabs(short):
            # The standard library: its name from lib/pythonX.Y on, not where this machine keeps it.
            parts = Path(short).parts
            short = "/".join(parts[parts.index("lib"):]) if "lib" in parts else Path(short).name
        top.append({"func": f"{short}:{line}({func})" if filename != "~" else func, "calls": nc, "tottime": tt, "cumtime": ct})
        if not filename.startswith(hooks_prefix):
            continue
        rel = os.path.relpath(filename, hooks_dir.parent)
        if os.sep not in os.path.relpath(filename, hooks_dir) and func.startswith("on_"):
            per_hook.setdefault(rel, {})[func] = ct
        kb_funcs.append({"func": f"{rel}:{line}({func})", "calls": nc, "tottime": tt, "cumtime": ct})
        # Entry points into our code (not called from hooks/, not a callback
        # through a builtin): their cumulative times add up without overlap.
        if any(caller[0].startswith(hooks_prefix) for caller in callers) or all(caller[0] == "~" for caller in callers):
            continue
        entries[f"{rel}:{line}({func})"] = ct
    kb_funcs.sort(key=lambda f: -f["cumtime"])
    top.sort(key=lambda f: -f["tottime"])
    return {"per_hook": per_hook, "entries": entries, "kb_top": kb_funcs[:10], "top_tottime": top[:200]}


def child_main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="common.py --child")
    parser.add_argument("--project", type=Path, required=True)
    parser.add_argument("--site", type=Path, required=True)
    parser.add_argument("--builds", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="cProfile the last build")
    parser.add_argument("--no-strict", action="store_true")
    parser.add_argument("--warmup", type=Path, help="build this project once first (imports, jieba) and do not count it")
    parser.add_argument("--serve", action="store_true", help="rebuild the way `mkdocs serve` does (on_startup('serve'), serve_url)")
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

    if args.warmup:
        warm_site = args.site.with_name(args.site.name + "-warmup")
        build(load_config(str(args.warmup.resolve() / "mkdocs.yml"), site_dir=str(warm_site), strict=False))
        shutil.rmtree(warm_site, ignore_errors=True)

    results, profile = [], None
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
        if args.serve:
            if i == 0:
                cfg.plugins.on_startup(command="serve", dirty=False)
            cfg.site_url = SERVE_URL
            build(cfg, serve_url=SERVE_URL)
        else:
            build(cfg)
        if profiler:
            profiler.disable()
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        if args.serve:
            # The search index of a preview is built in a worker process
            # after the rebuild: wait for it outside the timed rebuild.
            from kb import serve_cache

            serve_cache.wait_all()
        pages = sum(1 for _ in args.site.rglob("index.html"))
        results.append({"seconds": elapsed, "cpu": cpu, "events": timer.times, "events_cpu": timer.cpu, "pages": pages})
        if profiler:
            profile = profile_summary(profiler, project / "hooks")
    print("BENCHJSON " + json.dumps({"builds": results, "profile": profile}, ensure_ascii=False))


SERVE_URL = "http://127.0.0.1:8000/"


def run_child(project: Path, site: Path, builds: int = 1, profile: bool = False, strict: bool = True, env: dict | None = None, timeout: int = 1800, warmup: Path | None = None, serve: bool = False) -> dict:
    cmd = [PY, str(Path(__file__).resolve()), "--child", "--project", str(project), "--site", str(site), "--builds", str(builds)]
    if serve:
        cmd.append("--serve")
    if warmup:
        cmd += ["--warmup", str(warmup)]
    if profile:
        cmd.append("--profile")
    if not strict:
        cmd.append("--no-strict")
    proc = subprocess.run(cmd, env=env or env_for(), capture_output=True, text=True, timeout=timeout)
    for line in proc.stdout.splitlines():
        if line.startswith("BENCHJSON "):
            return json.loads(line[len("BENCHJSON "):])
    raise RuntimeError(f"child build failed ({proc.returncode}):\n{proc.stderr[-4000:]}")


def cli_build(project: Path, site: Path, env: dict) -> dict:
    """`mkdocs build --strict` in a new process: wall time, CPU time (user+sys),
    and jieba's own report of loading its model."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([PY, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)], cwd=project, env=env, capture_output=True, text=True, timeout=900)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"mkdocs build failed:\n{proc.stderr[-4000:]}")
    jieba = re.findall(r"Loading model cost ([0-9.]+) seconds", proc.stderr)
    return {
        "seconds": elapsed,
        "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "jieba": float(jieba[-1]) if jieba else None,
        "jieba_built": "Dumping model to file cache" in proc.stderr,
    }


# --------------------------------------------------------------------------
# The site as a static host serves it: nginx with gzip
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
    gzip_comp_level {gzip_level};
    gzip_min_length 256;
    gzip_vary on;
    gzip_types text/css application/javascript text/javascript application/json text/xml application/xml image/svg+xml text/plain application/wasm;
{servers}
}}
"""
GZIP_LEVEL = 6

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
    servers = "".join(NGINX_SERVER.format(port=port, root=root) for port, root in sites.items())
    conf = NGINX_CONF.format(user="user root;" if os.geteuid() == 0 else "", dir=conf_dir, mime="/etc/nginx/mime.types", servers=servers, gzip_level=GZIP_LEVEL)
    (conf_dir / "nginx.conf").write_text(conf)
    proc = subprocess.Popen([binary, "-p", str(conf_dir), "-c", str(conf_dir / "nginx.conf")], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for port in sites:
            for _ in range(100):
                if get(f"http://127.0.0.1:{port}/", 1) is not None:
                    break
                if proc.poll() is not None:
                    raise RuntimeError("nginx exited: " + proc.stderr.read().decode() + (conf_dir / "error.log").read_text())
                time.sleep(0.1)
        yield
    finally:
        stop(proc, timeout=10)


@contextlib.contextmanager
def served_sites(work: Path):
    """The real site and a bare Material page, built (no SITE_URL, as `make build`
    without it) and served by nginx; yields {name: url} and facts about serving."""
    work.mkdir(parents=True, exist_ok=True)
    port, bare_port = free_port(), free_port()
    while bare_port == port:
        bare_port = free_port()
    site = work / "site"
    log("building the site for nginx")
    cli_build(ROOT, site, env_for(TMPDIR=work))
    bare = build_bare(work)
    urls = {name: f"http://127.0.0.1:{port}/{path}" for name, path, _slug in PAGES}
    urls[BARE[0]] = f"http://127.0.0.1:{bare_port}/"
    with nginx({port: site, bare_port: bare}, work):
        req = urllib.request.Request(urls[PAGES[0][0]], headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(req, timeout=5) as response:
            served_gzip = response.headers.get("Content-Encoding") == "gzip"
        yield {"urls": urls, "site": site, "served_gzip": served_gzip}


def build_bare(work: Path) -> Path:
    project = work / "bare"
    (project / "docs").mkdir(parents=True, exist_ok=True)
    (project / "mkdocs.yml").write_text("site_name: 空白 Material\ntheme:\n  name: material\n  language: zh\n  font: false\n", encoding="utf-8")
    (project / "docs" / "index.md").write_text(
        "# 空白页面\n\n这是一个只用 Material 主题、不加任何扩展的页面，用来和知识库对照页面重量。\n\n"
        "## 第二节\n\n一段普通的中文文字，几个句子，没有图片。\n",
        encoding="utf-8",
    )
    site = work / "bare-site"
    cli_build(project, site, env_for(TMPDIR=work))
    return site


def slug_of(name: str) -> str:
    return {n: s for n, _p, s in [*PAGES, BARE]}[name]


# --------------------------------------------------------------------------
# Environment and formats
# --------------------------------------------------------------------------


def env_info() -> dict:
    info = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "cpus": os.cpu_count(), "python": sys.version.split()[0], "load_start": os.getloadavg()[0]}
    with contextlib.suppress(Exception):
        from importlib.metadata import version

        info["mkdocs"] = version("mkdocs")
        info["material"] = version("mkdocs-material")
    with contextlib.suppress(Exception):
        info["lighthouse"] = json.loads((ROOT / "node_modules" / "lighthouse" / "package.json").read_text())["version"]
    with contextlib.suppress(Exception):
        info["chromium"] = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    with contextlib.suppress(Exception):
        info["commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        info["dirty"] = bool(subprocess.run(["git", "status", "--porcelain", "--", "docs", "data", "hooks", "overrides", "mkdocs.yml"], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip())
    return info


def fmt_s(x) -> str:
    return "—" if x is None or x != x else f"{x:.2f} s"


def fmt_ms(x) -> str:
    return "—" if x is None or x != x else f"{x * 1000:.1f} ms"


def kib(n) -> str:
    return "—" if n is None else f"{n / 1024:.1f} KiB"


def runs_list(values) -> str:
    return ", ".join(f"{v:.2f}" for v in values if v is not None)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child_main(sys.argv[2:])
    else:
        sys.exit("usage: common.py --child ... (run bench/report.py for the benchmark)")
