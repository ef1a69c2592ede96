/* Checklists, part 2: share progress with a teammate. Loaded by checklist.js
 * only on pages with a checklist. 「复制进度链接」 copies the checklist as text
 * with the done items ticked and a link ending in ?done=id1,id2 (item ids, so it
 * stays short and survives rewording). Opening such a link shows those items as
 * the sender's progress, apart from the reader's own ticks, until the reader
 * takes it over or dismisses it; ids no longer on the page are ignored and said
 * so (a few by name, the rest counted). A link cut short by a chat app never
 * throws. Plain DOM; when the clipboard refuses, the text is shown selected in
 * a field (checklist.js): works in WeChat's in-app browser. */
(function () {
  "use strict";
  var ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text) node.textContent = text;
    return node;
  }
  function button(label, onClick) {
    var b = el("button", "", label);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }
  function baseUrl() { return location.href.split("#")[0].split("?")[0]; }
  /* The ids of ?done=, whatever a chat app did to the link: a cut escape
   * (`%E4%BD`, `%`) is read as it is, nothing throws, and anything that is not
   * an id is dropped. At most MAX ids are read. */
  var MAX = 500;
  function sharedIds() {
    var match = /[?&]done=([^&#]*)/.exec(location.search);
    if (!match) return null;
    var raw = match[1].replace(/\+/g, " ");
    try { raw = decodeURIComponent(raw); } catch (e) { raw = raw.replace(/%2C/gi, ","); }
    return raw.split(/[,\s]+/).slice(0, MAX).filter(function (id) { return id && id.length <= 80 && ID.test(id); });
  }
  function dropParam() {
    if (!window.history || !history.replaceState) return;
    var query = location.search.replace(/^\?/, "").split("&").filter(function (p) { return p && p.indexOf("done=") !== 0; }).join("&");
    try { history.replaceState(history.state, "", location.pathname + (query ? "?" + query : "") + location.hash); } catch (e) { /* sandboxed */ }
  }

  function setupShare(root) {
    var api = root.kbChecklist;
    if (!api || root.getAttribute("data-kb-share")) return;
    root.setAttribute("data-kb-share", "1");
    api.buttons.insertBefore(api.button("复制进度链接", function () {
      var done = api.done();
      var url = baseUrl() + (done.length ? "?done=" + done.join(",") : "");
      api.copyOrShow(api.text(done, url), "已复制进度（" + done.length + " 项）和链接");
    }, "复制"), api.buttons.firstChild.nextSibling);

    var ids = sharedIds();
    if (ids === null) return;
    var present = api.items.map(function (li) { return li.id; });
    var known = ids.filter(function (id, i) { return present.indexOf(id) !== -1 && ids.indexOf(id) === i; });
    var unknown = ids.filter(function (id) { return present.indexOf(id) === -1; });

    var panel = el("section", "kb-shared");
    panel.setAttribute("aria-label", "同事分享的进度");
    panel.appendChild(el("p", "kb-shared__title", "这是别人分享给你的进度：对方已完成 " + known.length + "/" + api.items.length + " 项，下面标着「对方已完成」。你自己的勾选没有改动。"));
    if (unknown.length) {
      /* Summarised: a link can carry thousands of ids; a few are named. */
      var named = unknown.filter(function (id, i) { return unknown.indexOf(id) === i; });
      var shown = named.slice(0, 3).join("、") + (named.length > 3 ? " 等" : "");
      panel.appendChild(el("p", "kb-shared__unknown", "链接里有 " + unknown.length + " 项在这份清单里找不到了（可能已删除或改名），已忽略：" + shown));
    }
    var mine = api.done();
    var actions = el("p", "kb-shared__actions");
    actions.appendChild(button("采用对方的进度", function () {
      api.setDone(known);
      close();
      api.say("已采用对方的 " + known.length + " 项" + (mine.length ? "（替换了你原来的 " + mine.length + " 项）" : ""));
    }));
    actions.appendChild(button("不用，保留我的勾选", function () {
      close();
      api.say("已关闭，你的勾选没有变");
    }));
    if (mine.length) actions.appendChild(el("span", "kb-shared__mine", "你自己已勾选 " + mine.length + " 项；采用后换成对方的 " + known.length + " 项。"));
    panel.appendChild(actions);

    var marks = [];
    api.items.forEach(function (li) {
      if (known.indexOf(li.id) === -1) return;
      li.classList.add("is-shared");
      var badge = el("span", "kb-check__shared", "对方已完成");
      li.querySelector(".kb-check__text").appendChild(badge);
      marks.push([li, badge]);
    });
    function close() {
      marks.forEach(function (m) { m[0].classList.remove("is-shared"); m[1].parentNode.removeChild(m[1]); });
      marks = [];
      if (panel.parentNode) panel.parentNode.removeChild(panel);
      dropParam();
    }
    root.insertBefore(panel, api.bar.nextSibling);
  }

  window.kbChecklistShare = function (lists) {
    for (var i = 0; i < lists.length; i++) setupShare(lists[i]);
  };
})();
