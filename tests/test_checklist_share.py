"""Checklists in the browser: progress shared by link (?done=), and storage that fails.

A shared link shows the sender's ticks apart from the reader's own until the
reader takes them over or dismisses them; a browser that refuses or runs out of
storage still ticks items and says the ticks will not be kept.
"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

LAUNCH = "checklists/launch/"
KEY = "kb-checklist:checklists/launch"

# localStorage that refuses every write (full, or Safari's old private mode).
QUOTA_FULL = """
(() => {
  const full = () => { throw new DOMException("The quota has been exceeded.", "QuotaExceededError"); };
  Storage.prototype.setItem = full;
})();
"""
# Storage blocked outright: every method throws SecurityError (cookies blocked,
# some in-app browsers).
BLOCKED = """
(() => {
  const deny = () => { throw new DOMException("The operation is insecure.", "SecurityError"); };
  for (const name of ["getItem", "setItem", "removeItem", "clear", "key"]) Storage.prototype[name] = deny;
})();
"""
# Reading window.localStorage itself throws (what Chromium does when site data is blocked).
NO_PROPERTY = """
Object.defineProperty(window, "localStorage", { configurable: true, get() { throw new DOMException("Access is denied for this document.", "SecurityError"); } });
"""


def _ids(page) -> list[str]:
    return page.locator(".kb-check").evaluate_all("els => els.map(e => e.id)")


def _copy_progress_link(page) -> tuple[str, str]:
    """(the link, the whole text) that 「复制进度链接」 put on the clipboard."""
    page.get_by_role("button", name="复制进度链接").click()
    page.locator(".kb-checklist__status").filter(has_text="已复制进度").wait_for()
    text = page.evaluate("navigator.clipboard.readText()")
    return text.rstrip().split("\n")[-1], text


@pytest.fixture
def clip_page(context, server):
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url.rstrip("/"))
    return context.new_page()


def test_progress_link_round_trips_without_touching_the_readers_ticks(browser, clip_page, server):
    sender = clip_page
    sender.goto(server.url + LAUNCH)
    ids = _ids(sender)
    sender.locator(".kb-check__box").nth(0).check()
    sender.locator(".kb-check__box").nth(2).check()
    link, text = _copy_progress_link(sender)
    assert link == f"{server.url}{LAUNCH}?done={ids[0]},{ids[2]}"
    # The chat text says which items are done, and carries the link.
    assert text.split("\n")[1] == f"已完成 2/{len(ids)}"
    ticked = [line for line in text.split("\n") if line.startswith("☑")]
    assert [line.split(". ")[0] for line in ticked] == ["☑ 1", "☑ 3"]
    assert text.rstrip().endswith(link)

    # The teammate: a browser of their own, with one tick of their own.
    ctx = browser.new_context(locale="zh-CN", service_workers="block")
    try:
        reader = ctx.new_page()
        errors: list[str] = []
        reader.on("pageerror", lambda e: errors.append(str(e)))
        reader.goto(server.url + LAUNCH)
        reader.locator(".kb-check__box").nth(5).check()
        reader.goto(link)
        panel = reader.locator(".kb-shared")
        panel.wait_for()
        assert "对方已完成 2/" in panel.inner_text()
        assert reader.locator(".kb-check.is-shared").evaluate_all("els => els.map(e => e.id)") == [ids[0], ids[2]]
        assert reader.locator(f"#{ids[0]} .kb-check__shared").inner_text() == "对方已完成"
        # Shown, not applied: the reader's own tick is still the only one.
        assert [b.is_checked() for b in reader.locator(".kb-check__box").all()].count(True) == 1
        assert reader.locator(".kb-check__box").nth(5).is_checked()
        assert reader.evaluate("k => JSON.parse(localStorage.getItem(k))", KEY) == [ids[5]]
        assert "你自己已勾选 1 项" in panel.inner_text()

        reader.get_by_role("button", name="采用对方的进度").click()
        assert reader.locator(".kb-shared").count() == 0
        assert sorted(reader.evaluate("k => JSON.parse(localStorage.getItem(k))", KEY)) == sorted([ids[0], ids[2]])
        assert reader.locator(".kb-checklist__progress").inner_text() == f"已完成 2/{len(ids)}"
        assert "done=" not in reader.url  # a reload does not ask again
        assert not errors
    finally:
        ctx.close()


def test_dismissing_shared_progress_keeps_the_readers_ticks(page, server):
    page.goto(server.url + LAUNCH)
    ids = _ids(page)
    page.locator(".kb-check__box").nth(1).check()
    page.goto(f"{server.url}{LAUNCH}?done={ids[3]}")
    page.locator(".kb-shared").wait_for()
    page.get_by_role("button", name="不用，保留我的勾选").click()
    assert page.locator(".kb-shared, .kb-check.is-shared, .kb-check__shared").count() == 0
    assert page.evaluate("k => JSON.parse(localStorage.getItem(k))", KEY) == [ids[1]]
    assert "done=" not in page.url


def test_unknown_ids_in_a_progress_link_are_ignored_and_said_so(page, server):
    page.goto(server.url + LAUNCH)
    ids = _ids(page)
    page.goto(f"{server.url}{LAUNCH}?done={ids[0]},renamed-item,<script>")
    panel = page.locator(".kb-shared")
    panel.wait_for()
    assert "对方已完成 1/" in panel.inner_text()
    assert "1 项在这份清单里找不到了" in page.locator(".kb-shared__unknown").inner_text()
    assert "renamed-item" in page.locator(".kb-shared__unknown").inner_text()
    assert page.locator(".kb-check.is-shared").count() == 1


def test_progress_link_without_clipboard_api_falls_back_to_a_selectable_field(page, server):
    # Plain http on a LAN address: no navigator.clipboard, as in some in-app browsers.
    page.add_init_script("Object.defineProperty(navigator, 'clipboard', { get: () => undefined }); document.execCommand = () => false;")
    page.goto(server.url + LAUNCH)
    page.locator(".kb-check__box").nth(0).check()
    page.get_by_role("button", name="复制进度链接").click()
    field = page.locator(".kb-checklist__field")
    assert field.is_visible()
    assert re.search(r"\?done=[a-z0-9-]+$", field.input_value())
    assert "已选中" in page.locator(".kb-checklist__hint").inner_text()


@pytest.mark.parametrize("stub", [QUOTA_FULL, BLOCKED], ids=["quota-full", "storage-blocked"])
def test_ticks_work_and_a_notice_says_they_are_not_kept_when_storage_fails(page, server, stub):
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script(stub)
    page.goto(server.url + LAUNCH)
    notice = page.locator(".kb-checklist__notice")
    total = page.locator(".kb-check").count()
    page.locator(".kb-check__box").nth(0).check()
    page.locator(".kb-check__box").nth(1).check()
    assert page.locator(".kb-checklist__progress").inner_text() == f"已完成 2/{total}"
    assert page.locator(".kb-check.is-done").count() == 2
    assert notice.is_visible()
    assert "不会保留" in notice.inner_text()
    assert not errors, errors


def test_checklist_works_when_reading_localstorage_itself_throws(page, server):
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"{e}\n{e.stack or ''}"))
    page.add_init_script(NO_PROPERTY)
    page.goto(server.url + LAUNCH)
    page.locator(".kb-checklist__bar").wait_for()
    page.locator(".kb-check__box").nth(0).check()
    assert page.locator(".kb-check.is-done").count() == 1
    assert page.locator(".kb-checklist__notice").is_visible()
    assert not errors, errors


def test_no_notice_when_storage_works(page, server):
    page.goto(server.url + LAUNCH)
    page.locator(".kb-check__box").nth(0).check()
    assert page.locator(".kb-checklist__notice").is_hidden()
