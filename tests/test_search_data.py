"""The search's controlled data and the query layer built from it.

- data/synonyms.yml and data/query_words.yml: every broken variant stops the
  build with one located message (file, line or YAML path, fix), before
  anything is written;
- no alias, English name, synonym, query word or search code holds a query of
  the development set verbatim: that set measures search, it must not tune it;
- the layer's tables do what search.js relies on (traditional -> simplified,
  pinyin keys, English keys, the pages cut into the vocabulary's words).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from siteutil import ROOT, mkdocs_build
from test_bad_data import Case, check_message, generic_cases, light_copy, run_prepare, y

from kb import build as kb_build
from kb import search_layer
from kb.errors import DataError

DEV_SET = ROOT / "tests" / "search" / "dev-queries.tsv"
DEV_SET_2 = ROOT / "tests" / "search" / "dev-queries-2.tsv"


def _prepare_search(project: Path) -> None:
    """What on_pre_build of the search hook checks, after the other data."""
    run_prepare(project)  # the other data first, as in a build
    build = kb_build.prepare(project, project / "docs", kb_build.read_nav(project))
    query = search_layer.load_query_data(build.data_dir, build.glossary, build.tags, build.pages)
    search_layer.check_synonym_targets(query, search_layer.source_text(build.pages, build.data_dir))


# --- broken data -----------------------------------------------------------------

def synonym_cases(rel: str) -> list[Case]:
    def sentence(d):
        d["synonyms"][0]["word"] = "群冷了吗"
        return "群冷了吗"

    def too_long(d):
        d["synonyms"][0]["word"] = "我的群没人说话了"
        return "我的群没人说话了"

    def missing_target(d):
        d["synonyms"][1]["site"] = ["页面里没有的词甲"]
        return "页面里没有的词甲"

    def unknown(d):
        d["synonyms"][0]["sites"] = ["活跃"]

    def twice(d):
        d["synonyms"][1]["word"] = d["synonyms"][0]["word"]
        return d["synonyms"][0]["word"]

    def no_site(d):
        d["synonyms"][0].pop("site")

    return generic_cases(rel, top="expected a mapping") + [
        Case(rel, "sentence", y(rel, sentence), ("reads like a sentence",)),
        Case(rel, "wrong-too-long", y(rel, too_long), ("is longer than 6 characters",)),
        Case(rel, "dangling-target", y(rel, missing_target), ("which no page uses",), build=True),
        Case(rel, "unknown-key", y(rel, unknown), ("unknown key 'sites'",)),
        Case(rel, "duplicate-word", y(rel, twice), ("is listed twice",)),
        Case(rel, "missing-field", y(rel, no_site), ("'site' is missing",)),
    ]


def query_word_cases(rel: str) -> list[Case]:
    def not_a_list(d):
        d["drop"] = "的"

    def unknown(d):
        d["keep"] = ["的"]

    return generic_cases(rel, top="expected a mapping", build="syntax-error") + [
        Case(rel, "wrong-type", y(rel, not_a_list), ("expected a list",)),
        Case(rel, "unknown-key", y(rel, unknown), ("unknown key 'keep'",)),
    ]


def english_cases() -> list[Case]:
    def same_term_twice(d):
        d["terms"][1]["en"] = list(d["terms"][0]["en"])
        return None

    return [Case("data/glossary.yml", "duplicate-english", y("data/glossary.yml", same_term_twice), ("already stands for",))]


CASES = synonym_cases("data/synonyms.yml") + query_word_cases("data/query_words.yml") + english_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_broken_search_data_stops_with_a_located_message(case: Case, tmp_path):
    project = light_copy(tmp_path)
    token = case.mutate(project)
    with pytest.raises(DataError) as info:
        _prepare_search(project)
    check_message(str(info.value), case, token, project)


def test_the_unbroken_search_data_loads(tmp_path):
    _prepare_search(light_copy(tmp_path))


@pytest.mark.parametrize("case", [c for c in CASES if c.build], ids=[c.id for c in CASES if c.build])
def test_real_build_stops_on_broken_search_data_and_keeps_the_old_site(case: Case, project_copy, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("old site", encoding="utf-8")
    case.mutate(project_copy)
    result = mkdocs_build(site, project=project_copy)
    text = result.stdout + result.stderr
    assert result.returncode != 0
    check_message(text, case, None, project_copy)
    assert sorted(p.name for p in site.iterdir()) == ["index.html"]
    assert (site / "index.html").read_text(encoding="utf-8") == "old site"


# --- the development set tunes nothing ----------------------------------------------

#: Entries of the vocabulary that hold a query of development set 2 and were
#: written before that set was published (the landed site 00f2751): set 2 was
#: written without reading the vocabulary, so its short words (拉新, 死群) meet
#: words the pages already used. The list only shrinks; a new entry that holds
#: a set-2 query fails, as does any entry holding a set-1 query.
BEFORE_SET_2 = ROOT / "tests" / "search" / "vocabulary-before-set-2.tsv"


#: A development query of at most this many characters reads as one word
#: (拉新, 退群): a situation may use the word, never the query of several words.
QUESTION_WORD_CHARS = 4


def _before_set_2() -> set[tuple[str, str]]:
    rows = [line.split("\t") for line in BEFORE_SET_2.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    return {(where, value) for where, value in rows}


def _dev_queries(paths=(DEV_SET, DEV_SET_2)) -> list[str]:
    out = []
    for path in paths:
        assert path.exists(), f"the development set is missing: {path}"
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                out.append(" ".join(line.split("\t")[0].lower().split()))
    return out


def _data_entries() -> list[tuple[str, str]]:
    entries: list[tuple[str, str]] = []
    for md in sorted((ROOT / "docs").rglob("*.md")):
        text = md.read_text(encoding="utf-8")
        if text.startswith("---"):
            meta = yaml.safe_load(text.split("---", 2)[1]) or {}
            for key in ("aliases", "en", "questions"):
                entries += [(f"{md.relative_to(ROOT)} {key}", str(v)) for v in meta.get(key) or []]
    tree = yaml.safe_load((ROOT / "data/decision_tree.yml").read_text(encoding="utf-8"))
    for node in tree["nodes"]:
        entries += [(f"data/decision_tree.yml {node['id']} questions", str(v)) for v in node.get("questions") or []]
    glossary = yaml.safe_load((ROOT / "data/glossary.yml").read_text(encoding="utf-8"))
    for term in glossary["terms"]:
        for key in ("aliases", "en"):
            entries += [(f"data/glossary.yml {term['id']} {key}", str(v)) for v in term.get(key) or []]
    for group in yaml.safe_load((ROOT / "data/tags.yml").read_text(encoding="utf-8"))["groups"]:
        for tag in group["tags"]:
            entries += [(f"data/tags.yml {tag['name']} en", str(v)) for v in tag.get("en") or []]
    for entry in yaml.safe_load((ROOT / "data/synonyms.yml").read_text(encoding="utf-8"))["synonyms"]:
        entries += [("data/synonyms.yml word", entry["word"])] + [("data/synonyms.yml site", w) for w in entry["site"]]
    entries += [("data/query_words.yml", str(w)) for w in yaml.safe_load((ROOT / "data/query_words.yml").read_text(encoding="utf-8"))["drop"]]
    return [(where, " ".join(value.lower().split())) for where, value in entries]


def test_no_alias_synonym_question_or_name_holds_a_development_query():
    set1, set2 = _dev_queries([DEV_SET]), _dev_queries([DEV_SET_2])
    before = _before_set_2()
    entries = _data_entries()
    def holds(where: str, value: str, q: str) -> bool:
        # A situation (questions:) is a sentence: it may use a common word that
        # is also a one-word query (退群), but never holds a query of several
        # words, nor is one. Every other entry is vocabulary: it holds none.
        if where.endswith(" questions"):
            return value == q or (len(q) > QUESTION_WORD_CHARS and q in value)
        return q in value

    found = [f"{where}: {value!r} holds {q!r}" for where, value in entries for q in set1 if holds(where, value, q)]
    found += [f"{where}: {value!r} holds {q!r} (set 2)" for where, value in entries for q in set2
              if holds(where, value, q) and (where, value) not in before]
    assert not found, "development-set queries used as vocabulary:\n" + "\n".join(found)
    # every entry of the old list still exists and still holds a set-2 query (it only shrinks)
    stale = [row for row in before if row not in set(entries) or not any(q in row[1] for q in set2)]
    assert not stale, f"remove these rows from {BEFORE_SET_2.name}: {stale}"


def test_no_search_code_contains_a_development_query():
    code = {p: p.read_text(encoding="utf-8").lower() for p in [
        ROOT / "docs/assets/javascripts/search.js", ROOT / "docs/assets/javascripts/search-boot.js",
        ROOT / "hooks/kb/search_layer.py", ROOT / "hooks/search_index.py"]}
    found = [f"{p.relative_to(ROOT)}: {q!r}" for q in _dev_queries() for p, text in code.items() if q in text]
    assert not found, "development-set queries in the search code:\n" + "\n".join(found)


def test_own_test_queries_are_not_development_queries():
    import test_search_site

    dev = set(_dev_queries([DEV_SET]))
    own = yaml.safe_load((ROOT / "tests/search_queries.yml").read_text(encoding="utf-8"))["queries"]
    mine = [p.values[0] for p in test_search_site.OPERATOR_INPUT] + [e["q"] for e in own]
    assert not [q for q in mine if " ".join(q.lower().split()) in dev]
    # the everyday questions are in neither set
    everyday = [p.values[0] for p in test_search_site.EVERYDAY]
    assert not [q for q in everyday if q in set(_dev_queries())]


# --- the layer's tables --------------------------------------------------------------

@pytest.fixture(scope="module")
def layer(built_site) -> dict:
    return json.loads((built_site / search_layer.LAYER_PATH).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def tables(built_site) -> dict:
    return json.loads((built_site / search_layer.TABLES_PATH).read_text(encoding="utf-8"))


def test_tables_are_apart_from_the_layer(layer, tables):
    # what only some queries need is fetched only by them (search.js, needsTables)
    assert set(tables) == set(search_layer.TABLE_KEYS)
    assert not set(layer) & set(search_layer.TABLE_KEYS)


def test_layer_maps_traditional_characters_the_site_uses(tables):
    t2s = tables["t2s"]
    pairs = dict(zip(t2s[0::2], t2s[1::2]))
    assert pairs["規"] == "规" and pairs["務"] == "务" and pairs["紅"] == "红"
    # 骂 is on no page, but in a thesaurus word (骂人) that 罵人 must reach
    assert pairs["罵"] == "骂"
    assert all(s != t for t, s in pairs.items())


def test_layer_knows_the_index_language_and_the_vocabulary(layer, built_site):
    assert layer["lang"] == search_layer.INDEX_LANGUAGE
    entry = json.loads((built_site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert list(entry["languages"]) == [search_layer.INDEX_LANGUAGE]
    words = {w for bucket in layer["v"].values() for w in bucket.split(",")}
    assert {"种子", "用户", "红包", "星巴克"} <= words


def test_thesaurus_and_english_targets_are_cut_as_the_index_cuts_them(layer, tables):
    """search.js looks a target up as given: 群规模 is 群 规模 in the index (the
    query's own cut, from word counts, would make it 群规 模, the group-rules
    word), and a word the site uses once (人身攻击) stays whole rather than
    four lone characters."""
    tokenizer = search_layer.segmenter()
    cut = lambda run: tuple(tokenizer.cut(run, HMM=False))  # noqa: E731
    assert search_layer.index_words("群规模：多少人最好", cut) == "群|规模 多少|人|最好"
    assert search_layer.index_words("人身攻击 QQ群", cut) == "人身攻击 QQ 群"
    assert tables["en"]["size"].startswith("群|规模 "), tables["en"]["size"]
    assert "人身攻击" in layer["syn"]["骂人"], layer["syn"]["骂人"]


def test_english_keys_fold_plurals_both_ways():
    assert search_layer.english_key("Seed  Users") == search_layer.english_key("seed user") == "seed user"
    assert search_layer.english_key("class") == "class"  # -ss is not a plural


def test_pages_are_indexed_cut_into_the_vocabulary_words():
    tokenizer = search_layer.segmenter()
    out = search_layer.segmented_html(
        '<h2 id="x">星巴克的种子用户</h2><script>var a="种子用户";</script><p title="种子用户">QQ群</p>',
        lambda run: tokenizer.cut(run, HMM=False), with_bigrams=False)
    assert '<h2 id="x" data-pagefind-weight="6"> 星巴克 的 种子 用户 </h2>' in out
    assert 'var a="种子用户"' in out and 'title="种子用户"' in out  # scripts and attributes untouched
    assert "QQ 群" in out


def test_words_on_nearly_every_page_are_listed_for_search_js_to_skip(layer):
    assert search_layer.everywhere_words(["群规很重要", "群主和群规", "新人进群"], list, share=0.9) == ["群"]
    assert search_layer.everywhere_words(["群规", "群主", "新人"], list, share=0.6) == ["群"]
    # on the site: 群 is on every page; a word that tells pages apart is not listed
    assert "群" in layer["all"] and "红包" not in layer["all"] and len(layer["all"]) < 20, layer["all"]


def test_pages_are_indexed_with_their_bigrams_marked():
    tokenizer = search_layer.segmenter()
    M = search_layer.MARK
    out = search_layer.segmented_html("<p>星巴克的种子用户。</p>", lambda run: tokenizer.cut(run, HMM=False))
    words = out[3:-4].split()
    assert words[:4] == ["星巴克", "的", "种子", "用户"]
    # the pairs that are not words already; 种子 and 用户 are words
    # written apart from the words they spell (BIGRAM), so that Pagefind keeps them apart
    assert words[4:] == [M + search_layer.BIGRAM + b for b in ("星巴", "巴克", "克的", "的种", "子用")] + ["。"]


def test_no_bigram_touches_a_stopword():
    """search.js pairs only the characters left after it takes the stopwords
    out of the query, so a pair that touches one (克的, 的种) could never be
    asked for: the index leaves it out (a quarter of its bytes)."""
    tokenizer = search_layer.segmenter()
    B = search_layer.MARK + search_layer.BIGRAM
    out = search_layer.segmented_html("<p>星巴克的种子用户。</p>", lambda run: tokenizer.cut(run, HMM=False), stop={"的"})
    words = out[3:-4].split()
    assert words[:4] == ["星巴克", "的", "种子", "用户"]
    assert words[4:] == [B + b for b in ("星巴", "巴克", "子用")] + ["。"]
    # a stopword inside a longer word is part of that word: 的 of 目的 is no stopword
    assert search_layer.bigrams("目的地", ["目的", "地"], {"的"}) == ["的地"]


def test_a_word_the_query_vocabulary_leaves_out_is_indexed_as_a_pair_too():
    """The query's cut knows only the words the site uses twice or more
    (MIN_WORD_COUNT); a word used once (举办) comes out of it as two lone
    characters, whose pair is looked up as a bigram. So the pair is indexed
    as a bigram too, where the page holds it as a word."""
    assert search_layer.bigrams("举办活动", ["举办", "活动"], known={"活动"}) == ["举办", "办活"]
    assert search_layer.bigrams("举办活动", ["举办", "活动"], known={"举办", "活动"}) == ["办活"]
    assert search_layer.bigrams("举办活动", ["举办", "活动"]) == ["办活"]  # no vocabulary given: every word counts as known


def test_every_two_character_word_a_query_cannot_cut_is_indexed_as_a_bigram(built_site, layer):
    """On the built site: each two-character word of the index that the
    layer's vocabulary does not hold (so a query cuts it into characters and
    asks for the pair) is in the index as a bigram as well."""
    import gzip

    chunks = b"".join(gzip.decompress(p.read_bytes()) for p in (built_site / "pagefind" / "index").glob("*.pf_index"))
    # A word of Pagefind's index is a CBOR text string: 0x66 heads one of six bytes (two Chinese characters).
    words = {m.decode() for m in re.findall(rb"\x66((?:[\xe4-\xe9][\x80-\xbf]{2}){2})", chunks)}
    vocab = {w for ws in layer["v"].values() for w in ws.split(",")}
    unknown = sorted(w for w in words - vocab - set(layer["stop"]) if re.fullmatch(r"[\u4e00-\u9fff]{2}", w))
    assert len(unknown) > 100, "the site has words it uses once"
    # 0x69 heads a string of nine bytes: the bigram mark (three bytes) and the pair
    missing = [w for w in unknown if b"\x69" + (search_layer.BIGRAM + w).encode() not in chunks]
    assert not missing, missing[:20]


def test_table_cells_and_rows_are_separated_in_the_stored_text():
    """An excerpt from a table reads cell by cell, row by row: Pagefind joins
    cells with a space, which disappears between Chinese words."""
    tokenizer = search_layer.segmenter()
    html = ("<table><thead><tr><th>档位</th><th>价格</th></tr></thead><tbody>"
            "<tr><td>大课</td><td>199 元</td></tr><tr><td>小课，</td><td>卖得怎样？</td></tr></tbody></table>"
            "<ul><li>定位<ul><li>动机</li></ul></li><li>种子</li></ul>"
            '<p>原因。<a href="#" data-search-exclude>详见别页</a></p><h2>小标题</h2><ul><li>后文</li></ul>')
    out = search_layer.segmented_html(html, lambda run: tokenizer.cut(run, HMM=False), with_bigrams=False)
    kept = re.sub(r"<a [^>]*data-search-exclude>.*?</a>", "", out)  # as Pagefind leaves it out
    text = "".join(re.sub(r"<[^>]*>", " ", kept).split())
    # a cell or paragraph that already ends in punctuation (or whose last words
    # are left out of the index) gets nothing more; a heading gets nothing
    assert text == "档位，价格。大课，199元。小课，卖得怎样？定位：动机；种子；原因。小标题后文；", text


def test_english_terms_are_indexed_on_their_page_but_not_shown():
    """A page's en: terms go into its alias block, hidden (the reader sees only
    the Chinese aliases), so that Pagefind indexes them as index-only words."""
    from kb import content

    both = content.render_aliases({"aliases": ["拉群"], "en": ["seed users", "Q&A"]})
    assert both == ('<p class="kb-aliases" data-pagefind-weight="7">也可以搜：拉群'
                    '<span hidden lang="en" data-pagefind-weight="4">seed users, Q&amp;A</span></p>')
    only = content.render_aliases({"en": ["seed users"]})
    assert only.startswith('<p class="kb-aliases" data-pagefind-weight="7" hidden>') and "也可以搜" not in only
    assert content.render_aliases({}) == ""
    tokenizer = search_layer.segmenter()
    out = search_layer.segmented_html(both, lambda run: tokenizer.cut(run, HMM=False))
    words = re.sub(r"<[^>]*>", " ", out).split()
    assert search_layer.MARK + "seed" in words and search_layer.MARK + "users," in words, words


def test_alias_and_situation_blocks_are_indexed_but_marked_for_trimming():
    tokenizer = search_layer.segmenter()
    M = search_layer.MARK
    html = ('<p>正文。</p><p class="kb-aliases" data-pagefind-weight="7">也可以搜：拉群</p>'
            '<aside class="kb-situations" data-kb-situations><ul><li>群里冷清</li></ul></aside><p>后文。</p>')
    out = search_layer.segmented_html(html, lambda run: tokenizer.cut(run, HMM=False))
    assert "<p> 正文 。</p>" in out
    after = re.sub(r"<[^>]*>", " ", out.split("</aside>")[1]).split()
    assert [w for w in after if not w.startswith(M)] == ["后", "文", "。"]  # the text after the block is not marked
    block = out[out.index("<p class=\"kb-aliases\""):out.index("</aside>")]
    texts = [w for part in re.split(r"<[^>]*>", block) for w in part.split() if not w.startswith(("class=", "data-"))]
    assert texts and all(w.startswith(M) for w in texts), texts
    # with their bigrams, as body text has them: 拉群 is cut 拉 群, and a query
    # for 拉群 looks it up as the pair (search.js); the aliases weigh the most
    assert M + search_layer.BIGRAM + "拉群" in texts and M + search_layer.BIGRAM + "里冷" in texts, texts


def test_trimmed_fragments_keep_sections_in_place(tmp_path):
    import gzip

    M = search_layer.MARK
    content = f"甲 乙 {M}甲乙 丙. 标题 {M}标题 丁 {M}丁戊 戊"
    fragment = {"url": "/x/", "content": content, "word_count": 9, "meta": {"title": f"题 {M}题目"},
                "anchors": [{"element": "h2", "id": "t", "text": f"标题 {M}标题", "location": 4}]}
    (tmp_path / "fragment").mkdir()
    path = tmp_path / "fragment" / "en_1.pf_fragment"
    path.write_bytes(gzip.compress(b"pagefind_dcd" + json.dumps(fragment, ensure_ascii=False).encode()))
    search_layer.trim_fragments(tmp_path)
    data = gzip.decompress(path.read_bytes())
    assert data.startswith(b"pagefind_dcd")
    out = json.loads(data[12:])
    assert out["content"] == "甲 乙 丙. 标题 丁 戊" and out["word_count"] == 6
    assert out["meta"]["title"] == "题"
    anchor = out["anchors"][0]
    assert anchor["text"] == "标题" and out["content"].split()[anchor["location"]] == "标题"


def test_the_index_holds_each_marked_token_once_without_its_mark(built_site):
    """Pagefind indexes a word that holds punctuation as a compound: the word
    without it, and its parts cut at ASCII punctuation. A marked token must
    come out as one word, the bigram or alias word a query asks for, and not
    also as a second word with the mark still on it (under a non-ASCII mark
    that second copy was 30 % of the index, and no query could reach it)."""
    import gzip

    chunks = {p.name: gzip.decompress(p.read_bytes()) for p in (built_site / "pagefind" / "index").glob("*.pf_index")}
    assert chunks
    bigram = search_layer.BIGRAM.encode()
    assert any(bigram in data for data in chunks.values())  # the bigrams are indexed
    marked = re.compile(re.escape(search_layer.MARK.encode()) + rb"(?:" + re.escape(bigram) + rb"|[\xe4-\xe9][\x80-\xbf]{2})")
    assert not [name for name, data in chunks.items() if marked.search(data)]
    # no page's own text starts a word with the mark (the stored text would lose it)
    for page, rel in search_layer.site_pages(built_site):
        text = re.sub(r"<(script|style)\b.*?</\1>|<[^>]*>", " ", page.read_text(encoding="utf-8"), flags=re.S)
        assert not re.search(r"(?:^|\s)" + re.escape(search_layer.MARK) + r"\S", text), rel


def test_built_fragments_hold_no_marked_tokens_and_sections_start_at_their_heading(built_site):
    fragments = search_layer.read_fragments(built_site)
    assert fragments
    for fid, fragment in fragments.items():
        assert search_layer.MARK not in fragment["content"], fragment["url"]
        words = fragment["content"].split()
        for anchor in fragment.get("anchors") or []:
            if anchor["element"] in ("h2", "h3") and anchor["text"]:
                first = anchor["text"].split()[0]
                assert words[anchor["location"]].startswith(first), (fragment["url"], anchor)


def test_every_checklist_item_is_in_the_index_and_blocks_do_not_run_together(built_site):
    """A checklist item's own words (its <label>, which Pagefind would drop)
    are searchable; the stored text separates table cells, list items and
    lead lines, and never doubles a separator (BLOCK_END)."""
    from test_checklists import checklist_pages

    stored = {f["url"]: "".join(f["content"].split()) for f in search_layer.read_fragments(built_site).values()}
    items = 0
    for slug, page in checklist_pages():
        for item in page.meta["checklist"]["items"]:
            assert "".join(item["text"].split()) in stored[f"/checklists/{slug}/"], (slug, item["text"])
            items += 1
    assert items > 50
    for url, text in stored.items():
        assert not re.search(r"[；：，。][；：，。]", text), (url, re.search(r".{0,20}[；：，。][；：，。].{0,10}", text).group())
    assert "例如：档位，讲数，价格，效果。大课，30–50讲，199元，卖得不好。" in stored["/tactics/monetization/"]


def test_page_kinds_by_path():
    kind = search_layer.page_kind
    assert kind("/tactics/seed-users/") == "explain" and kind("/cases/xiaomi/") == "explain"
    assert kind("/platforms/wechat-vs-qq/") == "explain" and kind("/checklists/launch/") == "explain"
    assert kind("/navigator/problem-quiet/") == "step" and kind("/navigator/") == "index"
    assert kind("/glossary/") == "reference" and kind("/kit/templates/") == "reference"
    assert kind("/") == "index" and kind("/tactics/") == "index" and kind("/kit/") == "index"


def test_layer_names_page_kinds_and_situations(layer, tables, built_site):
    fragments = search_layer.read_fragments(built_site)
    by_url = {f["url"]: fid for fid, f in fragments.items()}
    assert layer["kinds"][by_url["/glossary/"]][0] == "reference"
    assert layer["kinds"][by_url["/navigator/problem-quiet/"]][0] == "step"
    assert by_url["/tactics/seed-users/"] not in layer["kinds"]
    # every page with a situations block has them in the layer, by its id
    assert tables["sit"][by_url["/tactics/daily-maintenance/"]]
    # a reference page is named by its title and its aliases
    assert layer["kinds"][by_url["/glossary/"]][1].split("|")[0] == "术语表"
    assert set(layer["kf"]) == set(search_layer.KIND_FACTORS)
    # every page is named by its title and its aliases (NAME_BOOST in search.js)
    assert by_url["/glossary/"] in layer["names"]["名词解释"].split(",")
    assert by_url["/tactics/seed-users/"] in layer["names"]["种子用户"].split(",")


def test_a_page_is_named_by_its_title_and_its_aliases_as_the_query_is_read():
    key = search_layer.name_key
    # search.js's nameKey compares the normalised query the same way
    assert key("群规 模板？") == key("群规模板") == "群规模板"
    assert key("ＶＩＰ 群") == "vip群" and key("群活不活跃") == "群活跃"
    assert key("<b>群规</b> & 模板") == "b群规b模板"  # letters and digits only: never markup
    fragments = {"a": {"url": "/glossary/", "meta": {"title": "术语表"}},
                 "b": {"url": "/navigator/problem-quiet/", "meta": {"title": "群里没人说话"}},
                 "c": {"url": "/tactics/daily-maintenance/", "meta": {"title": "日常维护"}},
                 "d": {"url": "/checklists/maintenance/", "meta": {"title": "日常维护清单"}}}
    names = search_layer.page_names(fragments, {"glossary/": ["名词解释"], "tactics/daily-maintenance/": ["僵尸群"],
                                                "checklists/maintenance/": ["僵尸群", "日常维护"]})
    assert names["术语表"] == "a" and names["名词解释"] == "a"
    assert names["僵尸群"] == "c,d" and names["日常维护"] == "c,d"
    assert "群里没人说话" not in names  # a step's title is a sentence, not a name


def test_ablation_switches_are_checked():
    assert search_layer.ablated({"KB_SEARCH_ABLATE": "bigrams, kinds"}) == {"bigrams", "kinds"}
    assert search_layer.ablated({}) == set()
    with pytest.raises(DataError):
        search_layer.ablated({"KB_SEARCH_ABLATE": "bigram"})


def test_site_names_are_whole_words_unless_made_of_words():
    tokenizer = search_layer.segmenter(["罗辑思维", "种子用户"])
    assert list(tokenizer.cut("罗辑思维的会员", HMM=False))[0] == "罗辑思维"
    assert list(tokenizer.cut("种子用户", HMM=False)) == ["种子", "用户"]
