/* Search, part 2 of 2 (an ES module, loaded by search-boot.js on demand):
 * query understanding, Pagefind, and results in Material's own markup.
 *
 * A query goes through the query layer (assets/search-layer.json, built by
 * hooks/kb/search_layer.py from the site's words and data/*.yml):
 *   traditional -> simplified, English terms and pinyin -> site words,
 *   segmentation into the index's words, near-homophone typos -> site words,
 *   the thesaurus (data/synonyms.yml), particles and question words dropped.
 * Each remaining term is looked up in Pagefind on its own; pages are ranked by
 * the terms they match, weighted by how rare each term is, so a long question
 * still finds the pages that match most of it instead of nothing. */

const MAX_RESULTS = 10;
/* Results shown at once; the rest (up to MAX_RESULTS) when the reader scrolls
 * or arrows down to them: each result costs a fetch of its stored page. */
const FIRST_BATCH = 5;
/* A query with this many Chinese characters besides particles and question
 * words reads as a question: it fetches the situations (with the other tables). */
const QUESTION_CHARS = 5;
const MAX_SECTIONS = 3;
/* Between the words of a Chinese run in the layer's thesaurus targets and
 * English terms, cut as the index cuts them (kb/search_layer.py, index_words). */
const WORD_CUT = "|";
/* Every weight of the ranking, by name (bench/search.py reads and varies them
 * for its ablation; the reasons are measured there, see bench/README.md). */
export const WEIGHTS = {
  /* A thesaurus word (data/synonyms.yml) counts this much of the reader's word. */
  SYNONYM_FACTOR: 0.8,
  /* A single character that is not a word of the site counts this much; so does
   * an English word of many of the pages' English terms (group, community). */
  SINGLE_CHAR_FACTOR: 0.2,
  /* A page that covers none of the rarer terms keeps this share of its score. */
  COVERAGE_BASE: 0.4,
  /* The query's character bigrams (the index holds the pages' bigrams too, see
   * kb/search_layer.py, BIGRAM) count this much of a whole word: a page that holds
   * the reader's word scores on the word and its bigrams, a page that only
   * overlaps it on the bigrams. */
  BIGRAM_FACTOR: 0.35,
  /* A page whose 「遇到这些情况」 block says what the reader typed: its score is
   * multiplied by 1 + WEIGHTS.SITUATION_BOOST x the best Dice similarity (character
   * bigrams) between the query and one of its situations, from WEIGHTS.SITUATION_MIN up. */
  SITUATION_BOOST: 1.5,
  SITUATION_MIN: 0.25,
  /* A page where two different words of the query stand close together: its
   * score is multiplied by 1 + WEIGHTS.PROXIMITY_BOOST x exp(-(d - 1) / WEIGHTS.PROXIMITY_SPAN),
   * d the fewest index words between them (MinDist, Tao and Zhai, SIGIR 2007).
   * Pagefind scores each word on the whole page; this tells a page that says
   * 收费 and 定价 in one sentence from one that has them sections apart. */
  PROXIMITY_BOOST: 0.5,
  PROXIMITY_SPAN: 8,
  /* A reference or utility page keeps its full score when the query names it. */
  NAMED_DICE: 0.5,
  /* A page whose title, or one of the aliases its 「也可以搜」 line shows, is the
   * whole query, or the query without the stopwords it opens with (请问, 怎么)
   * (nameKey: letters and digits only, so spaces and punctuation do
   * not count): its score is
   * multiplied by 1 + WEIGHTS.NAME_BOOST. The line tells the reader that
   * searching these words finds the page. */
  NAME_BOOST: 4,
  /* Pagefind's own BM25 (per term): term frequency saturation (k1), length
   * normalisation (b), how much a longer word the term only begins counts,
   * and the boost of a match in the page title. Pagefind's defaults but for
   * termSimilarity: at 2 (default 1) a word one character longer than the
   * query's (活跃度 for 活跃, chatter for chat) keeps a fifth of an exact
   * match's score instead of half. Written out so that bench/search.py can
   * vary them (bench/README.md). */
  PAGEFIND_RANKING: { termSaturation: 1.4, pageLength: 0.75, termFrequency: 1.0, termSimilarity: 2.0, metaWeights: { title: 5 } },
};
/* Excerpts: about this many characters around the best sentence. */
const EXCERPT_CHARS = 64;

const CJK_RUN = /[\u3400-\u9fff]+/g;
/* Spaces between two Chinese characters (normalise takes them out). */
const CJK_SPACE = /([\u3400-\u9fff])\s+(?=[\u3400-\u9fff])/g;
/* A question asked in the A-not-A form (活不活跃, 能不能, 有没有) is about A:
 * the first character and the negation go, so that 活不活跃 is looked up as 活跃,
 * the word the pages use. */
const A_NOT_A = /([\u3400-\u9fff])[不没]\1/g;
/* The index holds the pages' Chinese cut into words with spaces between them
 * (kb/search_layer.py, segmented_html); titles and excerpts come back that
 * way. joinWords removes a space between two Chinese characters or
 * punctuation marks, across the <mark> tags of an excerpt. */
const HAN = "\\u3000-\\u303f\\u3400-\\u9fff\\uff00-\\uffef";
const SPACED = new RegExp(`([${HAN}])((?:</?mark>)*) +((?:</?mark>)*)(?=[${HAN}])`, "g");
export const joinWords = (s) => String(s || "").trim().replace(SPACED, "$1$2$3");
/* The whole query, normalised, as it is compared with the pages' titles and
 * aliases (kb/search_layer.py, name_key): its letters and digits only. */
export const nameKey = (normalised) => normalised.replace(/[^\p{L}\p{N}]+/gu, "");
/* English terms are looked up with each word's plural -s folded, on both
 * sides (kb/search_layer.py, english_key, builds the keys the same way). */
const englishKey = (phrase) => phrase.toLowerCase().split(/\s+/).filter(Boolean).map((w) => (w.length > 3 && w.endsWith("s") && !w.endsWith("ss") ? w.slice(0, -1) : w)).join(" ");
const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const fuzzy = (s) => s.replace(/([zcs])h/g, "$1").replace(/ng/g, "n");
/* Dice similarity of two sets: 2|A∩B| / (|A|+|B|). */
function dice(a, b) {
  if (!a.size || !b.size) return 0;
  let common = 0;
  for (const x of a) if (b.has(x)) common++;
  return (2 * common) / (a.size + b.size);
}
/* The set of adjacent character pairs of the Chinese runs of a string. */
function charBigrams(text) {
  const out = new Set();
  for (const m of String(text).matchAll(CJK_RUN)) for (let i = 0; i + 1 < m[0].length; i++) out.add(m[0].slice(i, i + 2));
  return out;
}

