"""What `mkdocs serve` keeps between rebuilds, so an edit shows in about a second.

`mkdocs build` indexes the site with Pagefind every time (``make build`` is
what gets published). `mkdocs serve` rebuilds the whole site on every save,
and the search index took 1.6 s of each rebuild (jieba loaded again, every
page cut into words, Pagefind run). In serve mode:

- the jieba tokenizer, with the site's names added, is kept while the names
  and stopwords stay the same (``tokenizer``);
- the index is built in a background thread, from a snapshot of the pages'
  HTML, and only when the text it reads changed (``Indexer``); each rebuild
  first copies the last finished index into the fresh site, so search keeps
  working (one edit behind at most, for a second or two) and the page itself
  is served as soon as MkDocs has written it;
- a build that stops on bad data shows its message in the browser
  (``error_page``) instead of leaving page requests waiting.

Nothing here imports MkDocs: hooks/search_index.py and hooks/content.py wire it.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import threading
from html import escape
from pathlib import Path
from typing import Callable

_mode = {"serve": False}


def start(command: str) -> None:
    """Record how MkDocs runs (``on_startup``): 'serve' or 'build'/'gh-deploy'."""
    _mode["serve"] = command == "serve"


def serving() -> bool:
    return _mode["serve"]


# --- the tokenizer -----------------------------------------------------------

_tokenizers: dict[tuple, object] = {}


def tokenizer(make: Callable, names, stop):
    """``make(names, stop)`` (kb.search_layer.segmenter), once per set of names
    and stopwords in this process: loading jieba's dictionary is ~0.5 s."""
    key = (frozenset(names), frozenset(stop))
    if key not in _tokenizers:
        _tokenizers.clear()  # one at a time: each holds jieba's whole dictionary
        _tokenizers[key] = make(names, stop)
    return _tokenizers[key]


# --- the index, built in the background --------------------------------------


def fingerprint(parts) -> str:
    """A hash of everything the index and the query layer read."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()


_indexers: list["Indexer"] = []


def wait_all(timeout: float = 300) -> None:
    """Wait for every background index job of this process (benchmarks, tests)."""
    for indexer in list(_indexers):
        indexer.wait(timeout)


class Indexer:
    """Builds the search output (``outputs``: paths under a site, e.g.
    ``pagefind`` and ``assets/search-layer.json``) from a snapshot of a site's
    HTML, one job at a time, the newest job winning."""

    def __init__(self, outputs: tuple[str, ...]):
        self.outputs = outputs
        self.lock = threading.Lock()
        self.cache = Path(tempfile.mkdtemp(prefix="kb-serve-index-"))
        self.done_key: str | None = None  # fingerprint of the index in self.cache
        self.pending: tuple | None = None
        self.thread: threading.Thread | None = None
        self.site_dir: Path | None = None  # the site the last rebuild wrote
        self.errors: list[str] = []
        _indexers.append(self)

    def restore(self, site_dir: Path) -> bool:
        """Copy the last finished index into a freshly built site."""
        with self.lock:
            self.site_dir = site_dir
            if self.done_key is None:
                return False
            self._copy(self.cache, site_dir)
            return True

    def _copy(self, src: Path, dest: Path) -> None:
        for rel in self.outputs:
            source, target = src / rel, dest / rel
            if not source.exists():
                continue
            if target.exists():
                shutil.rmtree(target) if target.is_dir() else target.unlink()
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.is_dir():
                shutil.copytree(source, target)
            else:
                shutil.copy2(source, target)

    def submit(self, key: str, site_dir: Path, work: Callable[[Path], None]) -> bool:
        """Index ``site_dir`` in the background unless ``key`` is already built.
        ``work(snapshot)`` writes the outputs into the snapshot directory, which
        holds a copy of the site's HTML. Returns True when a job was queued."""
        if key == self.done_key:
            return False
        snapshot = Path(tempfile.mkdtemp(prefix="kb-serve-pages-"))
        for page in site_dir.rglob("*.html"):
            rel = page.relative_to(site_dir)
            if rel.parts[0] == "pagefind":
                continue
            target = snapshot / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(page, target)
        with self.lock:
            if self.pending is not None:
                shutil.rmtree(self.pending[1], ignore_errors=True)
            self.pending = (key, snapshot, work)
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="kb-search-index", daemon=True)
                self.thread.start()
        return True

    def _run(self) -> None:
        while True:
            with self.lock:
                if self.pending is None:
                    self.thread = None
                    return
                key, snapshot, work = self.pending
                self.pending = None
            try:
                work(snapshot)
            except Exception as error:  # noqa: BLE001 - a preview keeps running; the message is kept
                self.errors.append(str(error))
                shutil.rmtree(snapshot, ignore_errors=True)
                continue
            with self.lock:
                superseded = self.pending is not None
                if not superseded:
                    shutil.rmtree(self.cache, ignore_errors=True)
                    self.cache = snapshot
                    self.done_key = key
                    if self.site_dir is not None and self.site_dir.exists():
                        self._copy(self.cache, self.site_dir)
            if superseded:
                shutil.rmtree(snapshot, ignore_errors=True)

    def wait(self, timeout: float = 120) -> None:
        """Block until no job is left (tests, and the end of `serve`)."""
        while True:
            thread = self.thread
            if thread is None:
                return
            thread.join(timeout)
            if thread.is_alive():
                return


# --- bad data while serving ----------------------------------------------------

ERROR_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>构建停下了：数据有错</title>
<style>
body{{font:16px/1.6 system-ui,-apple-system,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;margin:0;background:#fff8f6;color:#1f1f1f}}
main{{max-width:60rem;margin:2rem auto;padding:0 1rem}}
h1{{font-size:1.4rem;color:#b3261e}}
pre{{background:#fff;border:1px solid #e3c1bd;border-left:4px solid #b3261e;padding:1rem;overflow-x:auto;white-space:pre;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace}}
@media (prefers-color-scheme:dark){{body{{background:#1d1b1b;color:#eee}}pre{{background:#262222;border-color:#6b3a36}}h1{{color:#ffb4ab}}}}
</style></head>
<body><main>
<h1>构建停下了：数据有错</h1>
<p>下面说明了哪个文件、第几行出了什么问题，以及怎么改。改好并保存后，这一页会自动换回网站。</p>
<pre id="kb-build-error">{message}</pre>
</main></body></html>
"""


def error_page(message: str) -> str:
    return ERROR_PAGE.format(message=escape(message))


def show_error(site_dir: Path, message: str) -> int:
    """Replace every HTML page of the served site (and 404.html, which the dev
    server answers unknown paths with) by the error page; return how many.
    The next good build cleans site_dir and writes the site again."""
    html = error_page(message)
    count = 0
    pages = list(site_dir.rglob("*.html")) if site_dir.exists() else []
    targets = set(pages) | {site_dir / "index.html", site_dir / "404.html"}
    for path in targets:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")
        count += 1
    return count
