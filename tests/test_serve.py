"""`make serve` for editors: broken data shows its message in the browser and
the next good save brings the site back; the preview's search index follows
edits, built in a worker process of serve (kb.serve_cache). How fast an edit shows is measured
by `make bench` (bench/build.py), not asserted here.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kb import serve_cache
from kb.errors import DataError
from siteutil import project_copy_to


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode("utf-8", "replace")
    except Exception:  # noqa: BLE001 - not up yet, or rebuilding
        return None


def wait_for(check, timeout: float, what: str):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


@pytest.fixture
def served(tmp_path):
    project = project_copy_to(tmp_path / "project")
    port = free_port()
    log = open(tmp_path / "serve.log", "w")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "TMPDIR": str(tmp_path)}
    env.pop("KB_LANG", None)  # what an editor sees: Chinese
    proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}", "--livereload"], cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for(lambda: get(url + "platforms/wechat-vs-qq/") or proc.poll() is not None, 180, "mkdocs serve to answer")
        assert proc.poll() is None, (tmp_path / "serve.log").read_text()
        time.sleep(1.5)  # the watcher settles after the first build
        yield project, url, tmp_path / "serve.log", proc
    finally:
        left = children(proc.pid)
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
    # Stopping serve stops its index worker (and a Pagefind it was running): nothing is left running.
    wait_for(lambda: not [pid for pid in left if running(pid)], 30, f"the processes serve started ({left}) to end")


def children(pid: int) -> list[int]:
    """The processes ``pid`` started, and theirs (Linux /proc)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return found + [grandchild for child in found for grandchild in children(child)]


def running(pid: int) -> bool:
    try:
        return "zombie" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@pytest.mark.browser
def test_broken_data_shows_in_the_browser_and_the_next_save_recovers(served, browser):
    project, url, log, _proc = served
    data = project / "data" / "platforms.yml"
    good = data.read_text(encoding="utf-8")
    lines = good.split("\n")
    row = next(i for i, line in enumerate(lines) if line.strip().startswith("state: "))
    page = browser.new_page()
    try:
        page.goto(url + "platforms/wechat-vs-qq/", wait_until="load")
        title = page.title()
        broken = lines[:row] + [" " + lines[row]] + lines[row + 1:]
        data.write_text("\n".join(broken), encoding="utf-8")
        # The live reload brings up the message: file, line, the fix.
        page.wait_for_selector("#kb-build-error", timeout=60000)
        message = page.inner_text("#kb-build-error")
        assert f"data/platforms.yml:{row + 1}:" in message and "怎么改" in message and "缩进" in message, message
        # Any other page of the preview says the same, instead of waiting.
        assert "kb-build-error" in (get(url + "tactics/seed-users/") or "")
        data.write_text(good, encoding="utf-8")
        page.wait_for_function("() => !document.getElementById('kb-build-error')", timeout=60000)
        page.wait_for_load_state("load")
        assert page.title() == title
    finally:
        page.close()
        data.write_text(good, encoding="utf-8")


def test_the_preview_search_index_follows_an_edit(served):
    """The index is copied into every rebuilt site and rebuilt in the
    background when the text it reads changed."""
    project, url, log, proc = served
    entry = wait_for(lambda: get(url + "pagefind/pagefind-entry.json"), 120, "the first index")
    # The index is built by a worker process of serve, not in the server's own.
    assert any("multiprocessing" in command(pid) for pid in children(proc.pid)), [command(pid) for pid in children(proc.pid)]
    page = project / "docs" / "tactics" / "seed-users.md"
    text = page.read_text(encoding="utf-8")
    token = "zqxjkvword"
    page.write_text(text + f"\n\n测试 {token} 一词。\n", encoding="utf-8")
    wait_for(lambda: token in (get(url + "tactics/seed-users/") or ""), 60, "the edit in the page")
    assert get(url + "pagefind/pagefind.js"), "the rebuilt site has no search index"
    # Pagefind names its index by a hash of what it indexed.
    wait_for(lambda: (get(url + "pagefind/pagefind-entry.json") or entry) != entry, 120, "the background index of the edited text")
    assert "search (preview)" in log.read_text(encoding="utf-8")