/* ---------- the query layer ---------------------------------------------- */

export class QueryLayer {
  constructor(data, tables = null) {
    this.vocab = new Map();
    for (const [count, words] of Object.entries(data.v)) for (const w of words.split(",")) this.vocab.set(w, Number(count));
    this.total = [...this.vocab.values()].reduce((a, b) => a + b, 0) || 1;
    this.chars = new Set([...this.vocab.keys(), ...Object.keys(data.syn), ...data.stop].join(""));
    // The tables for other kinds of input (traditional characters, pinyin,
    // near-homophone typos, English) come in a second file that a query
    // fetches only when it needs them (needsTables, addTables).
    this.t2s = new Map();
    this.readings = new Map();
    this.pinyinWords = new Map();
    this.concepts = new Set();
    this.english = new Map();
    this.englishWords = new Map();
    this.englishMaxWords = 1;
    this.hasTables = false;
    // Page kinds (kb/search_layer.py, KIND_FACTORS): id -> [kind, 'title|alias|…'].
    this.kindFactors = data.kf || {};
    this.kinds = new Map(Object.entries(data.kinds || {}));
    this.situations = new Map();
    // name key -> the ids of the pages with that title or alias (NAME_BOOST)
    this.names = new Map(Object.entries(data.names || {}).map(([key, ids]) => [key, ids.split(",")]));
    this.useBigrams = data.bi !== false;
    this.bigramMark = data.bm || "";
    this.synonyms = new Map(Object.entries(data.syn));
    this.stop = new Set(data.stop);
    this.pages = data.n || 100;
    // Words on nearly every page (kb/search_layer.py, EVERYWHERE_SHARE).
    this.everywhere = new Set(data.all || []);
    this.maxWord = 8;
    // Words the segmenter knows besides the index's own: thesaurus keys and
    // stopwords must come out whole ("没人说话", "怎么办").
    this.extra = new Set([...this.synonyms.keys(), ...this.stop].filter((w) => w.length > 1));
    if (tables) this.addTables(tables);
  }

  /* Does this query need the second file (search-tables.json)? A question (see
   * QUESTION_CHARS), Latin letters
   * (English or pinyin), characters the site does not use (traditional ones,
   * typos), or a single character the vocabulary does not join into a word
   * (a near-homophone typo can hide there). */
  needsTables(raw) {
    if (this.hasTables) return false;
    const q = raw.normalize("NFKC").toLowerCase();
    if (/[a-z]/.test(q)) return true;
    let words = 0;
    for (const m of q.matchAll(CJK_RUN)) {
      words += this.segment(m[0]).filter((t) => !this.stop.has(t)).join("").length;
      for (const ch of m[0]) if (!this.chars.has(ch)) return true;
      if (this.segment(m[0]).some((t) => t.length === 1 && !this.stop.has(t))) return true;
    }
    return words >= QUESTION_CHARS; // a question, not a keyword: its situations may match
  }

  addTables(tables) {
    if (this.hasTables) return;
    for (let i = 0; i + 1 < tables.t2s.length; i += 2) this.t2s.set(tables.t2s[i], tables.t2s[i + 1]);
    // char -> [fuzzy syllables], the usual reading first
    for (const table of [tables.py, tables.py2]) {
      for (const [syllable, chars] of Object.entries(table)) {
        for (const ch of chars) {
          if (!this.readings.has(ch)) this.readings.set(ch, []);
          this.readings.get(ch).push(syllable);
        }
      }
    }
    // Pinyin key of every site word (usual readings) and of the named concepts.
    const concepts = tables.c ? tables.c.split(",") : [];
    for (const w of [...concepts, ...this.vocab.keys(), ...this.synonyms.keys()]) {
      if (w.length < 2 || w.length > 6) continue;
      let key = "";
      for (const ch of w) {
        const r = this.readings.get(ch);
        if (!r) { key = ""; break; }
        key += r[0];
      }
      if (!key) continue;
      key = fuzzy(key);
      if (!this.pinyinWords.has(key)) this.pinyinWords.set(key, []);
      this.pinyinWords.get(key).push(w);
    }
    this.concepts = new Set(concepts);
    this.english = new Map(Object.entries(tables.en));
    this.englishMaxWords = Math.max(1, ...[...this.english.keys()].map((k) => k.split(" ").length));
    // Each word of the English terms, for a query that has one word of a term
    // but not the whole term ("envelope" -> 红包 through "red envelope"). Not
    // words of three letters or fewer: those are the general ones (run in
    // "run of show", set in "set up", new, big, one, day), and "how to run a
    // group" is not about the event checklist.
    for (const [key, text] of this.english) {
      for (const w of key.split(" ")) {
        if (w.length < 4) continue;
        if (!this.englishWords.has(w)) this.englishWords.set(w, new Set());
        this.englishWords.get(w).add(text);
      }
    }
    // The situations each page answers, by id, as bigram sets.
    for (const [id, text] of Object.entries(tables.sit || {})) {
      this.situations.set(id, text.split("|").map(charBigrams));
    }
    this.hasTables = true;
  }

  /* NFKC (full-width letters and digits), lower case, traditional ->
   * simplified, spaces between Chinese characters out (Chinese has no spaces
   * between words: 「群 没人 说话」 is the phrase 群没人说话, in which the
   * thesaurus finds 没人说话), A-not-A -> A. */
  normalise(text) {
    const q = text.normalize("NFKC").toLowerCase();
    return [...q].map((c) => this.t2s.get(c) || c).join("").replace(CJK_SPACE, "$1").replace(A_NOT_A, "$1");
  }

