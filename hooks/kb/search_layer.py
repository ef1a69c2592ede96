"""Search: the Pagefind index and the query layer the browser loads with it.

Pagefind (``pagefind[extended]`` from PyPI, which ships its binary and a
Chinese segmenter) indexes the built HTML in ``on_post_build``; its index is
split into chunks that a query fetches on demand.

The *query layer* is one small JSON file, fetched only when the reader opens
search. It turns the way operators type into words the index holds, and it is
built from the site's own words and from controlled data files, never from a
list of queries:

- ``v``: the site's vocabulary (word -> count), segmented like the index
  (jieba's default dictionary without HMM; the pages are indexed cut the same
  way, see ``run_pagefind``), so the browser can cut a query into the index's
  words;
- ``t2s``: traditional -> simplified characters (OpenCC's table), reduced to
  the characters whose simplified form the site uses;
- ``py`` / ``py2``: pinyin of common characters (pypinyin), from which the
  browser derives each site word's pinyin, for pinyin input and
  near-homophone typos; ``c``: the site's named concepts (titles, headings,
  glossary terms, tags, aliases), which typos are corrected to;
- ``en``: English terms from the ``en:`` fields of data/glossary.yml,
  data/tags.yml and page front matter;
- ``syn``: data/synonyms.yml, operators' words -> the site's words;
- ``stop``: data/query_words.yml, particles and question words to drop.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from .errors import DataError
from .yamlio import load_schema, load_yaml, validate_schema

CJK = re.compile(r"[\u3400-\u9fff]+")
LATIN = re.compile(r"[a-z0-9]+(?:[ .-][a-z0-9]+)*")
# Elements kept out of the index (repeated furniture: related pages, sources
# line, navigator trail and outline, embedded comparison subsets).
EXCLUDE_ATTR = "data-search-exclude"
#: Classes Pagefind leaves out too: section links, footnote numbers and
#: citations (a loose digit in an excerpt), a checklist item's own link.
EXCLUDE_CLASSES = ("headerlink", "footnote-ref", "kb-check__link", "footnote")
_EXCLUDED = re.compile(EXCLUDE_ATTR + r'|class="(?:[^"]*\s)?(?:' + "|".join(EXCLUDE_CLASSES) + r')(?:\s[^"]*)?"')
LAYER_PATH = "assets/search-layer.json"
TABLES_PATH = "assets/search-tables.json"
# The language the index is built and opened as (see run_pagefind); search.js has the same.
INDEX_LANGUAGE = "en"

# --- what the index holds besides the words (the second representation) ------
#: Bigram tokens: every two adjacent Chinese characters of a run that are not
#: already one of its words are indexed too (the practice of Lucene's CJK
#: bigram analyzer), so that a query whose words jieba cuts differently from
#: the page's (a word plus one character against the word, a negation against the word) still meets the page.
#: They are written into the copy Pagefind reads as MARK + BIGRAM + pair:
#: Pagefind drops MARK (punctuation) from the indexed word and keeps BIGRAM (a
#: letter to it), and ``trim_fragments`` then removes the marked tokens from
#: the stored page text, so excerpts and the bytes a reader fetches stay as
#: they were. search.js looks up the query's bigrams as BIGRAM + pair, at a
#: fraction of a word's weight (BIGRAM_FACTOR there).
#: MARK is ASCII punctuation, which no page text starts a word with: Pagefind
#: reads a word holding punctuation as a compound and indexes its parts too,
#: cut at ASCII punctuation only. Under a non-ASCII mark (· was one) the
#: part was the marked token itself, so every marked token was indexed a
#: second time, mark included, under a word no query asks for: 30 % of the
#: index (tests/test_search_data.py checks that the index holds no marked word).
MARK = "^"
#: The prefix that keeps a bigram token apart from the word of the same two
#: characters: indexed bare, the pair 群规 of 群规模 counted as the word 群规,
#: and that cost 3-5 points of hit@1 on every query set (bench/README.md).
#: 〇 is outside the Chinese runs the text is cut into, so no word of a page
#: begins with it.
BIGRAM = "\u3007"
#: Field weights (Pagefind's data-pagefind-weight, 0-10; body text is 1).
#: Pagefind's own defaults for h1-h4 are 7, 6, 5, 4; they are written out here
#: so that the ablation (KB_SEARCH_ABLATE=fields) can set them all to 1 and
#: measure what they bring. Aliases (kb.content.render_aliases) weigh like the
#: title, the situations block (kb.content.QUESTIONS_WEIGHT) like an h2.
FIELD_WEIGHTS = {"h1": 7, "h2": 6, "h3": 5, "h4": 4}
#: Elements whose text is indexed but never shown in an excerpt: the alias line
#: and the situations block (every token marked, so trim_fragments drops them
#: from the stored text; they still rank the page).
INDEX_ONLY = re.compile(r'class="kb-aliases"|data-kb-situations')
#: Parts of the search design that ``KB_SEARCH_ABLATE`` (comma-separated) can
#: switch off at build time, for bench/search.py's ablation.
ABLATABLE = {"bigrams", "fields", "kinds", "situations"}


# --- page text -----------------------------------------------------------------

class _TextParser(HTMLParser):
    """Text of rendered page content, without the excluded blocks; headings apart."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.headings: list[str] = []
        self._skip_depth = 0
        self._stack: list[tuple[str, bool]] = []
        self._heading: list[str] | None = None
        self.situations: list[str] = []
        self._situation: list[str] | None = None
        self._in_situations = 0

    VOID = {"br", "hr", "img", "input", "meta", "link", "source", "wbr", "col", "area"}

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        skip = any(name == EXCLUDE_ATTR for name, _ in attrs) or tag in ("script", "style", "svg")
        self._stack.append((tag, skip))
        if skip:
            self._skip_depth += 1
        if tag in ("h1", "h2", "h3", "h4") and not self._skip_depth:
            self._heading = []
        if any(name == "data-kb-situations" for name, _ in attrs):
            self._in_situations = len(self._stack)
        elif tag == "li" and self._in_situations:
            self._situation = []

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        while self._stack:
            open_tag, skip = self._stack.pop()
            if skip:
                self._skip_depth -= 1
            if open_tag == "li" and self._situation is not None:
                self.situations.append("".join(self._situation).strip())
                self._situation = None
            if len(self._stack) < self._in_situations:
                self._in_situations = 0
            if open_tag == tag:
                break
        if tag in ("h1", "h2", "h3", "h4") and self._heading is not None:
            self.headings.append("".join(self._heading).strip().rstrip("#").strip())
            self._heading = None

    def handle_data(self, data):
        if self._skip_depth:
            return
        self.text.append(data)
        if self._heading is not None:
            self._heading.append(data)
        if self._situation is not None:
            self._situation.append(data)


