"""What `mkdocs serve` keeps between rebuilds, so an edit shows in about a second.

`mkdocs build` indexes the site with Pagefind every time (``make build`` is
what gets published). `mkdocs serve` rebuilds the whole site on every save,
and the search index took 1.6 s of each rebuild (jieba loaded again, every
page cut into words, Pagefind run). In serve mode:

- the index is built in a separate worker process (``Worker``: one per serve,
  started with the first job, stopped when serve ends), from a snapshot of
  the pages' HTML, and only when the text it reads changed (``Indexer``).
  Each rebuild first copies the last finished index into the fresh site, so
  search keeps working (one edit behind at most, for a few seconds) and the
  page itself is served as soon as MkDocs has written it. In a thread of the
  server instead, the index's Python work (2-3 s) slowed the rebuild of the
  next save by holding the GIL;
- the jieba tokenizer, with the site's names added, is kept while the names
  and stopwords stay the same (``tokenizer``; in the worker, from job to job);
- the theme's templates are compiled once (``TemplateCache``);
- a build that stops on bad data shows its message in the browser
  (``error_page``) instead of leaving page requests waiting.

Nothing here imports MkDocs: hooks/search_index.py and hooks/content.py wire it.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import pickle
import shutil
import tempfile
import threading
from html import escape
from pathlib import Path
from typing import Callable

import jinja2
import jinja2.bccache

_mode = {"serve": False, "dirty": False}


def start(command: str, dirty: bool = False) -> None:
    """Record how MkDocs runs (``on_startup``): 'serve' or 'build'/'gh-deploy',
    and whether it rebuilds only changed pages (``--dirty``)."""
    _mode["serve"] = command == "serve"
    _mode["dirty"] = dirty


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


# --- the theme's templates ----------------------------------------------------


class TemplateCache(jinja2.BytecodeCache):
    """Jinja's compiled templates, kept in this process: MkDocs makes a new
    Jinja environment for every rebuild, which compiled the theme's ~44
    templates again (0.15 s of each). Jinja checks each entry against the
    template's source (a checksum), so an edited template under overrides/ is
    compiled anew. The theme's filters (MkDocs' ``url`` and ``script_tag``)
    read the page they render, so nothing of a build is folded into the
    compiled code."""

    def __init__(self):
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.store.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)  # dropped when the source changed

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


_templates = {"cache": TemplateCache()}


def template_cache() -> TemplateCache:
    """The one template cache of this process (``on_env``, serve only)."""
    return _templates["cache"]


# --- the index -----------------------------------------------------------------


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


# --- the worker process ----------------------------------------------------------


class WorkerError(Exception):
    """A job failed in the worker, or the worker stopped; the message says which."""


def _serve_jobs(conn) -> None:
    """The worker's loop: run each ``(job, args)`` received, send back
    ``(True, result)`` or ``(False, message)``; end when serve does."""
    import multiprocessing
    import signal
    import sys

    # Ctrl-C in the terminal reaches the whole process group: `mkdocs serve`
    # stops, and its end stops this process, without a traceback from here.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Stopped (serve's exit terminates its daemon children, or serve was
    # killed: see below): unwind, so that subprocess.run kills a running
    # Pagefind and temporary folders are removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    # Second to the server: on two cores, the index of one save (jieba, then
    # Pagefind's threads, which inherit this) otherwise slowed the rebuild of
    # the next save by taking a core from it.
    if hasattr(os, "nice"):
        os.nice(10)
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=lambda: (parent.join(), os.kill(os.getpid(), signal.SIGTERM)), name="kb-parent-watch", daemon=True).start()
    while True:
        try:
            job, args = conn.recv()
        except (EOFError, OSError):  # serve ended (or was killed): its end of the pipe is closed
            return
        try:
            reply = (True, job(*args))
        except Exception as error:  # noqa: BLE001 - reported to serve, which logs it and keeps running
            reply = (False, str(error) or type(error).__name__)
        try:
            conn.send(reply)
        except (BrokenPipeError, OSError):
            return


class Worker:
    """One long-lived process that runs jobs one at a time, so that their
    Python work (jieba cutting every page, the query layer) does not hold the
    GIL of `mkdocs serve` while it rebuilds the next edit.

    It is spawned (a fresh interpreter, not a fork of the server with its
    threads), and keeps its modules loaded between jobs: what a job caches at
    module level, like ``tokenizer`` below, stays for the next one. A job is a
    plain function importable by name (``kb.search_layer.index_site``) with
    picklable arguments. The process is a daemon child: it is stopped when
    serve exits, and ends by itself when serve is killed (its pipe closes)."""

    def __init__(self):
        import multiprocessing
        import sys

        context = multiprocessing.get_context("spawn")
        self.lock = threading.Lock()
        self.conn, theirs = context.Pipe()
        self.process = context.Process(target=_serve_jobs, args=(theirs,), name="kb-search-index", daemon=True)
        # The child starts with this sys.path: it must find the kb package,
        # which MkDocs' hook loader only puts on the path while loading hooks.
        hooks_dir = str(Path(__file__).resolve().parent.parent)
        saved = list(sys.path)
        if hooks_dir not in sys.path:
            sys.path.append(hooks_dir)
        try:
            self.process.start()
        finally:
            sys.path[:] = saved
            theirs.close()

    def run(self, job: Callable, *args):
        """``job(*args)`` in the worker; its result, or WorkerError."""
        try:
            with self.lock:
                try:
                    self.conn.send((job, args))
                except (pickle.PicklingError, TypeError, AttributeError) as error:  # nothing was sent
                    raise WorkerError(f"the job cannot be sent to the worker: {error}") from None
                ok, value = self.conn.recv()
        except (EOFError, OSError) as error:
            raise WorkerError(f"the search index worker stopped ({type(error).__name__}); the next edit starts a new one") from None
        if not ok:
            raise WorkerError(value)
        return value

    def alive(self) -> bool:
        return self.process.is_alive()

    def stop(self) -> None:
        """End the process now (a job in progress is abandoned: serve is ending)."""
        if self.process.is_alive():
            self.process.terminate()  # SIGTERM: the worker unwinds, a running Pagefind is killed
            self.process.join(10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


_worker: dict[str, Worker] = {}


def _end() -> None:
    """When serve exits: stop the worker, then remove the index's temporary folders."""
    current = _worker.pop("it", None)
    if current is not None:
        current.stop()
    for indexer in _indexers:
        indexer.discard()