  /* Cut a CJK run into the index's words: the most probable path through the
   * vocabulary (unigram model); unknown characters stand alone. */
  segment(run, withExtra = true) {
    const n = run.length;
    const best = new Array(n + 1).fill(-Infinity);
    const back = new Array(n + 1).fill(0);
    best[0] = 0;
    const single = Math.log(1 / (this.total * 4));
    for (let i = 0; i < n; i++) {
      if (best[i] === -Infinity) continue;
      for (let j = i + 1; j <= Math.min(n, i + this.maxWord); j++) {
        const w = run.slice(i, j);
        let cost;
        if (j - i === 1) cost = this.vocab.has(w) ? Math.log(this.vocab.get(w) / this.total) : single;
        else if (this.vocab.has(w)) cost = Math.log(this.vocab.get(w) / this.total);
        else if (withExtra && this.extra.has(w)) cost = Math.log(2 / this.total);
        else continue;
        if (best[i] + cost > best[j]) { best[j] = best[i] + cost; back[j] = i; }
      }
    }
    const out = [];
    for (let j = n; j > 0; j = back[j]) out.unshift(run.slice(back[j], j));
    return out;
  }

  known(word) { return this.vocab.has(word) || this.extra.has(word) || this.concepts.has(word); }

  /* Pinyin keys a run of characters can be read as (a few readings at most). */
  keys(chars) {
    let keys = [""];
    for (const ch of chars) {
      const r = this.readings.get(ch);
      if (!r) return [];
      keys = keys.flatMap((k) => r.slice(0, 3).map((s) => k + s)).slice(0, 27);
    }
    return keys.map(fuzzy);
  }

  /* Near-homophone typos: a stretch of the query that the vocabulary does not
   * know as one word but sounds like one of the site's named concepts (titles,
   * headings, glossary terms, tags, aliases) or a thesaurus word of three
   * characters or more (没人说化: 没人说话; shorter ones are everyday words,
   * 群号 and 招人, that a reader's 群好 and 找人 only sound like) becomes it, if
   *  - it touches a character the cut leaves alone (the typo broke a word),
   *  - it is not inside a concept the reader typed right (尸群 in 僵尸群),
   *  - it keeps at least one character of the concept in its place: a typo
   *    changes some characters of a word, not all of them (公司刚 is not a
   *    typo of 四感, though 司刚 sounds like it); of two characters, the one
   *    it changes is not a particle the reader meant (是群 in 我是群主 is
   *    typed right),
   *  - the concept is not a particle or question word (有什么 stays). */
  correct(run) {
    const tokens = this.segment(run);
    const loose = new Set(); // positions covered by single, unknown-as-word characters
    const stopAt = new Set(); // positions of particles and question words (是, 的, 怎么)
    let pos = 0;
    for (const t of tokens) {
      if (t.length === 1) loose.add(pos);
      if (this.stop.has(t)) for (let k = 0; k < t.length; k++) stopAt.add(pos + k);
      pos += t.length;
    }
    for (let i = 0; i < run.length && loose.size; i++) {
      for (let j = i + 2; j <= Math.min(run.length, i + this.maxWord); j++) {
        if (this.concepts.has(run.slice(i, j))) for (let k = i; k < j; k++) loose.delete(k);
      }
    }
    if (!loose.size) return { text: run, fixes: [] };
    const fixes = [];
    let text = run;
    for (let len = Math.min(4, run.length); len >= 2; len--) {
      for (let i = 0; i + len <= text.length; i++) {
        const window = text.slice(i, i + len);
        if (this.known(window)) continue;
        let touchesLoose = false;
        for (let k = i; k < i + len; k++) if (loose.has(k)) touchesLoose = true;
        if (!touchesLoose) continue;
        let found = null;
        for (const key of this.keys(window)) {
          for (const w of this.pinyinWords.get(key) || []) {
            if (w.length !== len || w === window || !(this.concepts.has(w) || (len >= 3 && this.synonyms.has(w))) || this.stop.has(w)) continue;
            if (![...w].some((c, k) => c === window[k])) continue;
            // two characters, one kept: the other is not a particle the reader meant (是 in 我是群主)
            if (len === 2 && [...w].some((c, k) => c !== window[k] && stopAt.has(i + k))) continue;
            if (!found || (this.vocab.get(w) || 1) > (this.vocab.get(found) || 1)) found = w;
          }
        }
        if (found) {
          fixes.push([window, found]);
          text = text.slice(0, i) + found + text.slice(i + len);
          for (let k = i; k < i + len; k++) loose.delete(k);
        }
      }
    }
    return { text, fixes };
  }

  /* Latin words: English terms first (longest phrase), then pinyin, else as typed. */
  latin(words) {
    const out = [];
    for (let i = 0; i < words.length;) {
      let matched = false;
      for (let len = Math.min(this.englishMaxWords, words.length - i); len >= 1; len--) {
        const phrase = words.slice(i, i + len).join(" ");
        const hit = this.english.get(englishKey(phrase));
        if (hit) { out.push({ text: hit, from: phrase, via: "en" }); i += len; matched = true; break; }
      }
      if (matched) continue;
      // pinyin: one word, or several typed with spaces ("she qun")
      for (let len = Math.min(4, words.length - i); len >= 1; len--) {
        const joined = fuzzy(words.slice(i, i + len).join(""));
        const hit = /^[a-z]+$/.test(joined) && this.pinyinWords.get(joined);
        if (hit) { out.push({ text: hit[0], from: words.slice(i, i + len).join(" "), via: "pinyin" }); i += len; matched = true; break; }
      }
      if (matched) continue;
      // one word of English terms: their site words, if it names few of them
      const terms = this.stop.has(words[i]) ? null : this.englishWords.get(englishKey(words[i]));
      if (terms && terms.size <= 3) { out.push({ text: [...terms].join(" "), from: words[i], via: "en" }); i += 1; continue; }
      // else as typed: Pagefind's English stemmer meets the pages' English terms
      // (growing -> growth); a word of many of them (group) names no page
      if (!this.stop.has(words[i])) out.push({ text: words[i], from: words[i], via: "latin", general: Boolean(terms) });
      i += 1;
    }
    return out;
  }

