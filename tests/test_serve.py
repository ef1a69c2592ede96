"""`make serve` for editors: broken data shows its message in the browser and
the next good save brings the site back; the preview's search index follows
edits in the background (kb.serve_cache). How fast an edit shows is measured
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
        yield project, url, tmp_path / "serve.log"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.mark.browser
def test_broken_data_shows_in_the_browser_and_the_next_save_recovers(served, browser):
    project, url, log = served
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
    project, url, log = served
    entry = wait_for(lambda: get(url + "pagefind/pagefind-entry.json"), 120, "the first index")
    page = project / "docs" / "tactics" / "seed-users.md"
    text = page.read_text(encoding="utf-8")
    token = "zqxjkvword"
    page.write_text(text + f"\n\n测试 {token} 一词。\n", encoding="utf-8")
    wait_for(lambda: token in (get(url + "tactics/seed-users/") or ""), 60, "the edit in the page")
    assert get(url + "pagefind/pagefind.js"), "the rebuilt site has no search index"
    # Pagefind names its index by a hash of what it indexed.
    wait_for(lambda: (get(url + "pagefind/pagefind-entry.json") or entry) != entry, 120, "the background index of the edited text")
    assert "search (preview)" in log.read_text(encoding="utf-8")


def test_indexer_skips_unchanged_text_and_keeps_the_last_index(tmp_path):
    built = []

    def work(snapshot: Path) -> None:
        built.append(snapshot)
        (snapshot / "pagefind").mkdir()
        (snapshot / "pagefind" / "index.txt").write_text(f"index {len(built)}", encoding="utf-8")

    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<p>一</p>", encoding="utf-8")
    indexer = serve_cache.Indexer(("pagefind",))
    assert not indexer.restore(site)
    assert indexer.submit("a", site, work)
    indexer.wait()
    assert (site / "pagefind" / "index.txt").read_text(encoding="utf-8") == "index 1"
    # A rebuild writes a fresh site: the last index is copied in, and the same text is not indexed again.
    (site / "pagefind" / "index.txt").unlink()
    assert indexer.restore(site) and (site / "pagefind" / "index.txt").exists()
    assert not indexer.submit("a", site, work)
    assert indexer.submit("b", site, work)
    indexer.wait()
    assert len(built) == 2 and (site / "pagefind" / "index.txt").read_text(encoding="utf-8") == "index 2"


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