def fake_index(snapshot: Path, label: str) -> int:
    """Stands in for kb.search_layer.index_site: a module-level job the worker
    imports by name, writing its output into the snapshot."""
    (snapshot / "pagefind").mkdir()
    (snapshot / "pagefind" / "index.txt").write_text(f"{label} {len(list(snapshot.rglob('*.html')))}", encoding="utf-8")
    return os.getpid()


def broken_index(snapshot: Path, label: str) -> int:
    raise DataError("data/synonyms.yml", f"{label} is broken", zh=f"{label} 坏了", line=3)


def test_indexer_skips_unchanged_text_and_keeps_the_last_index(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<p>一</p>", encoding="utf-8")
    indexer = serve_cache.Indexer(("pagefind",))
    assert not indexer.restore(site)
    assert indexer.submit("a", site, fake_index, "index 1")
    indexer.wait()
    assert indexer.errors == []
    assert (site / "pagefind" / "index.txt").read_text(encoding="utf-8") == "index 1 1"
    # A rebuild writes a fresh site: the last index is copied in, and the same text is not indexed again.
    (site / "pagefind" / "index.txt").unlink()
    assert indexer.restore(site) and (site / "pagefind" / "index.txt").exists()
    assert not indexer.submit("a", site, fake_index, "index 1")
    assert indexer.submit("b", site, fake_index, "index 2")
    indexer.wait()
    assert (site / "pagefind" / "index.txt").read_text(encoding="utf-8") == "index 2 1"


def test_index_jobs_run_in_one_other_process_that_outlives_a_failed_job(tmp_path):
    """The index's Python work runs outside the server's process (it held the
    GIL of the rebuild that followed an edit), always in the same worker, so
    that jieba stays loaded between edits; a failed job is reported, and the
    last good index stays."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<p>一</p>", encoding="utf-8")
    indexer = serve_cache.Indexer(("pagefind",))
    indexer.restore(site)  # each rebuild: the last index into the new site, then the next job
    indexer.submit("a", site, fake_index, "first")
    indexer.wait()
    first = indexer.last_result
    assert first != os.getpid()
    indexer.submit("b", site, broken_index, "synonyms")
    indexer.wait()
    assert len(indexer.errors) == 1 and "data/synonyms.yml:3" in indexer.errors[0] and "broken" in indexer.errors[0]
    assert (site / "pagefind" / "index.txt").read_text(encoding="utf-8") == "first 1"
    indexer.submit("c", site, fake_index, "third")
    indexer.wait()
    assert indexer.last_result == first
    assert (site / "pagefind" / "index.txt").read_text(encoding="utf-8") == "third 1"


def gated_read(snapshot: Path, gate: str) -> str:
    """Waits until the test creates ``gate``, then reads the snapshot's home page."""
    deadline = time.time() + 60
    while not Path(gate).exists() and time.time() < deadline:
        time.sleep(0.02)
    (snapshot / "pagefind").mkdir()
    return (snapshot / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("dirty", [False, True])
def test_the_index_job_reads_the_pages_of_its_own_build(tmp_path, monkeypatch, dirty):
    """The job's snapshot keeps the pages it was given while the site changes
    under it: a broken save replaces every page by the error page (and
    `mkdocs serve --dirty` rewrites pages in place)."""
    monkeypatch.setitem(serve_cache._mode, "dirty", dirty)
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<p>一</p>", encoding="utf-8")
    gate = tmp_path / "gate"
    indexer = serve_cache.Indexer(("pagefind",))
    indexer.restore(site)
    assert indexer.submit("a", site, gated_read, str(gate))
    if dirty:
        with open(site / "index.html", "w", encoding="utf-8") as page:  # in place, like a dirty rebuild
            page.write("<p>二</p>")
    else:
        assert serve_cache.show_error(site, "data/x.yml:1:1 坏了") >= 1
    gate.touch()
    indexer.wait()
    assert indexer.errors == [] and indexer.last_result == "<p>一</p>"


def test_the_worker_ends_with_the_process_that_started_it(tmp_path):
    """Killing the server (a terminal closed, a test's terminate) leaves no
    worker behind."""
    code = (
        "import sys, time; sys.path[:0] = sys.argv[1:3]\n"
        "from kb import serve_cache\n"
        "import test_serve\n"
        "from pathlib import Path\n"
        "print(serve_cache.worker().run(test_serve.fake_index_pid), flush=True)\n"
        "time.sleep(600)\n"
    )
    hooks, tests = (str(Path(__file__).resolve().parents[1] / d) for d in ("hooks", "tests"))
    parent = subprocess.Popen([sys.executable, "-c", code, hooks, tests], stdout=subprocess.PIPE, text=True)
    try:
        child = int(parent.stdout.readline())
        assert child != parent.pid and Path(f"/proc/{child}").exists()
    finally:
        parent.terminate()
        parent.wait(20)
    wait_for(lambda: not Path(f"/proc/{child}").exists() or "zombie" in Path(f"/proc/{child}/status").read_text(), 30, "the worker to end")


def fake_index_pid() -> int:
    return os.getpid()


def test_tokenizer_is_made_once_per_set_of_names():
    made = []

    def make(names, stop):
        made.append((names, stop))
        return object()

    first = serve_cache.tokenizer(make, {"罗辑思维"}, ["的"])
    assert serve_cache.tokenizer(make, {"罗辑思维"}, ["的"]) is first and len(made) == 1
    assert serve_cache.tokenizer(make, {"秋叶PPT"}, ["的"]) is not first and len(made) == 2


def test_error_page_escapes_the_message():
    html = serve_cache.error_page("data/x.yml:1:1\n  问题：<script>alert(1)</script>")
    assert "<script>alert" not in html and "&lt;script&gt;" in html and 'lang="zh-CN"' in html


def test_templates_are_compiled_once_and_again_when_edited(tmp_path, monkeypatch):
    """MkDocs makes a new Jinja environment for each rebuild; the preview's
    template cache spares compiling the theme again, and an edited template
    (overrides/) shows its new text on the next rebuild."""
    import jinja2

    compiled = []
    real = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile", lambda self, *a, **k: compiled.append(a[1] if len(a) > 1 else k.get("name")) or real(self, *a, **k))
    (tmp_path / "main.html").write_text("<title>{{ title | e }}</title>{% block body %}正文{% endblock %}", encoding="utf-8")
    cache = serve_cache.TemplateCache()

    def rebuild() -> str:
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(tmp_path)), bytecode_cache=cache)
        return env.get_template("main.html").render(title="<建群>")

    assert rebuild() == "<title>&lt;建群&gt;</title>正文" and compiled == ["main.html"]
    assert rebuild() == "<title>&lt;建群&gt;</title>正文" and compiled == ["main.html"]
    (tmp_path / "main.html").write_text("<title>{{ title | e }}</title>改过了", encoding="utf-8")
    assert rebuild() == "<title>&lt;建群&gt;</title>改过了" and compiled == ["main.html", "main.html"]