  /* The query as terms: each a list of alternatives (space-separated index
   * words, looked up together) with a weight factor. */
  analyse(raw) {
    const q = this.normalise(raw);
    const pieces = [];
    const notes = [];
    const translated = []; // what each English or pinyin phrase stood for, for telling which page it names
    let last = 0;
    let fixed = ""; // the query with its typos corrected: it names a page as the word it meant would
    const latinRun = (s) => {
      fixed += s;
      const words = s.split(/[^a-z0-9.%]+/).filter(Boolean);
      for (const p of this.latin(words)) {
        if (p.via !== "latin") notes.push([p.from, p.text.replaceAll(WORD_CUT, "")]);
        if (p.via === "latin") pieces.push({ word: p.text, latin: true, general: p.general });
        else {
          // an English term's words come cut as the index cuts them; a pinyin
          // word is a site word, cut here like the reader's own Chinese
          const cut = p.via === "en";
          const words = cut ? p.text.replaceAll(WORD_CUT, " ").split(" ") : this.cjkWords(p.text);
          translated.push(words.join(""));
          for (const w of words) pieces.push({ word: /[\u3400-\u9fff]/.test(w) ? w : w.toLowerCase(), translated: true, cut });
        }
      }
    };
    for (const m of q.matchAll(CJK_RUN)) {
      latinRun(q.slice(last, m.index));
      const { text, fixes } = this.correct(m[0]);
      fixed += text;
      for (const f of fixes) notes.push(f);
      for (const w of this.cjkWords(text)) pieces.push({ word: w });
      last = m.index + m[0].length;
    }
    latinRun(q.slice(last));

    const terms = [];
    const seen = new Set();
    const addTerm = (word, factor, bigram, cut = false) => {
      seen.add(word);
      // A word the index does not hold whole (a thesaurus word) is looked up
      // as the index's words it is made of, at full weight, unless it comes
      // cut as the index cuts it (cut: an English term's word); a bigram is
      // indexed with its own prefix, apart from the word it spells
      // (kb/search_layer.py, BIGRAM).
      const parts = !bigram && !cut && word.length > 1 && !this.vocab.has(word) && /^[\u3400-\u9fff]+$/.test(word) ? this.segment(word, false) : [word];
      let own = bigram ? this.bigramMark + word : parts.join(" ");
      // Unless a part is a lone character and the thesaurus says what the word
      // means: Pagefind neither checks that the parts stand together nor matches
      // a lone character whole (大 in 秋叶大叔 finds 大家, 叔 anything), so the
      // thesaurus words carry it, with its pairs (asked below, the cut being
      // unsure); a word of two characters is its one pair (微商: 〇微商).
      if (parts.length > 1 && parts.some((p) => p.length < 2) && this.synonyms.has(word)) own = word.length === 2 ? this.bigramMark + word : null;
      // alts[0] is the reader's own word (excerptTerms); lookup: false when it is not looked up
      const alts = [{ q: own || word, factor: 1, lookup: own !== null }];
      for (const target of this.synonyms.get(word) || []) {
        alts.push({ q: target.replaceAll(WORD_CUT, " "), factor: WEIGHTS.SYNONYM_FACTOR });
      }
      terms.push({ word, alts, factor, bigram });
    };
    // The reader's words: the query's Chinese with the particles and question
    // words taken out, as runs of the characters that stay.
    const kept = [];
    const unsure = []; // per kept run: which characters sit in a word the cut is not sure of
    const inStop = []; // per kept run: which characters the index's cut puts in a stopword (no pair of the index touches them)
    let span = "", flags = [], stops = [];
    const endSpan = () => { if (span) { kept.push(span); unsure.push(flags); inStop.push(stops); } span = ""; flags = []; stops = []; };
    for (const { word, latin, translated, general, cut } of pieces) {
      // a run ends at a dropped word and at what the reader did not type in Chinese
      if (this.stop.has(word) || latin || translated) endSpan();
      else if (/^[\u3400-\u9fff]+$/.test(word)) {
        span += word;
        // a lone character, or a word the index does not hold as one (a thesaurus word)
        const doubt = word.length === 1 || !this.vocab.has(word);
        for (let i = 0; i < word.length; i++) flags.push(doubt);
        // a thesaurus word (人太多) is cut by the index as its words (人 太 多)
        for (const w of this.vocab.has(word) ? [word] : this.segment(word, false)) {
          for (let i = 0; i < w.length; i++) stops.push(this.stop.has(w));
        }
      }
      if (this.stop.has(word) || seen.has(word)) continue;
      addTerm(word, (!latin && word.length === 1) || general ? WEIGHTS.SINGLE_CHAR_FACTOR : 1, false, Boolean(cut));
    }
    endSpan();
    // A query of particles and question words only (该怎么办) is looked up as
    // typed rather than not at all.
    if (!terms.length) {
      for (const { word } of pieces) if (!seen.has(word)) addTerm(word, word.length === 1 ? WEIGHTS.SINGLE_CHAR_FACTOR : 1, false);
    }

    // The second representation: where the cut of the query is unsure (a lone
    // character, a word the index does not hold), the query's character
    // bigrams are looked up too (a lone character beside a word: its pair with the next character is looked up too). A query
    // cut into the index's words only (种子用户) needs none.
    if (this.useBigrams) {
      kept.forEach((run, k) => {
        for (let i = 0; i + 1 < run.length; i++) {
          const b = run.slice(i, i + 2);
          if (inStop[k][i] || inStop[k][i + 1]) continue; // the index holds no pair that touches a stopword (kb/search_layer.py, bigrams)
          if ((unsure[k][i] || unsure[k][i + 1]) && !seen.has(b)) addTerm(b, WEIGHTS.BIGRAM_FACTOR, true);
        }
      });
    }
    const uniqueNotes = [...new Map(notes.map((n) => [n.join("\u0000"), n])).values()];
    // The words the query opens with that are no content (请问, 怎么): the
    // query without them names a page too (rank, NAME_BOOST).
    let opener = "";
    for (const { word, latin, translated: t } of pieces) {
      if (latin || t || !this.stop.has(word)) break;
      opener += word;
    }
    const name = nameKey(fixed);
    const bareName = opener && name.startsWith(opener) ? name.slice(opener.length) : name;
    return { terms, notes: uniqueNotes, normalised: q, kept, translated, name, bareName };
  }

