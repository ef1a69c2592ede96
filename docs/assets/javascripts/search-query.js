/* Search query normaliser for Material's built-in search (see bench/README.md, 搜索).
 *
 * The search box keeps what the reader typed; only the query message sent to
 * Material's search worker ({type: 2, data: "..."}) is rewritten, by patching
 * Worker.prototype.postMessage. No requests: the words come from the search
 * index Material already sends to its worker.
 *
 * 1. Question words and particles go (怎么办, 如何, 什么, 吗, 的 …); Chinese and
 *    Latin letters are split (VIP群 → vip 群).
 * 2. The Chinese is segmented with the words of the index itself (built by
 *    jieba with data/jieba_user_dict.txt), so each query word is an index word
 *    and matches as a whole word or a word prefix (种子 → 种子用户); a long
 *    word also brings its parts (种子用户 → 种子用户 种子 用户).
 *    Characters the index never has together (种籽用户, 列变) become the most
 *    frequent index word one character away, if there is one.
 * 3. Each word ends with U+3400 (never in the index): the worker's own
 *    segmenter drops the last character of a run of Chinese, so this keeps
 *    「拉新」 from becoming 「拉*」 (should Material fix that, U+3400 is just
 *    one more term that matches nothing).
 * 4. Results: a page whose title or alias (front matter `aliases`, shown as
 *    「也可以搜：…」) is the query, or is contained in it, goes to the top.
 */
