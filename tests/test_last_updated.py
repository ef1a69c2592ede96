"""「最后更新」: every page with a Markdown file shows when git last changed it,
in Chinese date format, and the site still builds from a shallow clone or
from a copy with no git history at all."""

from __future__ import annotations

import re
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

from siteutil import ROOT, content_pages, mkdocs_build

UPDATED = re.compile(r'<aside class="md-source-file kb-updated">\s*<span class="md-source-file__fact">最后更新：<time datetime="(\d{4})-(\d{2})-(\d{2})">(\d{4})年(\d{1,2})月(\d{1,2})日</time>')
SHANGHAI = timezone(timedelta(hours=8))


def _updated(html_file: Path) -> tuple[str, str] | None:
    match = UPDATED.search(html_file.read_text(encoding="utf-8"))
    if not match:
        return None
    y, m, d, cy, cm, cd = match.groups()
    assert (int(y), int(m), int(d)) == (int(cy), int(cm), int(cd)), "the visible date and datetime= disagree"
    return f"{y}-{m}-{d}", f"{cy}年{cm}月{cd}日"


def _git_date(rel: str) -> str:
    out = subprocess.run(["git", "log", "-1", "--format=%ct", "--", rel], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    assert out, f"{rel} is not committed"
    return datetime.fromtimestamp(int(out), SHANGHAI).strftime("%Y-%m-%d")


def test_every_page_with_a_markdown_file_shows_its_last_change(built_site):
    missing = []
    for html_file in content_pages(built_site):
        rel = html_file.relative_to(built_site).as_posix()
        generated = rel.startswith("navigator/") and rel != "navigator/index.html"
        found = _updated(html_file)
        if generated:
            assert found is None, f"{rel}: a generated page has no file of its own, so no date"
        elif found is None:
            missing.append(rel)
    assert not missing, f"pages without 最后更新: {missing}"


def test_the_date_is_the_last_commit_of_that_page(built_site):
    for src, out in (("docs/checklists/launch.md", "checklists/launch/index.html"), ("docs/basics/lifecycle.md", "basics/lifecycle/index.html")):
        iso, shown = _updated(built_site / out)
        assert iso == _git_date(src), src
        assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", shown)


def _build_ok(project: Path, site: Path) -> None:
    result = mkdocs_build(site, project=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stderr, result.stderr


def test_a_shallow_clone_builds_strictly_with_dates(tmp_path):
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{ROOT}", str(clone)], check=True, capture_output=True)
    assert subprocess.run(["git", "rev-parse", "--is-shallow-repository"], cwd=clone, capture_output=True, text=True).stdout.strip() == "true"
    site = tmp_path / "site"
    _build_ok(clone, site)
    assert _updated(site / "checklists" / "launch" / "index.html") is not None


def test_a_copy_without_git_builds_strictly_with_the_build_date(project_copy, tmp_path):
    site = tmp_path / "site"
    _build_ok(project_copy, site)
    iso, _shown = _updated(site / "checklists" / "launch" / "index.html")
    assert iso in {datetime.now(SHANGHAI).strftime("%Y-%m-%d"), (datetime.now(SHANGHAI) - timedelta(days=1)).strftime("%Y-%m-%d")}