  /* How much of an explaining page's score a page keeps: its kind's factor,
   * unless the query names the page: the query and the page's title (or one of
   * its aliases) share at
   * least WEIGHTS.NAMED_DICE of their character bigrams (「术语表」, 「模板」 against
   * 「文案模板」), or an English or Latin query word is in the title. */
  kindFactor(id, analysis) {
    const entry = this.kinds.get(id);
    if (!entry) return 1;
    const [kind, title] = entry;
    const factor = this.kindFactors[kind] ?? 1;
    if (factor === 1) return 1;
    const names = title.split("|").map(charBigrams); // the title and the aliases
    const said = [analysis.kept.join(""), ...(analysis.translated || [])].map(charBigrams);
    const named = said.some((q) => names.some((t) => dice(q, t) >= WEIGHTS.NAMED_DICE));
    return named ? 1 : factor;
  }

  /* Best Dice similarity between the query and one of the page's situations. */
  situationMatch(id, analysis) {
    const sits = this.situations.get(id);
    if (!sits || !analysis.kept.length) return 0;
    const q = new Set(analysis.kept.flatMap((k) => [...charBigrams(k)]));
    let best = 0;
    for (const s of sits) best = Math.max(best, dice(q, s));
    return best;
  }

  /* A CJK string into the words to look up: thesaurus entries stay whole. */
  cjkWords(text) {
    const out = [];
    for (const m of text.matchAll(CJK_RUN)) out.push(...this.segment(m[0]));
    for (const w of text.split(/[\u3400-\u9fff]+/).join(" ").split(/\s+/)) if (w) out.push(w.toLowerCase());
    return out;
  }
}

/* ---------- ranking over Pagefind ---------------------------------------- */

export async function rank(pagefind, layer, analysis) {
  const { terms } = analysis;
  const cache = new Map();
  const lookup = async (q) => {
    if (!cache.has(q)) cache.set(q, pagefind.search(q).then((r) => (r ? r.results : [])));
    return cache.get(q);
  };
  // Pagefind's score of a page for one term is BM25 (the term's rarity, its
  // frequency, and the weight of where it stands: title, headings, aliases).
  // A page's score is the sum over the query's terms, as in BM25 for a query
  // of several words, times the share of the query it covers.
  // A word on nearly every page (layer.everywhere) ranks no page above
  // another, and its lookup would fetch an index chunk for nothing: it is
  // looked up only when the query has nothing else.
  const wanted = (alt) => alt.lookup !== false;
  const skipEverywhere = terms.some((t) => t.alts.some((a) => wanted(a) && !layer.everywhere.has(a.q)));
  const perTerm = await Promise.all(terms.map(async (term) => {
    const scores = new Map();
    // page id -> where the term stands in it (Pagefind's word positions), for
    // proximity: only the reader's words and their thesaurus words count
    const at = !term.bigram && term.factor >= 1 ? new Map() : null;
    for (const alt of term.alts) {
      if (!wanted(alt) || (skipEverywhere && layer.everywhere.has(alt.q))) continue;
      for (const r of await lookup(alt.q)) {
        const s = r.score * alt.factor * term.factor;
        if (s > (scores.get(r.id)?.s || 0)) scores.set(r.id, { s, result: r });
        if (at) {
          if (!at.has(r.id)) at.set(r.id, []);
          at.get(r.id).push(...(r.words || []));
        }
      }
    }
    const idf = scores.size ? Math.log(1 + layer.pages / scores.size) : 0;
    return { scores, weight: idf * term.factor, at };
  }));
  const total = new Map();
  const weightSum = perTerm.reduce((a, t) => a + t.weight, 0) || 1;
  for (const { scores, weight } of perTerm) {
    for (const [id, { s, result }] of scores) {
      const entry = total.get(id) || { score: 0, covered: 0, result };
      entry.score += s;
      entry.covered += weight / weightSum;
      total.set(id, entry);
    }
  }
  // Proximity (WEIGHTS.PROXIMITY_BOOST): the fewest words between two different
  // words of the query on the page.
  const near = new Map();
  if (WEIGHTS.PROXIMITY_BOOST) {
    const placed = perTerm.map((t) => t.at).filter(Boolean);
    if (placed.length > 1) {
      for (const id of total.keys()) {
        const hits = [];
        placed.forEach((at, k) => { for (const p of at.get(id) || []) hits.push([p, k]); });
        hits.sort((a, b) => a[0] - b[0]);
        let best = Infinity;
        for (let i = 1; i < hits.length; i++) if (hits[i][1] !== hits[i - 1][1]) best = Math.min(best, hits[i][0] - hits[i - 1][0]);
        if (best < Infinity) near.set(id, Math.exp(-(best - 1) / WEIGHTS.PROXIMITY_SPAN));
      }
    }
  }
  const named = new Set(layer.names.get(analysis.name) || layer.names.get(analysis.bareName) || []);
  const ranked = [...total.entries()].map(([id, e]) => {
    const situation = layer.situationMatch(id, analysis);
    return {
      id,
      result: e.result,
      score: e.score * (WEIGHTS.COVERAGE_BASE + (1 - WEIGHTS.COVERAGE_BASE) * e.covered) * layer.kindFactor(id, analysis)
        * (situation >= WEIGHTS.SITUATION_MIN ? 1 + WEIGHTS.SITUATION_BOOST * situation : 1)
        * (1 + WEIGHTS.PROXIMITY_BOOST * (near.get(id) || 0))
        * (named.has(id) ? 1 + WEIGHTS.NAME_BOOST : 1),
    };
  });
  ranked.sort((a, b) => b.score - a.score);
  return ranked;
}

/* ---------- excerpts ------------------------------------------------------- */

/* What to look for in a page's text, best first: the reader's own words
 * (longest first), then the thesaurus' words, then the bigrams. Single
 * characters only when the query has nothing longer. */
export function excerptTerms(analysis) {
  const own = [], syn = [], bi = [];
  for (const t of analysis.terms) {
    if (t.bigram) bi.push(t.word);
    else own.push(t.word);
    for (const a of t.alts.slice(1)) syn.push(...a.q.split(" "));
  }
  const longer = [...own, ...syn].some((w) => w.length > 1);
  // whole: matched only as whole words of the page (群规 is not marked inside 群规模)
  const pick = (ws, weight, whole) => ws.filter((w) => w && (w.length > 1 || !longer)).map((w) => ({ w: w.toLowerCase(), weight: weight * w.length, whole }));
  const all = [...pick(own, 3, true), ...pick(syn, 2, true), ...pick(bi, 1, false)];
  const seen = new Set();
  return all.filter(({ w }) => !seen.has(w) && seen.add(w)).sort((a, b) => b.w.length - a.w.length);
}

