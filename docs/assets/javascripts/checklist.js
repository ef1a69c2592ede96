/* Checklists: tick items (kept in localStorage per page and item id), progress,
 * reset, copy as plain text for WeChat/QQ, copy one item's link, highlight the
 * item named in the URL. Without JavaScript the checklist is a plain list.
 * When storage is unavailable or full (private browsing, some in-app browsers)
 * ticks work for this page view and the bar says they will not be kept.
 * Sharing progress (?done=) lives in checklist-share.js, loaded only on pages
 * with a checklist. */
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

  function button(label, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
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
    var key = root.getAttribute("data-kb-checklist");
    var items = Array.prototype.slice.call(root.querySelectorAll(".kb-check"));
    var present = items.map(function (li) { return li.id; });
    var stored = load(key);
    var done = stored.filter(function (id) { return present.indexOf(id) !== -1; });
    if (done.length !== stored.length) save(key, done); /* drop ids that no longer exist */

    var bar = document.createElement("div");
    bar.className = "kb-checklist__bar";
    var progress = document.createElement("span");
    progress.className = "kb-checklist__progress";
    progress.setAttribute("aria-live", "polite");
    var status = document.createElement("span");
    status.className = "kb-checklist__status";
    status.setAttribute("role", "status");
    var notice = document.createElement("p");
    notice.className = "kb-checklist__notice";
    notice.hidden = true;
    notice.textContent = "这个浏览器不让本站保存数据（隐私模式、存储已满或部分 App 内置浏览器）：勾选在这次浏览中有效，刷新或离开页面后不会保留。";

    function update() {
      progress.textContent = "已完成 " + done.length + "/" + items.length;
      notice.hidden = !storageFailed;
    }
    function say(text) {
      status.textContent = text;
      window.setTimeout(function () { if (status.textContent === text) status.textContent = ""; }, 4000);
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
        copy(pageUrl() + "#" + li.id).then(function () { say("已复制这一条的链接，可以直接发到群里"); }, function () { say("请长按地址栏复制链接"); });
      });
    });

    bar.appendChild(progress);
    bar.appendChild(button("复制为文本", function () {
      copy(asText(root)).then(function () { say("已复制，可以粘贴到微信、企业微信或 QQ"); }, function () { say("复制失败：请手动选择文字复制"); });
    }));
    bar.appendChild(button("全部重置", function () {
      setDone([]);
      say("已清空勾选");
    }));
    bar.appendChild(status);
    root.insertBefore(bar, root.firstChild);
    root.insertBefore(notice, bar.nextSibling);
    update();
    /* For checklist-share.js. */
    root.kbChecklist = {
      items: items, bar: bar, status: status, say: say, copy: copy, update: update,
      done: function () { return done.slice(); }, setDone: setDone,
      text: function (ids, url) { return asText(root, ids, url); }
    };
  }

  function highlight() {
    var old = document.querySelectorAll(".kb-check.is-target");
    for (var i = 0; i < old.length; i++) old[i].classList.remove("is-target");
    if (!location.hash) return;
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    var item = target && target.closest(".kb-check");
    if (item) {
      item.classList.add("is-target");
      item.scrollIntoView({ block: "center" });
    }
  }

  var share = null;
  function loadShare(lists) {
    if (window.kbChecklistShare) { window.kbChecklistShare(lists); return; }
    if (share) return;
    var config = JSON.parse(document.getElementById("__config").textContent);
    share = document.createElement("script");
    share.src = new URL(config.base.replace(/\/?$/, "/") + "assets/javascripts/checklist-share.js", location.href).href;
    share.onload = function () { if (window.kbChecklistShare) window.kbChecklistShare(document.querySelectorAll(".kb-checklist")); };
    document.head.appendChild(share);
  }

  function init() {
    var lists = document.querySelectorAll(".kb-checklist");
    for (var i = 0; i < lists.length; i++) setup(lists[i]);
    highlight();
    if (lists.length) loadShare(lists);
  }

  window.kbChecklistText = function (root) { return asText(root); };
  window.addEventListener("hashchange", highlight);
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(init);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
