/* Checklists: tick items (kept in localStorage per page and item id), progress,
 * reset, copy as plain text for WeChat/QQ, copy one item's link, highlight the
 * item named in the URL. Without JavaScript the checklist is a plain list. */
(function () {
  "use strict";
  var PREFIX = "kb-checklist:";

  function load(key) {
    try { return JSON.parse(localStorage.getItem(PREFIX + key) || "[]"); } catch (e) { return []; }
  }
  function save(key, ids) {
    try {
      if (ids.length) localStorage.setItem(PREFIX + key, JSON.stringify(ids));
      else localStorage.removeItem(PREFIX + key);
    } catch (e) { /* private mode: state lives for this page view only */ }
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
      var ok = document.execCommand("copy");
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
  function asText(root) {
    var lines = [root.getAttribute("data-kb-title") || document.title, ""];
    var items = root.querySelectorAll(".kb-check");
    for (var i = 0; i < items.length; i++) {
      var box = items[i].querySelector(".kb-check__box");
      var text = items[i].querySelector(".kb-check__text").textContent.trim();
      lines.push((box.checked ? "☑ " : "☐ ") + (i + 1) + ". " + text);
    }
    lines.push("", pageUrl());
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

    function update() {
      progress.textContent = "已完成 " + done.length + "/" + items.length;
    }
    function say(text) {
      status.textContent = text;
      window.setTimeout(function () { if (status.textContent === text) status.textContent = ""; }, 4000);
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
      done = [];
      items.forEach(function (li) { li.querySelector(".kb-check__box").checked = false; li.classList.remove("is-done"); });
      save(key, done);
      update();
      say("已清空勾选");
    }));
    bar.appendChild(status);
    root.insertBefore(bar, root.firstChild);
    update();
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

  function init() {
    var lists = document.querySelectorAll(".kb-checklist");
    for (var i = 0; i < lists.length; i++) setup(lists[i]);
    highlight();
  }

  window.kbChecklistText = asText;
  window.addEventListener("hashchange", highlight);
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(init);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