const HAN_CHAR = new RegExp(`[${HAN}]`);
/* A sentence ends at one of these, with any closing quotes or brackets after it. */
const SENTENCE_END = /[。！？；!?;]+[」』）)”’"]*|\.(?=\s|$)/g;

/* Words of a page (as Pagefind stores them, cut with spaces) joined back into
 * text, with the offsets where each word starts and ends. */
export function joinTokens(tokens) {
  let text = "";
  const bounds = new Set([0]);
  for (const t of tokens) {
    if (!t) continue;
    if (text && !(HAN_CHAR.test(text[text.length - 1]) && HAN_CHAR.test(t[0]))) text += " ";
    bounds.add(text.length);
    text += t;
    bounds.add(text.length);
  }
  return { text, bounds };
}

/* Where ``term`` occurs in ``lower`` (whole words only when term.whole). */
function* occurrences(lower, bounds, term) {
  for (let at = lower.indexOf(term.w); at >= 0; at = lower.indexOf(term.w, at + 1)) {
    if (!term.whole || (bounds.has(at) && bounds.has(at + term.w.length))) yield at;
  }
}

/* The sentence of a stretch of words around the best match of ``terms``, cut
 * to about EXCERPT_CHARS characters, with the matched words marked. */
export function excerpt(tokens, terms, chars = EXCERPT_CHARS) {
  const { text, bounds } = joinTokens(tokens);
  if (!text) return { html: "", score: 0 };
  const lower = text.toLowerCase();
  const sentences = [];
  let start = 0;
  for (const m of text.matchAll(SENTENCE_END)) {
    const end = m.index + m[0].length;
    if (end > start) sentences.push([start, end]);
    start = end;
  }
  if (start < text.length) sentences.push([start, text.length]);
  let best = null;
  for (const [a, b] of sentences) {
    let score = 0, first = -1;
    for (const term of terms) {
      for (const at of occurrences(lower, bounds, term)) {
        if (at < a || at + term.w.length > b) continue;
        score += term.weight;
        if (first < 0 || at - a < first) first = at - a;
        break;
      }
    }
    if (score > 0 && (!best || score > best.score)) best = { a, b, score, first };
  }
  let a = 0, b = Math.min(text.length, chars);
  if (best) {
    ({ a, b } = best);
    if (b - a > chars) { // centre on the first match
      a = Math.max(best.a, best.a + best.first - Math.floor(chars / 3));
      b = Math.min(best.b, a + chars);
    }
  }
  while (a < b && /\s/.test(text[a])) a++;
  const cutStart = best ? a > best.a : false;
  const cutEnd = b < text.length && !(best && b === best.b);
  return { html: (cutStart ? "…" : "") + mark(text, bounds, a, b, terms) + (cutEnd ? "…" : ""), score: best ? best.score : 0 };
}

/* text[a, b), escaped, with the terms wrapped in <mark>: longest first, never
 * one inside another, and where two overlap, the one that is a whole word of
 * the page first (每个 人 说话: 说话, not the pair 人说 across two words). */
export function mark(text, bounds, a, b, terms) {
  const lower = text.toLowerCase();
  const taken = new Array(text.length).fill(false);
  const spans = [];
  const found = [];
  for (const term of terms) for (const at of occurrences(lower, bounds, term)) found.push([at, at + term.w.length]);
  const whole = ([at, end]) => bounds.has(at) && bounds.has(end);
  const order = [...found.filter(whole), ...found.filter((x) => !whole(x))]; // stable: longest first within each
  for (const [at, end] of order) {
    if (at < a || end > b) continue;
    let free = true;
    for (let k = at; k < end; k++) if (taken[k]) { free = false; break; }
    if (!free) continue;
    for (let k = at; k < end; k++) taken[k] = true;
    spans.push([at, end]);
  }
  spans.sort((x, y) => x[0] - y[0]);
  let out = "", last = a;
  for (const [x, y] of spans) {
    out += escapeHtml(text.slice(last, x)) + "<mark>" + escapeHtml(text.slice(x, y)) + "</mark>";
    last = y;
  }
  return out + escapeHtml(text.slice(last, b));
}

/* Checklist items among Pagefind's anchors: an <li> with an id whose checkbox
 * (id kb-box-<id>, kb/checklists.py) stands at the same word. */
function checklistItems(anchors) {
  const boxes = new Set(anchors.filter((x) => x.element === "input" && x.id).map((x) => `${x.id}@${x.location}`));
  return anchors.filter((x) => x.element === "li" && x.id && boxes.has(`kb-box-${x.id}@${x.location}`));
}

/* A page's excerpt and its best sections, from Pagefind's stored page (its
 * text, cut into words with spaces, and its headings with their word
 * positions). A checklist item is a section of its own: its first sentence is
 * its title, the reason after it the excerpt, and the link leads to the item. */
export function pageMatches(data, analysis) {
  const terms = excerptTerms(analysis);
  const words = String(data.content || "").split(/\s+/).filter(Boolean);
  const anchors = data.anchors || [];
  const parts = [
    ...anchors.filter((x) => /^h[2-6]$/i.test(x.element) && x.id).map((x) => ({ ...x, item: false })),
    ...checklistItems(anchors).map((x) => ({ ...x, item: true })),
  ].sort((x, y) => x.location - y.location);
  const base = String(data.url || "").split("#")[0];
  const sections = [];
  parts.forEach((h, i) => {
    const end = i + 1 < parts.length ? parts[i + 1].location : words.length;
    let head = String(h.text || "").split(/\s+/).filter(Boolean);
    if (h.item) { // the item's own words: up to the end of its first sentence
      const last = words.slice(h.location, end).findIndex((w) => /[。！？；!?;]$/.test(w));
      head = words.slice(h.location, last < 0 ? end : h.location + last + 1);
    }
    const title = joinTokens(head);
    const found = excerpt(words.slice(h.location + head.length, end), terms);
    const inTitle = terms.reduce((n, term) => n + (occurrences(title.text.toLowerCase(), title.bounds, term).next().done ? 0 : term.weight), 0);
    if (found.score + inTitle > 0) sections.push({ url: base + "#" + h.id, title: title.text, html: found.html, score: found.score + 2 * inTitle });
  });
  sections.sort((x, y) => y.score - x.score);
  let intro = parts.length ? words.slice(0, parts[0].location) : words;
  // the page's h1 runs into its first paragraph
  const titleWords = String((data.meta && data.meta.title) || "").split(/\s+/).filter(Boolean);
  if (titleWords.length && titleWords.every((w, i) => intro[i] === w)) intro = intro.slice(titleWords.length);
  const whole = excerpt(intro, terms);
  const page = whole.score > 0 || !sections.length ? whole : { html: sections[0].html };
  // a section whose excerpt is the page's own is listed by its heading alone
  return { excerpt: page.html, sections: sections.map((x) => (x.html === page.html ? { ...x, html: "" } : x)) };
}