REBUILDS = """
import sys, jinja2
from pathlib import Path
from mkdocs.commands.build import build
from mkdocs.config import load_config
compiled = []
real = jinja2.Environment.compile
jinja2.Environment.compile = lambda self, *a, **k: compiled.append(1) or real(self, *a, **k)
for i, site in enumerate(sys.argv[1:]):
    compiled.clear()
    config = load_config("mkdocs.yml", site_dir=site)
    if i == 0:
        config.plugins.on_startup(command="serve", dirty=False)
    config.site_url = "http://127.0.0.1:8000/"
    build(config, serve_url="http://127.0.0.1:8000/")
    from kb import serve_cache
    serve_cache.wait_all()
    print("COMPILED", len(compiled), flush=True)
"""


def test_a_rebuild_of_the_preview_writes_the_same_site(tmp_path):
    """Two rebuilds as `mkdocs serve` does them, in one process: the second
    one takes the compiled templates and the parsed data files and front
    matter from the first (kb.serve_cache, kb.yamlio) and writes the same
    bytes, search index included."""
    first, second = tmp_path / "first", tmp_path / "second"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "KB_GIT_DATES": "false", "TMPDIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", REBUILDS, str(first), str(second)], cwd=Path(__file__).resolve().parents[1],
                            env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    counts = [int(line.split()[1]) for line in result.stdout.splitlines() if line.startswith("COMPILED")]
    assert counts[0] > 20 and counts[1] == 0, counts  # the theme compiled by the first rebuild only
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert any(p.parts[0] == "pagefind" for p in files)
    differ = [str(p) for p in files if (first / p).read_bytes() != (second / p).read_bytes()]
    assert not differ, differ[:10]