def page_parts(html: str) -> tuple[str, list[str], list[str]]:
    """(all indexed text, headings, the situations it answers) of one page's
    rendered content; the situations are its 「遇到这些情况」 block
    (kb.content.render_questions)."""
    parser = _TextParser()
    parser.feed(html)
    return " ".join(parser.text), parser.headings, [s for s in parser.situations if s]


def page_text(html: str) -> tuple[str, list[str]]:
    """(all indexed text, headings) of one page's rendered content."""
    return page_parts(html)[:2]


# --- vocabulary ----------------------------------------------------------------

def segmenter(names=(), stop=()):
    """jieba with its default dictionary (no HMM), plus the site's names that it
    would otherwise break into single characters (罗辑思维 -> 罗/辑/思维): a
    title, glossary term, alias or tag of 2-4 Chinese characters. Names made of
    words stay cut (种子用户 -> 种子/用户, 群/活动), so each word finds them.
    The same segmenter cuts the pages for the index and the vocabulary for the
    query layer, so both hold the same words."""
    import jieba

    jieba.setLogLevel(60)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    stop = set(stop)
    for name in sorted(set(names)):
        if CJK.fullmatch(name) and 2 <= len(name) <= 4 and _broken_name(list(tokenizer.cut(name, HMM=False)), stop):
            tokenizer.add_word(name)
    return tokenizer


def cutter(tokenizer):
    """The one cut of a CJK run (no HMM) that the index and the vocabulary share,
    remembered per run: headings, labels and furniture repeat across pages."""
    import functools

    @functools.lru_cache(maxsize=None)
    def cut(run: str) -> tuple[str, ...]:
        return tuple(tokenizer.cut(run, HMM=False))

    return cut


def _broken_name(pieces: list[str], stop: set[str]) -> bool:
    """Two single characters in a row, neither a stopword: jieba does not know
    the name (罗/辑/思维, 群/规), rather than the name being a phrase of words
    (群/活动, 僵尸/群), which stays cut so that each word still finds it."""
    return any(len(a) == 1 and len(b) == 1 and a not in stop and b not in stop for a, b in zip(pieces, pieces[1:]))


#: A word on at least this share of the pages tells no page from another
#: (Pagefind's BM25 idf, ln((N - n + 0.5) / (n + 0.5) + 1), is 0.11 at
#: nine pages in ten, against 4.3 for a word on one page of a hundred or so),
#: so search.js does not look it up unless the query has nothing else: the
#: lookup would fetch an index chunk for it alone (群 is on every page).
EVERYWHERE_SHARE = 0.9


def everywhere_words(texts: list[str], cut, share: float = EVERYWHERE_SHARE) -> list[str]:
    """The words (single characters too) that at least ``share`` of the texts hold."""
    df: Counter = Counter()
    for text in texts:
        df.update({word for run in CJK.findall(text) for word in cut(run)})
    return sorted(w for w, n in df.items() if n >= share * len(texts))


def site_vocabulary(texts: list[str], cut) -> Counter:
    """CJK words of two or more characters, counted, segmented like the index."""
    counts: Counter = Counter()
    for text in texts:
        for run in CJK.findall(text):
            for word in cut(run):
                if len(word) >= 2:
                    counts[word] += 1
    return counts


# --- controlled data -----------------------------------------------------------

@dataclass
class QueryData:
    synonyms: dict[str, list[str]] = field(default_factory=dict)
    stopwords: list[str] = field(default_factory=list)
    english: dict[str, list[str]] = field(default_factory=dict)
    concepts: set[str] = field(default_factory=set)  # glossary terms and aliases, tags: words worth a pinyin key
    where: dict[tuple, tuple] = field(default_factory=dict)  # (synonym word, target) -> (YAML path, line)