(function () {
  "use strict";
  var W = window.Worker;
  if (!W || W.prototype.kbSearchQuery) return;
  W.prototype.kbSearchQuery = true;

  var SETUP = 0, QUERY = 2, RESULT = 3, END = "\u3400";
  var HAN = /\p{sc=Han}/u;
  var QUESTION = /怎么办|怎么样|怎么|怎样|如何|为什么|为啥|什么样|什么|哪个好|哪种好|哪个|哪种|哪些|哪里|是不是|有没有|要不要|能不能|可以吗|应该|请问|一下/g;
  var STOP = new Set(("的 了 吗 呢 吧 啊 呀 么 嘛 哦 是 有 要 该 能 会 和 与 及 或 把 被 让 给 在 对 跟 " +
    "我 你 他 她 它 我们 你们 都 也 就 还 又 很 太 最 好 做 搞 弄 起来 一个 这个 那个 还是 或者 需要 可以 到底").split(" "));

  var docs = null, words = null, text = "", pages = null, queue = [];

  /* Index words with their counts, the index text, titles and aliases. */
  function load() {
    if (words || !docs) return !!words;
    words = new Map();
    var parts = [], names = [];
    docs.forEach(function (doc) {
      var t = doc.title + "\u200b" + doc.text;
      t.split(/[\s\u200b]+/).forEach(function (w) {
        if (w.length > 1 && w.length < 9 && HAN.test(w) && !/[^\p{sc=Han}]/u.test(w))
          words.set(w, (words.get(w) || 0) + 1);
      });
      t = t.replace(/\u200b/g, "");
      parts.push(t);
      var page = doc.location.split("#")[0];
      if (page === doc.location) names.push([doc.title.replace(/\u200b/g, ""), page, 0.5]);
      var m = /也可以搜：([^<]*)/.exec(t);
      if (m) m[1].split("、").forEach(function (a) { names.push([a, page, 0]); });
    });
    text = parts.join("\n");
    pages = names.map(function (n) {
      var q = normalise(n[0], false), raw = compact(n[0]);
      /* may match inside a longer query: a plain term, or several words */
      var inner = q.key.length > 1 && (q.key === raw || q.words.length > 1);
      return [q.key, n[1], raw, n[2], inner];
    });
    return true;
  }

  function compact(value) { return value.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ""); }

  /* Segment a run of Chinese into index words (fewest pieces); with `parts`,
     not as the whole run. */
  function segment(run, parts) {
    var n = run.length, cost = [0], back = [0];
    for (var i = 1; i <= n; i++) {
      cost[i] = Infinity;
      for (var j = Math.max(0, i - 8); j < i; j++) {
        if (i - j > 1 && !words.has(run.slice(j, i)) || parts && i - j === n) continue;
        if (cost[j] + 1 < cost[i]) { cost[i] = cost[j] + 1; back[i] = j; }
      }
    }
    var out = [];
    for (i = n; i > 0; i = back[i]) out.unshift(run.slice(back[i], i));
    return out;
  }

  /* The most frequent index word one character away from `s`, if `s` itself
     never occurs in the index text. */
  function correct(s) {
    if (text.indexOf(s) >= 0) return null;
    var best = null, most = 0;
    words.forEach(function (count, w) {
      if (w.length !== s.length || count <= most) return;
      for (var i = 0, d = 0; i < s.length && d < 2; i++) d += w[i] !== s[i];
      if (d === 1) { best = w; most = count; }
    });
    return best;
  }

  /* Query text → list of words and a key (the words joined) for titles/aliases. */
  function normalise(value, fix) {
    var out = [];
    value.toLowerCase().replace(QUESTION, " ")
      .replace(/(\p{sc=Han})(?=[^\p{sc=Han}])|([^\p{sc=Han}])(?=\p{sc=Han})/gu, "$1$2 ")
      .split(/[^\p{L}\p{N}]+/u)
      .forEach(function (run) {
        if (!run) return;
        if (!HAN.test(run)) return out.push(run);
        var seg = segment(run).filter(function (w) { return !STOP.has(w); });
        for (var i = 0; i < seg.length; i++) {
          /* a stretch of single characters: a typo of an index word? */
          for (var j = i; j < seg.length && seg[j].length === 1; j++);
          var fixed = fix && j - i > 1 && j - i < 5 && correct(seg.slice(i, j).join(""));
          if (fixed) { out.push(fixed); i = j - 1; } else out.push(seg[i]);
        }
      });
    return { words: out, key: out.join("") };
  }

  function rewrite(value) {
    if (/[+\-~^:*"]/.test(value) || !load()) return { query: value };
    var q = normalise(value, true);
    if (!q.words.length) return { query: value, raw: compact(value) };
    /* the whole word and its parts: 种子用户 → 种子用户 种子 用户 */
    var terms = q.words.slice();
    q.words.forEach(function (w) {
      var parts = w.length > 2 && HAN.test(w) ? segment(w, true) : [];
      if (parts.every(function (p) { return p.length > 1; }))
        parts.forEach(function (p) { if (terms.indexOf(p) < 0) terms.push(p); });
    });
    return {
      key: q.key, raw: compact(value),
      query: terms.map(function (w) {
        if (!HAN.test(w)) return w;
        return w + END + (w.length === 1 ? "^1" : "");   /* one character: exact word only */
      }).join(" ")
    };
  }

  /* Move pages whose title or alias is (in) the query to the top: typed as is,
     then the same words, then contained in the query (longest first; not
     for a question whose words shrink to one, 「社群怎么做」 → 「社群」); a
     title before an alias. */
  function rerank(result, q) {
    var rank = new Map(), key = q.key || "";
    pages.forEach(function (p) {
      var score = p[2] === q.raw ? 2000 : p[0] === key && key ? 1000 :
        p[4] && key.indexOf(p[0]) >= 0 ? p[0].length : 0;
      if (score) score += p[3];
      if (score > (rank.get(p[1]) || 0)) rank.set(p[1], score);
    });
    if (!rank.size) return result;
    var groups = result.items.slice(), seen = new Set(), top = 0;
    groups.forEach(function (g) {
      seen.add(g[0].location.split("#")[0]);
      g.forEach(function (d) { top = Math.max(top, d.score); });
    });
    rank.forEach(function (score, page) {
      if (seen.has(page)) return;
      var doc = docs.find(function (d) { return d.location === page; });
      if (doc) groups.push([{ location: doc.location, title: doc.title, text: "", tags: doc.tags, score: 0, terms: {} }]);
    });
    var order = groups.map(function (g, i) { return [rank.get(g[0].location.split("#")[0]) || 0, i, g]; })
      .sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; });
    var n = order.filter(function (o) { return o[0]; }).length;
    order.slice(0, n).forEach(function (o, i) {
      o[2].forEach(function (d) {
        if (d.location.indexOf("#") < 0) d.score = top + n - i;   /* Enter opens the first result */
      });
    });
    return Object.assign({}, result, { items: order.map(function (o) { return o[2]; }) });
  }

  function hook(worker) {
    if (worker.kbQueue) return;
    worker.kbQueue = queue;
    worker.addEventListener("message", function (ev) {
      var data = ev.data;
      if (ev.kb || !data || data.type !== RESULT) return;
      var q = queue.shift();
      if (!q || !q.raw || !data.data || !data.data.items) return;
      var items = rerank(data.data, q);
      if (items === data.data) return;
      ev.stopImmediatePropagation();
      /* Listeners on a worker run in the order they were added, so Material
         may have drawn the original already; the copy, in the same task,
         replaces it before anything is painted. */
      var copy = new MessageEvent("message", { data: { type: RESULT, data: items } });
      copy.kb = true;
      worker.dispatchEvent(copy);
    });
  }

  var post = W.prototype.postMessage;
  W.prototype.postMessage = function (message) {
    var args = Array.prototype.slice.call(arguments);
    if (message && message.type === SETUP && message.data && message.data.docs) {
      docs = message.data.docs; words = null;
      hook(this);
    } else if (message && message.type === QUERY && typeof message.data === "string") {
      hook(this);
      if (!docs) fetchIndex();
      var q = rewrite(message.data);
      queue.push(q);
      args[0] = { type: QUERY, data: q.query };
    }
    return post.apply(this, args);
  };

  /* Read the index words when the reader opens search, not on every page. */
  document.addEventListener("focusin", function (ev) {
    if (docs && !words && ev.target.matches && ev.target.matches("[data-md-component=search-query]"))
      setTimeout(load, 0);
  });

  /* If Material set up its worker before this script ran, read the index
     ourselves (the browser has it cached). */
  var fetching = false;
  function fetchIndex() {
    if (fetching) return;
    fetching = true;
    var config = document.getElementById("__config");
    var base = config ? JSON.parse(config.textContent).base : ".";
    fetch(new URL("search/search_index.json", new URL(base + "/", location.href)))
      .then(function (r) { return r.json(); })
      .then(function (index) { if (!docs) docs = index.docs; })
      .catch(function () {});
  }
})();
