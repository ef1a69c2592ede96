"""The Nu HTML Checker (vnu.jar) on one built page of every page type.

One JVM run over the same sample as test_accessibility.py, JSON output,
errors only. Errors from our templates (overrides/) and hooks fail the test;
the few that Material's own templates produce are listed below with the
reason, each matched by its message *and* by the markup it points at, so the
same message from our own markup still fails.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass

import pytest

from siteutil import ROOT
from test_accessibility import SAMPLE, sample_file

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@dataclass(frozen=True)
class Allowed:
    message: str  # regex on vnu's message
    extract: str  # regex on the markup vnu quotes: the theme's own element
    reason: str


#: Errors that come from Material for MkDocs' templates, not from ours.
THEME_ERRORS = (
    # material/templates/base.html: the hidden checkboxes that open the drawer
    # and the search carry autocomplete="off" so that Firefox does not restore
    # their checked state on back/forward. Browsers ignore the attribute on a
    # checkbox otherwise; it is harmless.
    Allowed(
        r"^Attribute “autocomplete” is only allowed when the input type is",
        r'class="md-toggle" data-md-toggle="(drawer|search)" type="checkbox"',
        "Material base.html: autocomplete=off on its drawer/search toggles",
    ),
    # material/templates/partials/nav-item.html renders tabindex="{{ tabindex }}"
    # on section labels and leaves it empty when navigation.sections renders the
    # section expanded. An empty tabindex is ignored by browsers.
    Allowed(
        r"^Bad value “” for attribute “tabindex” on element “label”",
        r'<label class="md-nav__link[^"]*" for="__nav_[\w]+" id="__nav_[\w]+_label" tabindex="">',
        "Material nav-item.html: empty tabindex on section labels",
    ),
    # material/templates/partials/toc.html always renders <label for="__toc">
    # in the table of contents; the matching checkbox only exists when the page
    # itself is in the navigation with a TOC (not on section index pages with
    # navigation.indexes, nor on pages outside the nav).
    Allowed(
        r"^The value of the “for” attribute of the “label” element must be the ID of a non-hidden form control",
        r'<label class="md-nav__title" for="__toc">',
        "Material toc.html: label for a #__toc toggle the page does not have",
    ),
)


def _java() -> str | None:
    return shutil.which("java")


def run_vnu(files: list) -> list[dict]:
    result = subprocess.run(
        [_java(), "-Xss8m", "-jar", str(VNU), "--format", "json", "--errors-only", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    try:
        return json.loads(result.stderr or result.stdout)["messages"]
    except (json.JSONDecodeError, KeyError):
        pytest.fail(f"vnu.jar did not answer in JSON (exit {result.returncode}):\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")


def allowed(message: dict) -> Allowed | None:
    text = message.get("message", "")
    extract = message.get("extract", "")
    for entry in THEME_ERRORS:
        if re.search(entry.message, text) and re.search(entry.extract, extract):
            return entry
    return None


@pytest.fixture(scope="module")
def vnu_messages(built_site) -> list[dict]:
    missing = [what for what, ok in (("java", _java()), (str(VNU), VNU.exists())) if not ok]
    if missing:
        if IN_CI:
            pytest.fail(f"the HTML check needs {', '.join(missing)} in CI (apt-get install default-jre-headless; npm ci)")
        pytest.skip(f"no {', '.join(missing)} here; CI runs this test")
    files = [sample_file(built_site, path) for path in SAMPLE.values()]
    messages = run_vnu(files)
    for m in messages:
        m["file"] = m.get("url", "").split(str(built_site), 1)[-1].lstrip("/")
    return messages


def test_vnu_checked_the_whole_sample(vnu_messages, built_site):
    """vnu reports non-document problems (unreadable file, IO) as 'non-document-error'."""
    broken = [m for m in vnu_messages if m.get("type") == "non-document-error"]
    assert not broken, broken


def test_no_html_errors_from_our_templates_and_hooks(vnu_messages):
    ours = [m for m in vnu_messages if m.get("type") == "error" and not allowed(m)]
    grouped: dict[str, list[dict]] = {}
    for m in ours:
        grouped.setdefault(m["message"], []).append(m)
    lines = []
    for message, hits in grouped.items():
        lines.append(f"{message} ({len(hits)}×)")
        for m in hits[:4]:
            extract = " ".join(m.get("extract", "").split())
            lines.append(f"    {m['file']}:{m.get('lastLine', '?')}: {extract[:160]}")
        if len(hits) > 4:
            lines.append(f"    … also in {', '.join(sorted({m['file'] for m in hits[4:]}))}")
    if ours:
        pytest.fail(f"{len(ours)} HTML error(s) from our templates or hooks:\n" + "\n".join(lines), pytrace=False)


def test_no_protocol_relative_urls(built_site):
    """'//x/' is a link to the host 'x': a template that glues base_url '/' to '/x/' makes one."""
    from siteutil import parse_html

    bad = []
    for path in SAMPLE.values():
        page = sample_file(built_site, path)
        text = page.read_text(encoding="utf-8")
        for url in parse_html(page).links + parse_html(page).resources + re.findall(r'\saction="([^"]*)"', text):
            if url.startswith("//"):
                bad.append(f"{page.relative_to(built_site).as_posix()}: {url}")
    if bad:
        pytest.fail(f"{len(bad)} protocol-relative URL(s):\n" + "\n".join(bad), pytrace=False)