def worker() -> Worker:
    """This process's worker, started on first use and again if it died."""
    current = _worker.get("it")
    if current is None or not current.alive():
        current = _worker["it"] = Worker()
    return current


# --- the index, built in the worker -------------------------------------------


def _link(source: Path, target: Path) -> None:
    """A hard link, or a copy where there cannot be one (another file system)."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)



class Indexer:
    """Builds the search output (``outputs``: paths under a site, e.g.
    ``pagefind`` and ``assets/search-layer.json``) from a snapshot of a site's
    HTML, one job at a time in the worker process, the newest job winning."""

    def __init__(self, outputs: tuple[str, ...]):
        self.outputs = outputs
        self.lock = threading.Lock()
        self.cache = Path(tempfile.mkdtemp(prefix="kb-serve-index-"))
        self.done_key: str | None = None  # fingerprint of the index in self.cache
        self.pending: tuple | None = None
        self.thread: threading.Thread | None = None
        self.site_dir: Path | None = None  # the site the last rebuild wrote
        self.errors: list[str] = []
        self.last_result = None  # what the last finished job returned
        self.running: Path | None = None  # the snapshot the worker is indexing
        if not _indexers:
            atexit.register(_end)
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
        """Put the index of ``src`` into ``dest``, as hard links: nothing
        writes into a finished index (a new job writes a new snapshot)."""
        for rel in self.outputs:
            source, target = src / rel, dest / rel
            if not source.exists():
                continue
            if target.exists():
                shutil.rmtree(target) if target.is_dir() else target.unlink()
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.is_dir():
                shutil.copytree(source, target, copy_function=_link)
            else:
                _link(source, target)

    def submit(self, key: str, site_dir: Path, job: Callable, *args) -> bool:
        """Index ``site_dir`` in the background unless ``key`` is already built.
        ``job(snapshot, *args)`` runs in the worker process and writes the
        outputs into the snapshot directory, which holds a copy of the site's
        HTML. Returns True when a job was queued.

        The snapshot's pages are hard links to the site's (copying the freshly
        written files took 0.2 s of the rebuild): the next rebuild empties the
        site and writes new files, and ``show_error`` replaces them, so they
        stay as they are; the job must not write to them. ``--dirty``
        rebuilds write pages in place, so there they are copied."""
        if key == self.done_key:
            return False
        place = shutil.copy2 if _mode["dirty"] else _link
        snapshot = Path(tempfile.mkdtemp(prefix="kb-serve-pages-"))
        from .search_layer import site_pages

        for page, rel in site_pages(site_dir):
            target = snapshot / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            place(page, target)
        with self.lock:
            if self.pending is not None:
                shutil.rmtree(self.pending[1], ignore_errors=True)
            self.pending = (key, snapshot, job, args)
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="kb-search-index", daemon=True)
                self.thread.start()
        return True

    def _run(self) -> None:
        """The thread that hands jobs to the worker and waits (without the GIL)."""
        while True:
            with self.lock:
                if self.pending is None:
                    self.thread = None
                    return
                key, snapshot, job, args = self.pending
                self.pending = None
                self.running = snapshot
            try:
                result = worker().run(job, snapshot, *args)
            except WorkerError as error:  # a preview keeps running; the message is kept
                self.errors.append(str(error))
                shutil.rmtree(snapshot, ignore_errors=True)
                continue
            finally:
                self.running = None
            with self.lock:
                superseded = self.pending is not None
                if not superseded:
                    shutil.rmtree(self.cache, ignore_errors=True)
                    self.cache = snapshot
                    self.done_key = key
                    self.last_result = result
                    if self.site_dir is not None and self.site_dir.exists():
                        self._copy(self.cache, self.site_dir)
            if superseded:
                shutil.rmtree(snapshot, ignore_errors=True)

    def discard(self) -> None:
        """Remove the temporary folders (the end of `serve`)."""
        with self.lock:
            folders = [self.cache, self.running] + ([self.pending[1]] if self.pending else [])
            self.pending = None
        for folder in folders:
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)

    def wait(self, timeout: float = 120) -> None:
        """Block until no job is left (tests, benchmarks)."""
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
        path.unlink(missing_ok=True)  # a new file: the old one may be linked into an index job's snapshot
        path.write_text(html, encoding="utf-8")
        count += 1
    return count
