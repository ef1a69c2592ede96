"""Helpers for tests of the built site: build it, serve it, read its HTML."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parents[1]

# Flags for Chromium on a closed network: no background calls to Google's
# services. Shared by the tests and the benchmarks.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


SEEDS_HINT = (
    "the five source documents (000_*.txt … 004_*.txt) are not here: "
    "set KB_SEEDS=/path/to/seeds, or put them in ../shared/seeds beside the project"
)


def seeds_dir() -> Path | None:
    """The folder of the source documents: $KB_SEEDS if set (the only place
    tried then), else ../shared/seeds beside the project; None if absent."""
    if os.environ.get("KB_SEEDS"):
        candidate = Path(os.environ["KB_SEEDS"])
    else:
        candidate = ROOT.parent / "shared" / "seeds"
    if candidate.is_dir() and list(candidate.glob("00[0-4]_*.txt")):
        return candidate
    return None


def chromium_path() -> str | None:
    """The system Chromium (Debian's package) if there is one."""
    for candidate in (os.environ.get("KB_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def mkdocs_build(site_dir: Path, project: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run a strict build of ``project`` into ``site_dir``; return the process."""
    full_env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=project,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def project_copy_to(dest: Path) -> Path:
    """Copy the project's sources (not venv, node_modules or build output) to ``dest``."""
    ignore = shutil.ignore_patterns(".venv", "node_modules", "site", ".git", ".pytest_cache", "__pycache__", "bench")
    shutil.copytree(ROOT, dest, ignore=ignore)
    return dest


def data_copy(tmp_path: Path, with_tools: bool = False) -> Path:
    """A copy of what ``prepare`` reads (mkdocs.yml, data/, the Markdown of docs/)
    to break; ``with_tools`` adds hooks/ and `make manifest`'s script."""
    dest = tmp_path / "project"
    dest.mkdir()
    shutil.copy2(ROOT / "mkdocs.yml", dest / "mkdocs.yml")
    shutil.copytree(ROOT / "data", dest / "data")
    shutil.copytree(ROOT / "docs", dest / "docs", ignore=shutil.ignore_patterns("assets"))
    if with_tools:
        shutil.copytree(ROOT / "hooks", dest / "hooks", ignore=shutil.ignore_patterns("__pycache__"))
        (dest / "tests" / "tools").mkdir(parents=True)
        shutil.copy2(ROOT / "tests" / "tools" / "write_manifest.py", dest / "tests" / "tools" / "write_manifest.py")
    return dest


@dataclass
class Html:
    """What the tests need from one HTML file."""

    ids: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # href of <a>
    resources: list[str] = field(default_factory=list)  # src/href of scripts, styles, images, icons
    meta: dict[str, str] = field(default_factory=dict)  # name/property -> content
    title: str = ""


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out = Html()
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a and a["id"] is not None:
            self.out.ids.append(a["id"])
        if tag == "a" and a.get("href") is not None:
            self.out.links.append(a["href"])
        if tag in ("script", "img", "iframe", "source") and a.get("src"):
            self.out.resources.append(a["src"])
        if tag == "link" and a.get("href") and a.get("rel") not in ("canonical", "prev", "next", "alternate"):
            self.out.resources.append(a["href"])
        if tag == "meta":
            key = a.get("name") or a.get("property") or a.get("itemprop")
            if key:
                self.out.meta[key] = a.get("content") or ""
        if tag == "title":
            self._in_title = True

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.out.title += data


@functools.lru_cache(maxsize=None)
def parse_html(path: Path) -> Html:
    parser = _Parser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.out


def html_pages(site_dir: Path) -> list[Path]:
    return sorted(p for p in site_dir.rglob("*.html"))


def content_pages(site_dir: Path) -> list[Path]:
    """Pages a reader reaches (not the 404 page, not redirect stubs)."""
    out = []
    for path in html_pages(site_dir):
        if path.name == "404.html":
            continue
        if 'http-equiv="refresh"' in path.read_text(encoding="utf-8")[:2000]:
            continue
        out.append(path)
    return out


class _Handler(http.server.SimpleHTTPRequestHandler):
    prefix = "/"

    def translate_path(self, path):
        parts = urlsplit(path)
        clean = unquote(parts.path)
        if not clean.startswith(self.prefix):
            return str(Path(self.directory) / "__outside_prefix__")
        return super().translate_path("/" + clean[len(self.prefix):])

    def log_message(self, *args):  # keep test output quiet
        pass

    def send_error(self, code, message=None, explain=None):
        """A missing path gets the site's 404.html, as static hosts (GitHub Pages) do."""
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class StaticServer:
    """Serve a directory over HTTP on 127.0.0.1 under a path prefix ('/' or '/kb/')."""

    def __init__(self, directory: Path, prefix: str = "/"):
        handler = type("Handler", (_Handler,), {"prefix": prefix})
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
        self.prefix = prefix
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}{self.prefix}"

    def __enter__(self) -> "StaticServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def pagefind_fragments(site_dir: Path) -> dict[str, dict]:
    """The pages of the built site's Pagefind index: {url: fragment} (kb.search_layer.read_fragments)."""
    from kb.search_layer import read_fragments

    return {fragment["url"]: fragment for fragment in read_fragments(site_dir).values()}