def english_key(phrase: str) -> str:
    """The lookup key of an English term: lower case, single spaces, each word's
    plural -s folded (search.js, englishKey, does the same to the query)."""
    words = phrase.lower().split()
    return " ".join(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words)


QUESTION_MARKS = re.compile(r"[吗呢吧么？?，,。！!、]")


def load_query_data(data_dir: Path, glossary: list[dict], tags: dict, pages: dict) -> QueryData:
    """data/synonyms.yml and data/query_words.yml, checked; English terms of the
    glossary, the tags and the pages."""
    out = QueryData()
    rel = "data/synonyms.yml"
    data, lines = load_yaml(data_dir / "synonyms.yml", rel)
    validate_schema(data, load_schema(data_dir / "schemas" / "synonyms.schema.json"), rel, lines)
    for i, entry in enumerate(data["synonyms"]):
        word = entry["word"]
        path = ("synonyms", i, "word")
        if QUESTION_MARKS.search(word) or len(word) > 6:
            raise DataError(rel, f"'{word}' reads like a sentence or a question, not a word", fix="give one word or short phrase (at most 6 characters) that operators use", path=path, line=lines.near(path),
                            zh=f"「{word}」像一句话或一个问题，不是一个词", zh_fix="写运营者会敲的一个词或短语（最多 6 个字）；整句的处境写进页面的 questions:", column=lines.column(path))
        if word in out.synonyms:
            raise DataError(rel, f"'{word}' is listed twice", fix="merge the two entries", path=path, line=lines.near(path),
                            zh=f"「{word}」写了两次", zh_fix="把这两条合成一条：site 里列上两条的词", column=lines.column(path))
        out.synonyms[word] = list(entry["site"])
        for j, target in enumerate(entry["site"]):
            site_path = ("synonyms", i, "site", j)
            out.where[(word, target)] = (site_path, lines.near(site_path))
    rel = "data/query_words.yml"
    data, lines = load_yaml(data_dir / "query_words.yml", rel)
    validate_schema(data, load_schema(data_dir / "schemas" / "query_words.schema.json"), rel, lines)
    out.stopwords = list(dict.fromkeys(data["drop"]))

    english_file: dict[str, str] = {}

    def add_english(value, term, rel, path, lines_):
        for en in ([value] if isinstance(value, str) else value or []):
            key = english_key(en)
            known = out.english.setdefault(key, [])
            if not known:
                english_file[key] = rel
            if term in known:
                continue
            if known and english_file[key] == rel:  # one file, two entries: an editor's slip
                raise DataError(rel, f"the English term '{en}' already stands for '{known[0]}'", fix="give each English term to one entry", path=path, line=lines_.near(path) if lines_ else None,
                                zh=f"英文说法「{en}」已经给了「{known[0]}」", zh_fix="同一个文件里，一个英文说法只给一个词：删掉一处，或者换一个更具体的说法")
            known.append(term)  # a glossary term and a tag of the same name, say: search both

    for term in glossary:
        out.concepts.add(term["term"])
        out.concepts.update(term.get("aliases") or [])
        add_english(term.get("en"), term["term"], "data/glossary.yml", ("terms", term["id"], "en"), None)
    for name, tag in tags.items():
        out.concepts.add(name)
        add_english(getattr(tag, "en", None), name, "data/tags.yml", ("tags", name, "en"), None)
    for rel_page, page in pages.items():
        meta = page.meta
        for alias in meta.get("aliases") or []:
            out.concepts.update(run for run in CJK.findall(str(alias)) if len(run) >= 2)
        if meta.get("en"):
            add_english(meta["en"], meta["title"], f"docs/{rel_page}", ("en",), None)
    return out


def source_text(pages: dict, data_dir: Path) -> str:
    """What the pages are made of (Markdown and data), lower-cased: checked before the build writes."""
    parts = [str(p.meta.get("title", "")) + " " + " ".join(p.meta.get("aliases") or []) + " " + p.body for p in pages.values()]
    parts += [f.read_text(encoding="utf-8") for f in sorted(data_dir.glob("*.yml")) if f.name not in ("synonyms.yml", "query_words.yml")]
    return "\n".join(parts).lower()


def check_synonym_targets(query: QueryData, site_text: str) -> None:
    """Every word a synonym points to is a word of the site."""
    for word, targets in query.synonyms.items():
        for target in targets:
            if target.lower() not in site_text:
                path, line = query.where.get((word, target), (("synonyms", word), None))
                raise DataError("data/synonyms.yml", f"'{word}' points to '{target}', which no page uses", fix="point it to a word the pages use (search the docs/ folder for it), or add that word to a page", path=path, line=line,
                               zh=f"「{word}」指向「{target}」，可是没有哪一页用这个词", zh_fix="改成页面里真的出现的词（在 docs/ 里搜一下），或者先把这个词写进某一页")


# --- character tables ----------------------------------------------------------

def traditional_map(site_chars: set[str]) -> str:
    """'繁简繁简…' for every traditional character whose simplified form is on the site (OpenCC t2s):
    on its pages, in the thesaurus' words or the stopwords."""
    import opencc

    chars = "".join(chr(i) for i in range(0x3400, 0xA000))
    simplified = opencc.OpenCC("t2s").convert(chars)
    if len(simplified) != len(chars):  # a character became several: convert one by one
        converter = opencc.OpenCC("t2s")
        simplified = "".join((converter.convert(c) + c)[0] for c in chars)
    return "".join(t + s for t, s in zip(chars, simplified) if t != s and s in site_chars)


