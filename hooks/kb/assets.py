"""The site's own scripts, minified in the built site.

The sources in docs/assets/javascripts stay readable (comments say why each
weight and rule is there); what a reader downloads is the same code without
comments and spaces (rjsmin, a small, well-kept minifier). Material's own
bundles are minified already and are left alone.
"""

from __future__ import annotations

from pathlib import Path

SCRIPTS = "assets/javascripts"


def minify_scripts(site_dir: Path, docs_dir: Path) -> tuple[int, int]:
    """Minify, in ``site_dir``, every script that comes from ``docs_dir``/SCRIPTS.
    Returns (bytes before, bytes after)."""
    import rjsmin

    before = after = 0
    for source in sorted((docs_dir / SCRIPTS).glob("*.js")):
        built = site_dir / SCRIPTS / source.name
        if not built.is_file():
            continue
        text = built.read_text(encoding="utf-8")
        small = rjsmin.jsmin(text, keep_bang_comments=True)
        built.write_text(small, encoding="utf-8")
        before, after = before + len(text.encode("utf-8")), after + len(small.encode("utf-8"))
    return before, after
