/* Checklists: tick items (kept in localStorage per page and item id), progress,
 * reset (with 撤销), copy as plain text for WeChat/QQ, copy one item's link,
 * highlight the item named in the URL. Without JavaScript the checklist is a
 * plain list. When storage is unavailable or full (private browsing, some
 * in-app browsers) ticks work for this page view and the bar says they will
 * not be kept. Sharing progress (?done=) lives in checklist-share.js, loaded
 * only on pages with a checklist.
 *
 * On every page: a link to an element of the page (#id: a checklist item, a
 * heading, a day of the kit, a glossary term) lands just below whatever is
 * sticky at the top (the header, the tabs, a checklist's bar), on the first
 * load and on every hashchange. A hash cut short or re-encoded by a chat app
 * (`#%E4%BD`, `#%`) never throws: it is read as it is. */
(function () {
  "use strict";
  var PREFIX = "kb-checklist:";
  var storageFailed = false;

  /* Every access goes through here: reading window.localStorage itself throws
   * a SecurityError when storage is blocked; setItem throws QuotaExceededError
   * when it is full. */
  function store() {
    try { return window.localStorage || null; } catch (e) { return null; }
  }
  function load(key) {
    var s = store();
    if (!s) { storageFailed = true; return []; }
    try {
      var ids = JSON.parse(s.getItem(PREFIX + key) || "[]");
      return Array.isArray(ids) ? ids : [];
    } catch (e) {
      if (e && e.name !== "SyntaxError") storageFailed = true;
      return [];
    }
  }
  function save(key, ids) {
    var s = store();
    if (!s) { storageFailed = true; return false; }
    try {
      if (ids.length) s.setItem(PREFIX + key, JSON.stringify(ids));
      else s.removeItem(PREFIX + key);
      return true;
    } catch (e) { storageFailed = true; return false; }
  }
  function pageUrl() { return location.href.split("#")[0]; }

  /* decodeURIComponent that never throws: a cut escape stays as it is. */
  function decode(text) {
    try { return decodeURIComponent(text); } catch (e) { return text; }
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      if (ok) resolve(); else reject(new Error("copy failed"));
    });
  }

  /* A button whose label is shortened on a phone: the words in `hide` are not
   * shown below 45em (extra.css); its aria-label keeps the whole label, so
   * `hide` must be its start or its end (what is shown stays a part of the
   * name a screen reader or voice control uses, WCAG 2.5.3). */
  function button(label, onClick, hide) {
    var b = document.createElement("button");
    b.type = "button";
    if (hide) {
      b.setAttribute("aria-label", label);
      var at = label.indexOf(hide);
      b.appendChild(document.createTextNode(label.slice(0, at)));
      var span = document.createElement("span");
      span.className = "kb-long";
      span.textContent = hide;
      b.appendChild(span);
      b.appendChild(document.createTextNode(label.slice(at + hide.length)));
    } else {
      b.textContent = label;
    }
    b.addEventListener("click", onClick);
    return b;
  }

  /* The text pasted into a chat: title, one line per item with ☐/☑, the URL. */
  function asText(root, doneIds, url) {
    var lines = [root.getAttribute("data-kb-title") || document.title, ""];
    var items = root.querySelectorAll(".kb-check");
    var count = 0;
    for (var i = 0; i < items.length; i++) {
      var on = doneIds ? doneIds.indexOf(items[i].id) !== -1 : items[i].querySelector(".kb-check__box").checked;
      if (on) count++;
      var text = items[i].querySelector(".kb-check__text").textContent.trim();
      lines.push((on ? "☑ " : "☐ ") + (i + 1) + ". " + text);
    }
    lines.splice(1, 0, "已完成 " + count + "/" + items.length);
    lines.push("", url || pageUrl());
    return lines.join("\n");
  }

  function setup(root) {
    if (root.getAttribute("data-kb-ready")) return;
    root.setAttribute("data-kb-ready", "1");
    document.documentElement.classList.add("kb-has-checklist");
    var key = root.getAttribute("data-kb-checklist");
    var items = Array.prototype.slice.call(root.querySelectorAll(".kb-check"));
    var present = items.map(function (li) { return li.id; });
    var stored = load(key);
    var done = stored.filter(function (id) { return present.indexOf(id) !== -1; });
    if (done.length !== stored.length) save(key, done); /* drop ids that no longer exist */

    /* One line on a phone in every state: the progress, or for a few seconds
     * a short message in its place (with 撤销 after a reset), then the buttons.
     * A text to copy by hand takes the line's place until it is copied,
     * closed or left. */
    var bar = document.createElement("div");
    bar.className = "kb-checklist__bar";
    var line = document.createElement("div");
    line.className = "kb-checklist__line";
    var slot = document.createElement("span");
    slot.className = "kb-checklist__slot";
    var progress = document.createElement("span");
    progress.className = "kb-checklist__progress";
    progress.setAttribute("aria-live", "polite");
    var status = document.createElement("span");
    status.className = "kb-checklist__status";
    status.setAttribute("role", "status");
    slot.appendChild(progress);
    slot.appendChild(status);
    var notice = document.createElement("p");
    notice.className = "kb-checklist__notice";
    notice.hidden = true;
    notice.textContent = "这个浏览器不让本站保存数据（隐私模式、存储已满或部分 App 内置浏览器）：勾选在这次浏览中有效，刷新或离开页面后不会保留。";

    function update() {
      progress.textContent = "已完成 " + done.length + "/" + items.length;
      notice.hidden = !storageFailed;
    }
    var sayTimer = null;
    /* A message in the progress slot for `ms` (4 s), with an optional action. */
    function say(text, action, ms) {
      window.clearTimeout(sayTimer);
      status.textContent = "";
      status.appendChild(document.createTextNode(text));
      if (action) {
        var act = button(action.label, function () { action.run(); clear(); });
        act.className = "kb-checklist__action";
        status.appendChild(act);
      }
      slot.classList.add("is-saying");
      function clear() {
        window.clearTimeout(sayTimer);
        status.textContent = "";
        slot.classList.remove("is-saying");
      }
      sayTimer = window.setTimeout(clear, ms || 4000);
    }

    /* Copy by hand: the text in a field, selected, in place of the bar's line. */
    var manual = document.createElement("div");
    manual.className = "kb-checklist__manual";
    manual.hidden = true;
    var manualHint = document.createElement("span");
    manualHint.className = "kb-checklist__hint";
    var field = document.createElement("textarea");
    field.className = "kb-checklist__field";
    field.readOnly = true;
    field.rows = 1;
    field.setAttribute("aria-label", "要复制的文字（已全部选中：长按或按 Ctrl+C 复制）");
    var closeManual = button("关闭", function () { hideManual(); });
    closeManual.className = "kb-checklist__close";
    manual.appendChild(manualHint);
    manual.appendChild(field);
    manual.appendChild(closeManual);
    function hideManual() {
      if (manual.hidden) return;
      manual.hidden = true;
      line.hidden = false;
      bar.classList.remove("is-manual");
    }
    function showManual(text, hint) {
      field.value = text;
      manualHint.textContent = hint;
      line.hidden = true;
      manual.hidden = false;
      bar.classList.add("is-manual");
      field.focus();
      field.select();
      try { field.setSelectionRange(0, text.length); } catch (e) { /* old WebViews */ }
    }
    field.addEventListener("focus", function () { field.select(); });
    /* Closes itself once copied, on Escape, or when the reader moves on. */
    field.addEventListener("copy", function () { window.setTimeout(function () { hideManual(); say("已复制"); }, 0); });
    manual.addEventListener("keydown", function (e) { if (e.key === "Escape") hideManual(); });
    manual.addEventListener("focusout", function (e) { if (!manual.contains(e.relatedTarget)) window.setTimeout(hideManual, 200); });
    /* Copy `text`; when the browser will not, show it selected in the field. */
    function copyOrShow(text, okMessage) {
      return copy(text).then(function () { hideManual(); say(okMessage); }, function () {
        showManual(text, "没能自动复制，已选中：");
      });
    }

    function setDone(ids) {
      done = ids.filter(function (id) { return present.indexOf(id) !== -1; });
      items.forEach(function (li) {
        var box = li.querySelector(".kb-check__box");
        box.checked = done.indexOf(li.id) !== -1;
        li.classList.toggle("is-done", box.checked);
      });
      save(key, done);
      update();
    }

    items.forEach(function (li) {
      var box = li.querySelector(".kb-check__box");
      box.disabled = false;
      box.checked = done.indexOf(li.id) !== -1;
      li.classList.toggle("is-done", box.checked);
      box.addEventListener("change", function () {
        done = done.filter(function (id) { return id !== li.id; });
        if (box.checked) done.push(li.id);
        li.classList.toggle("is-done", box.checked);
        save(key, done);
        update();
      });
      var link = li.querySelector(".kb-check__link");
      link.addEventListener("click", function () {
        copyOrShow(pageUrl() + "#" + li.id, "已复制这一条的链接");
      });
    });

    var buttons = document.createElement("span");
    buttons.className = "kb-checklist__buttons";
    // One label on every screen: a label shortened inside the word (复制为文本 ->
    // 复制文本) would no longer be part of the button's accessible name.
    buttons.appendChild(button("复制文本", function () {
      copyOrShow(asText(root), "已复制，可粘贴到微信或 QQ");
    }));
    buttons.appendChild(button("全部重置", function () {
      var before = done.slice();
      if (!before.length) { say("还没有勾选"); return; }
      setDone([]);
      say("已清空 " + before.length + " 项", { label: "撤销", run: function () { setDone(before); say("已恢复 " + before.length + " 项勾选"); } }, 8000);
    }, "全部"));
    line.appendChild(slot);
    line.appendChild(buttons);
    bar.appendChild(line);
    bar.appendChild(manual);
    root.insertBefore(bar, root.firstChild);
    root.insertBefore(notice, bar.nextSibling);
    update();
    /* For checklist-share.js. */
    root.kbChecklist = {
      items: items, bar: bar, buttons: buttons, status: status, say: say, copy: copy, copyOrShow: copyOrShow, update: update,
      button: button, decode: decode,
      done: function () { return done.slice(); }, setDone: setDone,
      text: function (ids, url) { return asText(root, ids, url); }
    };
  }

  /* How far from the top of the window a target must land to be seen: below
   * the fixed header, the sticky tabs, and the sticky bar of the checklist
   * that holds it. */
  function coveredTop(target) {
    var bottom = 0;
    var fixed = document.querySelectorAll(".md-header, .md-tabs");
    for (var i = 0; i < fixed.length; i++) {
      var cs = window.getComputedStyle(fixed[i]);
      if (cs.display === "none" || cs.visibility === "hidden" || (cs.position !== "fixed" && cs.position !== "sticky")) continue;
      var r = fixed[i].getBoundingClientRect();
      if (r.height && r.top <= 1) bottom = Math.max(bottom, r.bottom);
    }
    var list = target.closest && target.closest(".kb-checklist");
    var bar = list && list.querySelector(".kb-checklist__bar");
    if (bar && bar.offsetHeight) {
      var top = parseFloat(window.getComputedStyle(bar).top) || 0;
      bottom = Math.max(bottom, top + bar.offsetHeight);
    }
    return bottom;
  }

  function targetOf(hash) {
    if (!hash || hash.length < 2) return null;
    var raw = hash.slice(1);
    return document.getElementById(decode(raw)) || document.getElementById(raw);
  }

  /* Scroll so the target's top sits just below what is sticky. */
  function land(target) {
    var item = target.closest && target.closest(".kb-check");
    var el = item || (target.classList && target.classList.contains("kb-old-anchor") ? target.parentNode : target);
    var top = el.getBoundingClientRect().top + window.pageYOffset - coveredTop(el) - 8;
    /* Moving back up after the browser's own jump reads to Material as the
       reader scrolling up, which shows its back-to-top pill over the target:
       keep the pill away until the reader scrolls themselves. */
    var root = document.documentElement;
    root.classList.add("kb-landed");
    var release = function () {
      root.classList.remove("kb-landed");
      ["wheel", "touchstart", "keydown"].forEach(function (type) { window.removeEventListener(type, release, true); });
    };
    ["wheel", "touchstart", "keydown"].forEach(function (type) { window.addEventListener(type, release, true); });
    window.scrollTo(window.pageXOffset, Math.max(0, top));
  }

  function highlight() {
    var old = document.querySelectorAll(".kb-check.is-target");
    for (var i = 0; i < old.length; i++) old[i].classList.remove("is-target");
    var target = targetOf(location.hash);
    if (!target) return;
    var item = target.closest && target.closest(".kb-check");
    if (item) item.classList.add("is-target");
    land(target);
  }

  var share = null;
  function loadShare(lists) {
    if (window.kbChecklistShare) { window.kbChecklistShare(lists); return; }
    if (share) return;
    var base = ".";
    try { base = JSON.parse(document.getElementById("__config").textContent).base; } catch (e) { /* keep "." */ }
    share = document.createElement("script");
    share.src = new URL(base.replace(/\/?$/, "/") + "assets/javascripts/checklist-share.js", location.href).href;
    share.onload = function () { if (window.kbChecklistShare) window.kbChecklistShare(document.querySelectorAll(".kb-checklist")); };
    document.head.appendChild(share);
  }

  var pending = false;
  function init() {
    var lists = document.querySelectorAll(".kb-checklist");
    if (!lists.length && document.documentElement.classList.contains("kb-has-checklist")) document.documentElement.classList.remove("kb-has-checklist");
    for (var i = 0; i < lists.length; i++) setup(lists[i]);
    if (lists.length) loadShare(lists);
    highlight();
    /* The browser (and instant navigation) scroll to the fragment themselves,
     * possibly after this: land again once they are done. */
    if (location.hash && !pending) {
      pending = true;
      window.setTimeout(function () { pending = false; highlight(); }, 120);
    }
  }

  window.kbChecklistText = function (root) { return asText(root); };
  window.kbLandHash = highlight;
  window.addEventListener("hashchange", highlight);
  window.addEventListener("load", function () { if (location.hash) highlight(); });
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(init);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
