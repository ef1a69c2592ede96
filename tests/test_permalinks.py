"""Published URLs and checklist item anchors are a contract (data/permalinks.yml).

- the manifest lists everything the built site publishes, so adding a page
  or an item means running `make manifest`, which only ever adds;
- a missing manifest stops the build with a message naming it and `make manifest`;
- removing a published item (or page) without a `moved:` or `removed:` entry
  stops the build (and `make manifest`) with a message naming data/permalinks.yml;
- with `moved:`, the old item id stays on the new item and the old page URL
  becomes a redirect page (mkdocs-redirects); with `removed:` it is gone on purpose.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from kb import permalinks
from kb.build import prepare, read_nav
from kb.errors import DataError
from kb.pages import FRONT_MATTER
from siteutil import ROOT, content_pages, data_copy, mkdocs_build, parse_html

MANIFEST = ROOT / "data" / "permalinks.yml"
CHECKLIST = "docs/checklists/launch.md"
ITEM = re.compile(r'<li class="kb-check" id="([^"]+)"')



def published_by(site: Path) -> dict[str, list[str]]:
    """URL -> checklist item ids, read from the built HTML."""
    out = {}
    for page in content_pages(site):
        rel = page.relative_to(site).as_posix()
        url = "/" + rel[: -len("index.html")]
        out[url] = sorted(ITEM.findall(page.read_text(encoding="utf-8")))
    return out


def test_manifest_lists_what_the_built_site_publishes(built_site):
    data = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    gone = {"/" + str(url).lstrip("/") for url in {**(data.get("moved") or {}), **(data.get("removed") or {})}}
    manifest = {url: sorted(a for a in anchors if f"{url}#{a}" not in gone) for url, anchors in data["pages"].items() if url not in gone}
    site = published_by(built_site)
    new_pages = sorted(set(site) - set(manifest))
    gone_pages = sorted(set(manifest) - set(site))
    changed = [
        f"{url}: new items {sorted(set(site[url]) - set(manifest[url]))}, missing items {sorted(set(manifest[url]) - set(site[url]))}"
        for url in sorted(set(site) & set(manifest))
        if site[url] != manifest[url]
    ]
    problems = [f"published but not in the manifest: {url}" for url in new_pages]
    problems += [f"in the manifest but not published: {url}" for url in gone_pages]
    problems += changed
    assert any(site.values()), "no checklist items found in the built site"
    if problems:
        pytest.fail("data/permalinks.yml differs from the built site; run `make manifest`:\n" + "\n".join(problems), pytrace=False)


def small_copy(tmp_path: Path) -> Path:
    """What `make manifest` and prepare() read: mkdocs.yml, data/, docs/ Markdown, hooks/, the tool."""
    return data_copy(tmp_path, with_tools=True)


def make_manifest(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "tests/tools/write_manifest.py", *args], cwd=project, capture_output=True, text=True, timeout=120)


def test_make_manifest_has_nothing_to_change(tmp_path):
    project = small_copy(tmp_path)
    result = make_manifest(project, "--check")
    assert result.returncode == 0, result.stdout + result.stderr
    result = make_manifest(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (project / "data/permalinks.yml").read_text(encoding="utf-8") == MANIFEST.read_text(encoding="utf-8")


def test_make_manifest_adds_a_new_item_and_keeps_moved(tmp_path):
    project = small_copy(tmp_path)
    path = project / "data/permalinks.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["moved"] = {"/tactics/old-name/": "/tactics/seed-users/"}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    edit_front_matter(project, CHECKLIST, lambda meta: meta["checklist"]["items"].append({**meta["checklist"]["items"][0], "id": "brand-new-item"}))
    assert make_manifest(project, "--check").returncode == 1
    result = make_manifest(project)
    assert result.returncode == 0, result.stderr
    written = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert "brand-new-item" in written["pages"]["/checklists/launch/"]
    assert written["moved"] == {"/tactics/old-name/": "/tactics/seed-users/"}
    assert make_manifest(project, "--check").returncode == 0


def test_make_manifest_writes_the_first_manifest_when_there_is_none(tmp_path):
    project = small_copy(tmp_path)
    (project / "data/permalinks.yml").unlink()
    result = make_manifest(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (project / "data/permalinks.yml").read_text(encoding="utf-8") == MANIFEST.read_text(encoding="utf-8")


def test_a_missing_manifest_stops_the_build(project_copy, tmp_path):
    (project_copy / "data/permalinks.yml").unlink()
    site = tmp_path / "site"
    result = mkdocs_build(site, project=project_copy)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "data/permalinks.yml" in output and "is missing" in output and "make manifest" in output, output
    assert "Traceback" not in output, output


# ---------------------------------------------------------------------------
# Breaking the contract


def edit_front_matter(project: Path, rel: str, change) -> None:
    path = project / rel
    text = path.read_text(encoding="utf-8")
    match = FRONT_MATTER.match(text)
    meta = yaml.safe_load(match.group(1))
    change(meta)
    path.write_text("---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000) + "---\n" + text[match.end():], encoding="utf-8")


def add_moved(project: Path, old: str, new: str) -> None:
    path = project / "data/permalinks.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["moved"] = {**(data.get("moved") or {}), old: new}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def unreferenced_item() -> str:
    """An item of the checklist no page or data file links to (so only the manifest notices it)."""
    meta = yaml.safe_load(FRONT_MATTER.match((ROOT / CHECKLIST).read_text(encoding="utf-8")).group(1))
    texts = [p.read_text(encoding="utf-8") for p in list((ROOT / "docs").rglob("*.md")) + list((ROOT / "data").rglob("*.yml")) if p.name != "permalinks.yml"]
    for item in reversed(meta["checklist"]["items"]):
        anchor = item["id"]
        if not any(re.search(rf"launch(\.md|/)#{re.escape(anchor)}\b", text) for text in texts):
            return anchor
    pytest.fail(f"every item of {CHECKLIST} is linked from somewhere; cannot remove one quietly")


def remove_item(project: Path, anchor: str) -> None:
    edit_front_matter(project, CHECKLIST, lambda meta: meta["checklist"].update(items=[i for i in meta["checklist"]["items"] if i["id"] != anchor]))


def rename_item(project: Path, old: str, new: str) -> None:
    def change(meta):
        for item in meta["checklist"]["items"]:
            if item["id"] == old:
                item["id"] = new

    edit_front_matter(project, CHECKLIST, change)


def test_removing_a_published_item_stops_the_build(project_copy, tmp_path):
    anchor = unreferenced_item()
    remove_item(project_copy, anchor)
    site = tmp_path / "site"
    result = mkdocs_build(site, project=project_copy)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "data/permalinks.yml" in output and f"/checklists/launch/#{anchor}" in output, output
    assert "fix:" in output and "moved:" in output and "Traceback" not in output, output
    assert not site.exists() or not any(site.iterdir()), "a failed build wrote output"


def page_to_move() -> tuple[str, str]:
    """A tactics page whose file name is unique in docs/, and a new name for it."""
    names = [p.name for p in (ROOT / "docs").rglob("*.md")]
    for candidate in ("red-packets.md", *sorted(p.name for p in (ROOT / "docs" / "tactics").glob("*.md"))):
        if candidate != "index.md" and (ROOT / "docs" / "tactics" / candidate).exists() and names.count(candidate) == 1:
            return f"tactics/{candidate}", f"tactics/moved-{candidate}"
    pytest.fail("no tactics page to move")


def move_page(project: Path, old: str, new: str) -> None:
    """Rename docs/<old> to docs/<new> and every reference to it (Markdown links, data, nav)."""
    (project / "docs" / old).rename(project / "docs" / new)
    old_name, new_name = Path(old).name, Path(new).name
    files = list((project / "docs").rglob("*.md")) + [p for p in (project / "data").rglob("*.yml") if p.name != "permalinks.yml"]
    for path in [*files, project / "mkdocs.yml"]:
        text = path.read_text(encoding="utf-8")
        changed = re.sub(rf"(?<![\w-]){re.escape(old_name)}", new_name, text)
        if changed != text:
            path.write_text(changed, encoding="utf-8")


def url_of(rel: str) -> str:
    return "/" + rel[: -len(".md")] + "/"


def test_prepare_names_the_manifest_for_a_removed_page(tmp_path):
    project = small_copy(tmp_path)
    old, new = page_to_move()
    move_page(project, old, new)
    with pytest.raises(DataError) as info:
        prepare(project, project / "docs", read_nav(project))
    text = str(info.value)
    assert text.startswith("data/permalinks.yml") and url_of(old) in text and "moved:" in text, text


def test_prepare_accepts_moved_with_or_without_leading_slash(tmp_path):
    project = small_copy(tmp_path)
    anchor = unreferenced_item()
    rename_item(project, anchor, anchor + "-renamed")
    add_moved(project, f"checklists/launch/#{anchor}", f"/checklists/launch/#{anchor}-renamed")
    prepare(project, project / "docs", read_nav(project))


def test_moved_item_keeps_its_old_anchor_and_moved_page_redirects(project_copy, tmp_path):
    """One build: an item renamed with `moved:` (the form without a leading
    slash) and a page renamed with `moved:` (the form with one)."""
    anchor = unreferenced_item()
    new_anchor = anchor + "-renamed"
    rename_item(project_copy, anchor, new_anchor)
    add_moved(project_copy, f"checklists/launch/#{anchor}", f"checklists/launch/#{new_anchor}")
    old, new = page_to_move()
    move_page(project_copy, old, new)
    add_moved(project_copy, url_of(old), url_of(new))

    site = tmp_path / "site"
    result = mkdocs_build(site, project=project_copy)
    assert result.returncode == 0, result.stdout + result.stderr

    launch = site / "checklists" / "launch" / "index.html"
    html = launch.read_text(encoding="utf-8")
    assert f'<li class="kb-check" id="{new_anchor}">' in html
    ids = parse_html(launch).ids
    assert anchor in ids, f"the old anchor #{anchor} is gone from the page"
    assert ids.count(anchor) == 1

    stub = site / old.replace(".md", "") / "index.html"
    assert stub.exists(), f"no redirect page at {url_of(old)}"
    text = stub.read_text(encoding="utf-8")
    assert 'http-equiv="refresh"' in text
    target = Path(new).stem
    assert re.search(rf'url=[^"]*{re.escape(target)}/', text), text
    assert (site / new.replace(".md", "") / "index.html").exists()


def test_make_manifest_never_drops_a_published_item(tmp_path):
    """Regenerating the manifest is not a way to remove an item from the contract."""
    project = small_copy(tmp_path)
    anchor = unreferenced_item()
    remove_item(project, anchor)
    before = (project / "data/permalinks.yml").read_text(encoding="utf-8")
    result = make_manifest(project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"/checklists/launch/#{anchor}" in result.stderr and "removed:" in result.stderr, result.stderr
    assert (project / "data/permalinks.yml").read_text(encoding="utf-8") == before


def add_removed(project: Path, url: str, why: str) -> None:
    path = project / "data/permalinks.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["removed"] = {**(data.get("removed") or {}), url: why}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_removed_entry_lets_an_item_go_and_it_stays_listed(tmp_path):
    project = small_copy(tmp_path)
    anchor = unreferenced_item()
    remove_item(project, anchor)
    add_removed(project, f"/checklists/launch/#{anchor}", "和上一条合并了")
    result = make_manifest(project)
    assert result.returncode == 0, result.stdout + result.stderr
    written = yaml.safe_load((project / "data/permalinks.yml").read_text(encoding="utf-8"))
    assert anchor in written["pages"]["/checklists/launch/"], "make manifest dropped a published item"
    assert written["removed"] == {f"/checklists/launch/#{anchor}": "和上一条合并了"}
    prepare(project, project / "docs", read_nav(project))


def test_a_removed_page_needs_moved_or_removed(tmp_path):
    project = small_copy(tmp_path)
    build = prepare(project, project / "docs", read_nav(project))
    old, _new = page_to_move()
    now = {url: anchors for url, anchors in build.published.items() if url != url_of(old)}
    with pytest.raises(DataError) as info:
        permalinks.check_manifest(project / "data", now, build.index)
    text = str(info.value)
    assert text.startswith("data/permalinks.yml:") and url_of(old) in text and "moved:" in text and "removed:" in text, text
    add_removed(project, url_of(old), "内容并入了别的页面")
    permalinks.check_manifest(project / "data", now, build.index)


def test_permalinks_does_not_import_the_build():
    """kb.build imports kb.permalinks; the reverse would make an import cycle."""
    import ast

    tree = ast.parse((ROOT / "hooks" / "kb" / "permalinks.py").read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            imported |= {f"{node.module}"} | {f"{node.module}.{a.name}" if node.module else a.name for a in node.names}
        elif isinstance(node, ast.Import):
            imported |= {a.name for a in node.names}
    assert not {name for name in imported if name.split(".")[-1] == "build"}, imported