def common_chars() -> set[str]:
    """The 3,755 level-1 characters of GB 2312: what most typos are typed with."""
    out = set()
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                out.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return out


def fuzzy_pinyin(s: str) -> str:
    """Merge the pairs most often confused when typing pinyin (zh/z, ch/c, sh/s,
    -ng/-n). The browser applies the same two rules to what the reader types."""
    return re.sub(r"ng", "n", re.sub(r"([zcs])h", r"\1", s))


def pinyin_table(chars: set[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Characters by pinyin syllable (fuzzy): ({syllable: characters read so first},
    {syllable: characters that can also be read so}). The browser derives the
    pinyin key of each site word from the first table."""
    from pypinyin import Style, pinyin

    first: dict[str, list[str]] = {}
    other: dict[str, list[str]] = {}
    for ch in sorted(chars):
        readings = [fuzzy_pinyin(r) for r in pinyin(ch, style=Style.NORMAL, heteronym=True)[0] if r.isascii() and r.isalpha()]
        if not readings:
            continue
        first.setdefault(readings[0], []).append(ch)
        for r in dict.fromkeys(readings[1:]):
            if r != readings[0]:
                other.setdefault(r, []).append(ch)
    return ({k: "".join(v) for k, v in first.items()}, {k: "".join(v) for k, v in other.items()})


WORDS = re.compile(r"[\u3400-\u9fff]+|[0-9A-Za-z]+(?:[.%][0-9A-Za-z]+)*")


def search_words(text: str) -> str:
    """Only what search matches on (Chinese runs, Latin words and numbers),
    space-separated: the layer is data for matching, never markup."""
    return " ".join(WORDS.findall(text))


#: Between the words of one Chinese run in ``index_words`` (spaces stay where
#: the text had them, for showing the text to the reader).
WORD_CUT = "|"


def index_words(text: str, cut) -> str:
    """``search_words`` with each Chinese run cut as the index cuts it, the
    words joined by WORD_CUT (群|规模 多少|人|最好), so that search.js looks
    them up as the index holds them: a thesaurus target or an English term's
    page may use a word only once, which the vocabulary leaves out and the
    query's own cut would break into characters (人身攻击 -> 人/身/攻/击), or
    cut otherwise than the index (群规模: the index has 群/规模, the query's
    cut, from word counts, 群规/模)."""
    return " ".join(WORD_CUT.join(cut(m)) if CJK.fullmatch(m) else m for m in WORDS.findall(text))


#: Words the site uses only once are left out of the layer's vocabulary: the
#: query then meets them through their characters and bigrams (measured: the
#: same hit@1 and hit@3 on the development sets, and 5.9 KiB less for every
#: first query). A two-character one is indexed as a bigram too (``bigrams``,
#: ``known``).
MIN_WORD_COUNT = 2


def layer_vocabulary(vocab: Counter) -> set[str]:
    """The words of the layer's vocabulary (MIN_WORD_COUNT): those a query's
    cut can give; the index leaves no other word out of its bigrams (``bigrams``)."""
    return {word for word, n in vocab.items() if n >= MIN_WORD_COUNT}


def vocabulary_by_count(vocab: Counter) -> dict[str, str]:
    """{count bucket: 'word,word,…'} of ``layer_vocabulary``: counts rounded to
    powers of two are all the segmenter needs, and words grouped that way
    compress well."""
    buckets: dict[str, list[str]] = {}
    for word in sorted(layer_vocabulary(vocab)):
        n = vocab[word]
        buckets.setdefault(str(1 << (n.bit_length() - 1)), []).append(word)
    return {k: ",".join(v) for k, v in sorted(buckets.items(), key=lambda kv: int(kv[0]))}


# --- the layer -----------------------------------------------------------------

def build_layer(texts: list[str], headings: list[str], query: QueryData, cut,
                kinds: dict | None = None, situations: dict | None = None, off: set[str] = frozenset(),
                names: dict | None = None, *, vocab: Counter) -> dict:
    """The query layer; ``vocab`` is ``site_vocabulary`` of the texts and
    headings, counted once a build (``index_site``)."""
    # the characters a query can match on: the pages' and the thesaurus' and
    # stopwords' (罵人 must become 骂人, a thesaurus word, though 骂 is on no page)
    site_chars = set("".join(CJK.findall(" ".join([*texts, *query.synonyms, *query.stopwords]))))
    first, other = pinyin_table(common_chars() | site_chars)
    named = set(query.concepts)
    for name in headings:
        named.update(run for run in CJK.findall(name) if 2 <= len(run) <= 6)
    concepts = sorted(c for c in named if CJK.fullmatch(c) and 2 <= len(c) <= 6)
    return {
        "v": vocabulary_by_count(vocab),
        # TABLE_KEYS go to a second file, fetched only by a query that needs them
        "c": ",".join(concepts),
        "t2s": traditional_map(site_chars),
        "py": first,
        "py2": other,
        "en": {key: index_words(" ".join(terms), cut) for key, terms in sorted(query.english.items())},
        "syn": {search_words(word): [index_words(t, cut) for t in targets] for word, targets in query.synonyms.items()},
        "stop": [search_words(w) for w in query.stopwords],
        "n": len(texts),
        "all": everywhere_words(texts, cut),  # words on nearly every page (EVERYWHERE_SHARE)
        "lang": INDEX_LANGUAGE,
        # page kinds (KIND_FACTORS) and the situations each page answers, by Pagefind id
        "kf": {} if "kinds" in off else KIND_FACTORS,
        "kinds": {} if "kinds" in off else (kinds or {}),
        "sit": {} if "situations" in off else (situations or {}),
        # the pages a whole query names: {name_key(title or alias): 'id,id'}
        "names": names or {},
        "bi": "bigrams" not in off,
        "bm": BIGRAM,  # the prefix of the bigram tokens in the index
    }


#: What only some queries need (traditional characters, pinyin and typos,
#: English, the situations pages answer): written to TABLES_PATH, which
#: search.js fetches when a query has Latin letters, a character the site does
#: not use, a lone character, or is as long as a question
#: (QueryLayer.needsTables). A keyword query fetches the layer alone.
TABLE_KEYS = ("c", "t2s", "py", "py2", "en", "sit")


def write_layer(site_dir: Path, layer: dict) -> int:
    """Write the layer (LAYER_PATH) and its tables (TABLES_PATH); return the bytes of both."""
    total = 0
    tables = {k: v for k, v in layer.items() if k in TABLE_KEYS}
    base = {k: v for k, v in layer.items() if k not in TABLE_KEYS}
    for rel, part in ((LAYER_PATH, base), (TABLES_PATH, tables)):
        path = site_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = json.dumps(part, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        path.write_bytes(data)
        total += len(data)
    return total


# --- Pagefind ------------------------------------------------------------------

def pagefind_executable() -> Path:
    from pagefind_bin_extended import get_executable

    return Path(get_executable())


TAG = re.compile(r"(<[^>]*>)")
#: What ends a block in the text Pagefind stores (and an excerpt shows), when
#: its text does not end in punctuation already: Pagefind joins blocks with a
#: space, which the excerpt drops between Chinese words, so table cells, list
#: items and a lead line ran into the next (「例子产品类围绕一款产品…」,
#: 「盈利模式 › VIP 群盈利模式 › 价格阶梯」). Written inside the element, so
#: that it goes where the element goes (an element kept out of the index takes
#: its separator with it). Headings need none: excerpts are cut at them.
BLOCK_END = {"td": "，", "th": "，", "li": "；", "dt": "：", "dd": "；", "p": "。", "caption": "。", "figcaption": "。", "summary": "："}
#: A table row ends a sentence: its last cell's separator becomes this.
ROW_END = "。"
#: Before a list that opens inside a list item, right after its label.
LIST_START = "："
_ENDS_CLAUSE = re.compile(r"[。！？；，、：!?;,:]\s*$")
_TAG_NAME = re.compile(r"<\s*(/?)\s*([a-zA-Z0-9]+)")
_VOID = {"br", "hr", "img", "input", "meta", "link", "source", "wbr", "col", "area", "base", "track", "embed", "param"}


def bigrams(run: str, words=(), stop=frozenset(), known=None) -> list[str]:
    """Adjacent character pairs of a Chinese run, without those that are
    already one of its words that a query can ask for (those are indexed as
    words) and without those that touch a stopword (``stop``: 的, 了, 怎么办):
    search.js takes the stopwords out of the query before it pairs the
    characters that are left, so no query ever asks for 里的 or 么办. ``words``
    is the run's cut; ``known`` the words of the query's vocabulary (None: all
    words). A word the vocabulary leaves out (MIN_WORD_COUNT: 举办, 主持, on
    one page each) is cut by the query into its characters, which look it up
    as a pair: it is indexed as a pair too, or no query would meet it whole."""
    have = {w for w in words if len(w) == 2 and (known is None or w in known)}
    dropped = [w in stop for w in words for _ in w] if stop and "".join(words) == run else [False] * len(run)
    pairs = (run[i:i + 2] for i in range(len(run) - 1) if not (dropped[i] or dropped[i + 1]))
    return list(dict.fromkeys(b for b in pairs if b not in have))


def ablated(env=None) -> set[str]:
    """The parts of the search design switched off by KB_SEARCH_ABLATE (bench only)."""
    import os

    value = (env if env is not None else os.environ).get("KB_SEARCH_ABLATE", "")
    parts = {p.strip() for p in value.split(",") if p.strip()}
    unknown = parts - ABLATABLE
    if unknown:
        raise DataError("KB_SEARCH_ABLATE", f"unknown part(s) {sorted(unknown)}", fix=f"use some of {sorted(ABLATABLE)}",
                        zh=f"不认识的部分 {sorted(unknown)}", zh_fix=f"只用这些：{sorted(ABLATABLE)}（只给基准用）")
    return parts


def segmented_html(html: str, cut, *, with_bigrams: bool = True, weights: dict | None = None,
                   stop=frozenset(), known=None) -> str:
    """``html`` with every CJK run in its text cut into words by ``cut`` and the
    words separated by spaces, for Pagefind to index.

    Pagefind then indexes exactly the words of the query layer's vocabulary. Left
    to itself it would cut pages with jieba but queries with the browser's
    Intl.Segmenter (ICU), which disagree on about a third of the site's words
    (星巴克 is one word to jieba and three to ICU), so that a query for a
    word the page holds could miss it.

    Besides the words: each run's bigrams (MARK + pair, see MARK; none that
    touches one of the ``stop`` words or is a word of ``known``, see
    ``bigrams``), headings
    with their FIELD_WEIGHTS (``weights``), and the text of INDEX_ONLY blocks
    (words and bigrams, as body text) with every token marked, so that it ranks
    the page but never shows in an excerpt: an alias that the cut splits into
    single characters (名词解释: 名 词 解释) still meets the query on its pairs.
    Scripts, styles and attributes are left as they are."""
    weights = FIELD_WEIGHTS if weights is None else weights
    flat = all(w == 1 for w in weights.values())
    out, raw = [], False
    stack: list[tuple[str, bool, bool]] = []  # open elements: (name, index-only, left out of the index)
    last_text = ""  # the last text written, to tell whether a block ends in punctuation (BLOCK_END)
    cell_end = None  # where in ``out`` the separator after the row's last cell so far stands

    def marked() -> bool:
        return any(flag for _, flag, _ in stack)

    def left_out() -> bool:
        return any(flag for _, _, flag in stack)

    for part in TAG.split(html):
        if part.startswith("<"):
            head = part[:8].lower()
            if head.startswith(("<script", "<style")):
                raw = True
            elif head.startswith(("</script", "</style")):
                raw = False
            name = _TAG_NAME.match(part)
            if name and not part.startswith(("<!", "<?")):
                closing, tag = name.group(1) == "/", name.group(2).lower()
                if tag == "label":  # Pagefind drops labels' text: a checklist item's own words (kb.checklists)
                    part, tag = part[:name.start(2)] + "span" + part[name.end(2):], "span"
                ends = not raw and not marked() and last_text and not _ENDS_CLAUSE.search(last_text)
                if closing:
                    if tag in BLOCK_END and ends:
                        out.append(f" {BLOCK_END[tag]} ")
                        last_text, cell_end = BLOCK_END[tag], len(out) - 1 if tag in ("td", "th") else None
                    elif tag == "tr" and cell_end is not None:
                        out[cell_end] = f" {ROW_END} "
                        cell_end = None
                    elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                        last_text = ""  # excerpts are cut at headings
                    while stack:
                        if stack.pop()[0] == tag:
                            break
                elif tag not in _VOID and not part.endswith("/>"):
                    if tag in ("ul", "ol") and ends and stack and stack[-1][0] == "li":
                        out.append(f" {LIST_START} ")
                        last_text = LIST_START
                    stack.append((tag, bool(INDEX_ONLY.search(part)), bool(_EXCLUDED.search(part))))
                    if flat and "data-pagefind-weight" in part:  # the fields ablation: every field weighs 1
                        part = re.sub(r'data-pagefind-weight="[^"]*"', 'data-pagefind-weight="1"', part)
                    elif tag in weights and "data-pagefind-weight" not in part:
                        part = part[:-1].rstrip("/") + f' data-pagefind-weight="{weights[tag]}">'
            out.append(part)
        elif raw or not part.strip():
            out.append(part)
        elif marked():
            def marked_words(m):
                words = list(cut(m.group()))
                extra = [BIGRAM + b for b in bigrams(m.group(), words, stop, known)] if with_bigrams else []
                return " " + " ".join(words + extra) + " "
            out.append(" " + " ".join(MARK + token for token in CJK.sub(marked_words, part).split()) + " ")
        elif not CJK.search(part):
            out.append(part)
            if not left_out():
                last_text, cell_end = part, None
        else:
            if not left_out():
                last_text, cell_end = part, None

            def run_words(m):
                words = list(cut(m.group()))
                extra = [MARK + BIGRAM + b for b in bigrams(m.group(), words, stop, known)] if with_bigrams else []
                return " " + " ".join(words + extra) + " "
            out.append(CJK.sub(run_words, part))
    return "".join(out)


def _strip_marked(text: str) -> tuple[str, list[int]]:
    """Text without its marked tokens, and the word positions (whitespace
    split, as Pagefind counts them) of the marked tokens that were dropped."""
    words = text.split()
    dropped = [i for i, w in enumerate(words) if w.startswith(MARK)]
    return " ".join(w for w in words if not w.startswith(MARK)), dropped


FRAGMENT_SIGNATURE = b"pagefind_dcd"


def _unpack_fragment(packed: bytes) -> dict:
    """One stored page of Pagefind's output: gzip, a signature, then JSON."""
    import gzip

    data = gzip.decompress(packed)
    return json.loads(data[len(FRAGMENT_SIGNATURE):] if data.startswith(FRAGMENT_SIGNATURE) else data)


def trim_fragments(output: Path) -> tuple[int, dict[str, dict]]:
    """Remove the marked tokens (bigrams, index-only text) from every stored
    page of Pagefind's output: its text, title and section headings, with the
    sections' word positions moved to match. The index itself is untouched.
    Returns the bytes saved (compressed) and the trimmed pages {id: fragment}."""
    import bisect
    import gzip

    saved, out = 0, {}
    for path in sorted((output / "fragment").glob("*.pf_fragment")):
        packed = path.read_bytes()
        fragment = _unpack_fragment(packed)
        content, dropped = _strip_marked(fragment.get("content", ""))
        fragment["content"] = content
        fragment["word_count"] = len(content.split())
        for anchor in fragment.get("anchors") or []:
            anchor["location"] = anchor["location"] - bisect.bisect_left(dropped, anchor["location"])
            anchor["text"] = _strip_marked(anchor.get("text", ""))[0]
        meta = fragment.get("meta") or {}
        if "title" in meta:
            meta["title"] = _strip_marked(meta["title"])[0]
        new = gzip.compress(FRAGMENT_SIGNATURE + json.dumps(fragment, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 9, mtime=0)
        path.write_bytes(new)
        saved += len(packed) - len(new)
        out[path.stem] = fragment
    return saved, out


def site_pages(site_dir: Path):
    """The HTML pages of a built site that the index reads, with their paths
    relative to it: every page but Pagefind's own output."""
    for page in site_dir.rglob("*.html"):
        rel = page.relative_to(site_dir)
        if rel.parts[0] != "pagefind":
            yield page, rel


def run_pagefind(site_dir: Path, cut, off: set[str] = frozenset(), stop=frozenset(),
                 known=None) -> tuple[str, dict[str, dict]]:
    """Index ``site_dir`` into ``site_dir``/pagefind; return Pagefind's summary line.

    Pagefind reads a copy of the pages whose Chinese text is already cut into
    the vocabulary's words (``segmented_html``); the index is built as a
    language without segmentation (``en``: whitespace words, English stemming
    for the Latin ones), and search.js opens it the same way, so that the
    browser does not cut the query words again."""
    with tempfile.TemporaryDirectory(prefix="kb-pagefind-") as tmp:
        copy = Path(tmp)
        for page, rel in site_pages(site_dir):
            target = copy / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(segmented_html(page.read_text(encoding="utf-8"), cut, with_bigrams="bigrams" not in off,
                                             weights={k: 1 for k in FIELD_WEIGHTS} if "fields" in off else None,
                                             stop=stop, known=known), encoding="utf-8")
        output = site_dir / "pagefind"
        shutil.rmtree(output, ignore_errors=True)
        result = subprocess.run(
            [str(pagefind_executable()), "--site", str(copy), "--output-path", str(output),
             "--exclude-selectors", f"[{EXCLUDE_ATTR}]",
             *[arg for name in EXCLUDE_CLASSES for arg in ("--exclude-selectors", "." + name)],
             "--force-language", INDEX_LANGUAGE]
            + (["--exclude-selectors", "[data-kb-situations]"] if "situations" in off else []),
            capture_output=True, text=True, timeout=300,
        )
    if result.returncode != 0:
        raise DataError("site/pagefind", f"Pagefind could not index the site: {result.stderr.strip() or result.stdout.strip()}", fix="run `make build` again; if it persists, reinstall with `pip install -r requirements.txt`",
                        zh="Pagefind 没能给网站建索引", zh_fix="再运行一次 make build；还不行就重新安装依赖：.venv/bin/pip install -r requirements.txt")
    saved, fragments = trim_fragments(output)
    found = re.search(r"Indexed (\d+) pages", result.stdout)
    return f"{found.group(1) if found else '?'} pages (marked tokens trimmed from the stored text: {saved / 1024:.0f} KiB)", fragments


def page_texts(pages) -> tuple[list[str], list[str], list[str], dict[str, list[str]]]:
    """Each page (title, rendered content, site path, aliases) parsed once:
    texts, headings, titles, and {site path: situations}."""
    texts, headings, titles, situations = [], [], [], {}
    for title, html, url, _aliases in pages:
        text, found, situations[url] = page_parts(html)
        texts.append(title + " " + text)
        headings.extend(found + [title])
        titles.append(title)
    return texts, headings, titles, situations


def index_site(site_dir: Path, query: QueryData, pages: list[tuple]) -> tuple[str, int]:
    """Pagefind over ``site_dir``, then the query layer; (Pagefind's summary, layer bytes).

    ``pages`` is [(title, rendered content, site path, aliases)] per page, as
    hooks/search_index.py collects them. `mkdocs build` calls this in its own
    process; `mkdocs serve` in its index worker (kb.serve_cache), where the
    tokenizer stays loaded from one edit to the next. Plain arguments only:
    they are pickled to reach the worker."""
    from . import serve_cache

    texts, headings, titles, situations = page_texts(pages)
    off = ablated()
    tokenizer = serve_cache.tokenizer(segmenter, query.concepts | set(titles), query.stopwords)
    cut = cutter(tokenizer)
    vocab = site_vocabulary(texts + headings, cut)
    summary, fragments = run_pagefind(site_dir, cut, off, frozenset(query.stopwords), layer_vocabulary(vocab))
    aliases = {url: list(names) for _t, _h, url, names in pages}
    kinds = page_kinds(fragments, aliases)
    layer = build_layer(texts, headings, query, cut, kinds, situations_by_id(fragments, situations), off,
                        names=page_names(fragments, aliases), vocab=vocab)
    return summary, write_layer(site_dir, layer)


def read_fragments(site_dir: Path) -> dict[str, dict]:
    """Pagefind's fragments of ``site_dir``: {id: fragment}. A fragment holds a
    page's ``url``, its indexed ``content`` (cut into words with spaces), its
    ``meta`` (title), ``anchors`` and ``filters``."""
    return {path.stem: _unpack_fragment(path.read_bytes())
            for path in sorted((site_dir / "pagefind" / "fragment").glob("*.pf_fragment"))}


#: Page kinds and how much of an explaining page's score each keeps. The pages
#: that explain (tactics, basics, cases, checklists, the comparison) answer a
#: question; reference and utility pages mention many things in passing and
#: took the top 3 for questions a tactic answers (issue 19). A kind's factor
#: does not apply when the query names the page (a word of its title).
#:   step: the navigator's generated steps repeat the tactics' words;
#:   reference: glossary, mind map, sources, tags, the kit's tools (templates,
#:     metrics, plan), which list every term of the site;
#:   index: section front pages and the home page, lists of links.
KIND_FACTORS = {"explain": 1.0, "step": 0.4, "reference": 0.5, "index": 0.5}
REFERENCE_PAGES = ("glossary/", "mindmap/", "sources/", "tags/", "kit/")


def page_kind(url: str) -> str:
    """The kind of a page by its site path ('tactics/seed-users/')."""
    path = url.strip("/") + "/" if url.strip("/") else ""
    if path.startswith("navigator/") and path != "navigator/":
        return "step"
    if path.startswith(REFERENCE_PAGES) and path != "kit/":
        return "reference"
    if path.count("/") <= 1:  # the home page and the section front pages
        return "index"
    return "explain"


def fragment_kind(fragment: dict) -> str:
    """A page's kind (page_kind), or 'step' when the page declares itself one
    (search.boost in its front matter, marked by overrides/main.html with
    Pagefind's filter kind:step)."""
    declared = (fragment.get("filters") or {}).get("kind") or []
    return "step" if "step" in declared else page_kind(fragment["url"])


def fragment_names(fragment: dict, kind: str, aliases: dict[str, list[str]]) -> list[str]:
    """A page's title and its aliases (``aliases``: {site path without slashes:
    aliases}). A step's title is a sentence that no query names: its aliases only."""
    title = [] if kind == "step" else [str((fragment.get("meta") or {}).get("title", ""))]
    return title + [str(a) for a in aliases.get(fragment["url"].strip("/"), [])]


def page_kinds(fragments: dict[str, dict], aliases: dict[str, list[str]] | None = None) -> dict[str, list]:
    """{Pagefind id: [kind, 'title|alias|…']} of every page (``fragments``,
    as read_fragments gives them) that is not an explaining one: its names let
    search.js tell when the query names the page (``aliases``: {site path: the
    page's aliases}). A step is never named (no waiver)."""
    aliases = {url.strip("/"): names for url, names in (aliases or {}).items()}
    out = {}
    for fid, fragment in fragments.items():
        kind = fragment_kind(fragment)
        if kind == "step":
            out[fid] = [kind, ""]
        elif kind != "explain":
            out[fid] = [kind, "|".join(w for w in (search_words(n) for n in fragment_names(fragment, kind, aliases)) if w)]
    return dict(sorted(out.items()))


#: A question in the A-not-A form (活不活跃) is about A: search.js (A_NOT_A)
#: reads the query so, and a page's names are keyed the same way.
_A_NOT_A = re.compile(r"([\u3400-\u9fff])[不没]\1")


def name_key(text: str) -> str:
    """A page name as search.js compares it with the whole query
    (nameKey there): NFKC, lower case, A-not-A read as A, letters and digits
    only (「群规 模板」, 「群规模板？」 and 「群规模板」 are one key). Like the
    rest of the layer, it is data for matching and never holds markup."""
    folded = _A_NOT_A.sub(r"\1", unicodedata.normalize("NFKC", text).lower())
    return "".join(c for c in folded if unicodedata.category(c)[0] in "LN")


def page_names(fragments: dict[str, dict], aliases: dict[str, list[str]]) -> dict[str, str]:
    """{name key: 'id,id'}: each page's title and the aliases its 「也可以搜」
    line shows (fragment_names), for the pages a query names whole (search.js,
    NAME_BOOST)."""
    aliases = {url.strip("/"): names for url, names in aliases.items()}
    out: dict[str, list[str]] = {}
    for fid, fragment in sorted(fragments.items()):
        for key in dict.fromkeys(name_key(n) for n in fragment_names(fragment, fragment_kind(fragment), aliases)):
            if key:
                out.setdefault(key, []).append(fid)
    return {key: ",".join(ids) for key, ids in sorted(out.items())}


def situations_by_id(fragments: dict[str, dict], situations: dict[str, list[str]]) -> dict[str, str]:
    """{Pagefind id: 'situation|situation|…'} from {site path: situations}."""
    urls = {fragment["url"].strip("/"): fid for fid, fragment in fragments.items()}
    out = {}
    for url, items in situations.items():
        fid = urls.get(url.strip("/"))
        if fid and items:
            out[fid] = "|".join(search_words(q) for q in items)
    return dict(sorted(out.items()))