/* ---------- the UI --------------------------------------------------------- */

const TEXT = {
  loading: "正在加载搜索…",
  ready: "键入以开始搜索：问题、词语、拼音或英文都可以",
  none: "没有找到符合条件的结果。",
  one: "找到 1 个符合条件的结果",
  other: "找到 # 个符合条件的结果",
  more: "在该页上还有 # 个符合条件的结果",
};

export function start({ base, form, input, toggle, config }) {
  const t = config.translations || {};
  const meta = form.parentNode.querySelector(".md-search-result__meta");
  const list = form.parentNode.querySelector(".md-search-result__list");
  const share = form.querySelector("[data-kb-search-share]");
  const highlightOn = (config.features || []).includes("search.highlight");
  let engine = null;
  let generation = 0;

  function loadEngine() {
    if (!engine) {
      meta.textContent = TEXT.loading;
      engine = (async () => {
        const [module, layerData] = await Promise.all([
          import(new URL("pagefind/pagefind.js", base).href),
          fetch(new URL("assets/search-layer.json", base)).then((r) => {
            if (!r.ok) throw new Error(`search-layer.json: HTTP ${r.status}`);
            return r.json();
          }),
        ]);
        // Pagefind opens the index of the page's language (<html lang>) and,
        // for Chinese, cuts each query again with Intl.Segmenter, which
        // disagrees with the cut the pages were indexed with. The index holds
        // the pages already cut into the query layer's words, under the
        // language layerData.lang (see kb/search_layer.py, run_pagefind), so the
        // instance is made while <html lang> says that language: detectLanguage
        // reads it once, synchronously, in createInstance.
        const root = document.documentElement;
        const pageLang = root.getAttribute("lang");
        let pagefind;
        try {
          root.setAttribute("lang", layerData.lang);
          // noWorker: the index is small, and the worker script would be one more download.
          pagefind = module.createInstance({ basePath: new URL("pagefind/", base).href, noWorker: true });
        } finally {
          root.setAttribute("lang", pageLang);
        }
        await pagefind.options({ baseUrl: base.pathname, ranking: WEIGHTS.PAGEFIND_RANKING });
        await pagefind.init();
        const layer = new QueryLayer(layerData);
        return { pagefind, layer };
      })();
      engine.catch(() => { engine = null; });
    }
    return engine;
  }

  let tables = null;
  function loadTables() {
    if (!tables) {
      tables = fetch(new URL("assets/search-tables.json", base)).then((r) => {
        if (!r.ok) throw new Error(`search-tables.json: HTTP ${r.status}`);
        return r.json();
      });
      tables.catch(() => { tables = null; });
    }
    return tables;
  }

  async function search(query) {
    const { pagefind, layer } = await loadEngine();
    if (layer.needsTables(query)) layer.addTables(await loadTables());
    const analysis = layer.analyse(query);
    const ranked = await rank(pagefind, layer, analysis);
    return { analysis, ranked };
  }

  function highlightParam(analysis) {
    const words = analysis.terms.filter((x) => !x.bigram && (x.word.length > 1 || /[a-z0-9]/.test(x.word))).map((x) => x.word);
    return words.length && highlightOn ? "?h=" + encodeURIComponent(words.join(" ")) : "";
  }

  function withParam(url, param) {
    if (!param) return url;
    const [path, hash] = url.split("#");
    return path + param + (hash ? "#" + hash : "");
  }

  function item(url, rawTitle, rawExcerpt, isPage, score) {
    const title = joinWords(rawTitle);
    const excerpt = rawExcerpt && joinWords(rawExcerpt);
    return `<li class="md-search-result__item"><a href="${escapeHtml(url)}" class="md-search-result__link" tabindex="-1">` +
      `<article class="md-search-result__article${isPage ? " md-search-result__article--document" : ""} md-typeset" data-md-score="${score.toFixed(2)}">` +
      (isPage ? `<div class="md-search-result__icon md-icon"></div><h1>${escapeHtml(title)}</h1>` : `<h2>${escapeHtml(title)}</h2>`) +
      (excerpt ? `<p>${excerpt}</p>` : "") + `</article></a></li>`;
  }

  function render(entries, analysis, append = false) {
    const param = highlightParam(analysis);
    const html = entries.map(({ data, score }) => {
      const title = joinWords((data.meta && data.meta.title) || data.url);
      const pageUrl = data.url;
      const { excerpt: pageExcerpt, sections } = pageMatches(data, analysis);
      const head = item(withParam(pageUrl, param), title, pageExcerpt, true, score);
      const shown = sections.slice(0, MAX_SECTIONS).map((s) => item(withParam(s.url, param), s.title, s.html, false, score));
      const rest = sections.length - shown.length;
      const more = rest > 0 ? `<li class="md-search-result__item"><a href="${escapeHtml(withParam(pageUrl, param))}" class="md-search-result__link" tabindex="-1"><article class="md-search-result__article md-typeset"><p class="kb-search-more">${escapeHtml((t["search.result.more.other"] || TEXT.more).replace("#", rest))}</p></article></a></li>` : "";
      return `<li class="md-search-result__item kb-search-page"><ol class="md-search-result__list" role="presentation">${head}${shown.join("")}${more}</ol></li>`;
    }).join("");
    if (append) list.insertAdjacentHTML("beforeend", html);
    else list.innerHTML = html;
  }

  /* The results after the first batch, fetched when the reader gets near them. */
  let observer = null;
  function renderLater(rest, analysis, mine) {
    if (observer) observer.disconnect();
    observer = null;
    if (!rest.length) return;
    const sentinel = document.createElement("li");
    sentinel.className = "kb-search-next";
    sentinel.setAttribute("aria-hidden", "true");
    list.append(sentinel);
    let done = false;
    const more = async () => {
      if (done) return;
      done = true;
      if (observer) observer.disconnect();
      const datas = await Promise.all(rest.map((r) => r.result.data()));
      if (mine !== generation) return;
      sentinel.remove();
      render(rest.map((r, i) => ({ data: datas[i], score: r.score })), analysis, true);
      form.dispatchEvent(new CustomEvent("kb-search-more", { detail: { urls: datas.map((d) => d.url) } }));
    };
    sentinel.kbLoad = more;
    if ("IntersectionObserver" in window) {
      observer = new IntersectionObserver((seen) => { if (seen.some((e) => e.isIntersecting)) more(); },
        { root: list.closest(".md-search__scrollwrap"), rootMargin: "300px 0px" });
      observer.observe(sentinel);
    } else more();
  }

  function renderNone(query, analysis) {
    list.innerHTML = "";
    const nav = new URL("navigator/", base).href;
    const checklists = new URL("checklists/", base).href;
    meta.innerHTML = `${escapeHtml(t["search.result.none"] || TEXT.none)} 换个说法试试，或者用 <a href="${escapeHtml(nav)}">决策导航</a> 回答几个问题找到方法，也可以从 <a href="${escapeHtml(checklists)}">清单</a> 开始。`;
  }

  function notesLine(analysis) {
    if (!analysis.notes.length) return "";
    return "（按 " + analysis.notes.map(([from, to]) => `「${escapeHtml(from)}」→「${escapeHtml(to)}」`).join("、") + " 搜索）";
  }

  async function run(query) {
    const mine = ++generation;
    query = (query || "").trim();
    if (share) {
      share.hidden = !query;
      const url = new URL(location.href);
      url.search = query ? "?q=" + encodeURIComponent(query) : "";
      url.hash = "";
      share.dataset.url = url.href;
    }
    if (!query) {
      list.innerHTML = "";
      meta.textContent = engine ? t["search.result.placeholder"] || TEXT.ready : TEXT.loading;
      await loadEngine();
      if (mine === generation && !input.value.trim()) meta.textContent = TEXT.ready;
      return [];
    }
    const started = performance.now();
    const { analysis, ranked } = await search(query);
    if (mine !== generation) return null;
    if (!ranked.length || !analysis.terms.length) {
      renderNone(query, analysis);
      form.dispatchEvent(new CustomEvent("kb-search-results", { detail: { query, urls: [], ms: performance.now() - started } }));
      return [];
    }
    const top = ranked.slice(0, Math.min(FIRST_BATCH, MAX_RESULTS));
    const datas = await Promise.all(top.map((r) => r.result.data()));
    if (mine !== generation) return null;
    const entries = top.map((r, i) => ({ data: datas[i], score: r.score }));
    const count = ranked.length;
    meta.innerHTML = escapeHtml(count === 1 ? t["search.result.one"] || TEXT.one : (t["search.result.other"] || TEXT.other).replace("#", count)) + " " + notesLine(analysis);
    render(entries, analysis);
    renderLater(ranked.slice(top.length, MAX_RESULTS), analysis, mine);
    const urls = entries.map((e) => e.data.url);
    form.dispatchEvent(new CustomEvent("kb-search-results", { detail: { query, urls, ms: performance.now() - started } }));
    return urls;
  }

  /* ---- events ---- */
  let timer = null;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => run(input.value), 120);
  });
  form.addEventListener("reset", () => setTimeout(() => { run(""); input.focus(); }, 0));
  if (share) {
    share.addEventListener("click", async (event) => {
      event.preventDefault();
      const url = share.dataset.url;
      try {
        await navigator.clipboard.writeText(url);
        flash(t["clipboard.copied"] || "已复制");
      } catch {
        window.prompt("复制这个搜索链接：", url);
      }
    });
  }
  function flash(text) {
    const dialog = document.querySelector("[data-md-component=dialog]");
    if (!dialog) return;
    dialog.querySelector(".md-dialog__inner").textContent = text;
    dialog.classList.add("md-dialog--active");
    setTimeout(() => dialog.classList.remove("md-dialog--active"), 2000);
  }
  list.addEventListener("click", (event) => {
    if (event.target.closest("a")) toggle.checked = false; // close, like Material
  });
  form.parentNode.addEventListener("keydown", (event) => {
    const links = [...list.querySelectorAll(".md-search-result__link")];
    const index = links.indexOf(document.activeElement);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!links.length) return;
      if (event.key === "ArrowDown" && index >= links.length - 2) list.querySelector(".kb-search-next")?.kbLoad?.();
      event.preventDefault();
      const next = event.key === "ArrowDown" ? Math.min(index + 1, links.length - 1) : index - 1;
      if (next < 0) input.focus();
      else links[next].focus();
    } else if (event.key === "Enter" && document.activeElement === input && links.length) {
      event.preventDefault();
      links[0].click();
    } else if (event.key === "Escape") {
      event.preventDefault(); // a search input clears itself on Escape; Material keeps the query
      toggle.checked = false;
      input.blur();
    }
  });

  return { run, search, highlight, ready: loadEngine };
}

/* ---------- marking the terms on the page a result led to ----------------- */

export function highlight(terms) {
  const words = (terms || "").split(/\s+/).filter((w) => w.length > 1 || /[a-z0-9]/i.test(w));
  const article = document.querySelector("article.md-content__inner");
  if (!words.length || !article) return 0;
  const pattern = new RegExp(words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "gi");
  const test = new RegExp(pattern.source, "i");
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) => (node.parentElement.closest("mark, script, style, .headerlink, [data-search-exclude]") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
  });
  const nodes = [];
  while (walker.nextNode()) if (test.test(walker.currentNode.nodeValue)) nodes.push(walker.currentNode);
  let count = 0;
  for (const node of nodes) {
    const frag = document.createDocumentFragment();
    let last = 0;
    const text = node.nodeValue;
    pattern.lastIndex = 0;
    for (const m of text.matchAll(pattern)) {
      frag.append(text.slice(last, m.index));
      const mark = document.createElement("mark");
      mark.dataset.mdHighlight = "";
      mark.textContent = m[0];
      frag.append(mark);
      last = m.index + m[0].length;
      count++;
    }
    frag.append(text.slice(last));
    node.replaceWith(frag);
  }
  return count;
}
