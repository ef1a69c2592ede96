"""Text hygiene: simplified Chinese only, no radical look-alikes; built pages
have no empty headings and no duplicate ids.

Kangxi radicals (U+2F00–U+2FDF) and CJK radicals (U+2E80–U+2EFF) look like
ordinary characters (⽤ for 用, ⼈ for 人) but are different code points:
search does not find the word, screen readers read a radical's name. They come
in with text copied from PDFs. Traditional characters come in with text copied
from Taiwanese or Hong Kong sources; the site is written in simplified Chinese.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from siteutil import ROOT, html_pages

#: Common characters that exist only in traditional Chinese; each has a
#: different simplified form (們→们, 說→说 …). None of them is a simplified
#: character: test_traditional_list_is_sound checks that none is in GB 2312
#: (the simplified character set) and that all are in Big5 (traditional).
TRADITIONAL_ONLY = (
    "們說這個來時會對為與關開學網點體發經營銷組過還從麼裡樣見門問間頭現實動機國東長車"
    "書將進業專場應無當愛讓話請認識記該調論變幾辦報員圖張條務產區寫歡費買賣價錢帶幫歲"
    "總聯絡電視聽讀覺邊運選遠達錯鐘題顯類傳僅雙號萬嗎啟團圍處備複質資貼賬隊階際隨險陽"
    "雖雞離難韓頁須領頻顆風飛館馬驗鬥鳥麗齊龍優億儀兒內寶寬導層屬島帥師幣廣廳彈徑復態"
    "憶戰擇據擊擁擔撥擴數斷歷歸殺氣漢濟燈爭牆獎環畫療盤眾礎禮穩窮節範築簡籤紅約級納紙"
    "細終結給統絲綠維綜線練緊縣績纖罰義習聖職聲肅腦臉興舉舊藝藥蘭蟲補製規覽觀訂計討訊"
    "許設訪評詞試詩誠誰課談諾講謝證議護讚貨購貴賽趕跡踐軟輕載較輸轉辭農連週適遞遷郵鄉"
    "醫釋針銀鋼錄鏡閉閱陳陸隱雜雲靜響項順預頓飯飲餘驚髮魚鮮麥黃齡剛劃劇勞勢勵華協單衛"
    "廠參叢吳啞喪嚴園圓執堅塊塵墊壓壞壯壽夢夾奪奮妝婦媽嬰孫寧審寵尋屆屍岡嶺幹庫廢彎憂"
    "懷懶戲戶擠擺攜敗敵斂晉曉曆棄極構標樂樓橋權檢歐殘毀決沒淚涼準溝滅滿漁漲潔潛澤濕災"
    "烏熱爐爺牽犧狀獨獵獻瑪璽畝畢異疊瘋盜監盡睜矯確碼礦禍禪種稱穀積窩竊競筆籃籠糧紀紛"
    "純紗絕絞綁緒編緣縮繩繪繳繼續纏罷羅翹聞聰脅脈腎膚膠膽臨艦艱蓋蔣薦薩藍蘆虛術衝裝襲"
    "親觸訓託訟訴詐詢詳誇誌誕語誤諸謀謂謊譜譯貝負貢財責貧販貪貫貸貿賀賄賊賓賜賞賠賢賤"
    "賦賭賺贈贊趙趨踴躍軌軍軒輛輝輩輪辯遲遺邁醜釀釘釣鈔鈕鈴鉛銅銘鋒鋪錦錨鍊鍋鍵鎖鎮鐵"
    "鑑閃閒閣閩闆闊闖陣陰隸雛霧靈韌韻頂頑頒頗頸額顏願顛顧颱飄飢飼飽飾饑馭馮馳駐駕駛駝"
    "騎騙騰驅驕髒鬆鬧鬱魯鳳鳴鴨鴻鵝鶴鷹鹹鹽麵黨齒龜"
)
TRADITIONAL_SET = frozenset(TRADITIONAL_ONLY)
RADICAL_RANGES = ((0x2E80, 0x2EFF), (0x2F00, 0x2FDF))


def source_files() -> list[Path]:
    """Everything editors write that reaches readers."""
    files = list((ROOT / "docs").rglob("*.md")) + list((ROOT / "docs").rglob("*.js"))
    files += list((ROOT / "data").rglob("*.yml")) + list((ROOT / "overrides").rglob("*.html"))
    files.append(ROOT / "mkdocs.yml")
    return sorted(files)


def test_traditional_list_is_sound():
    assert len(TRADITIONAL_ONLY) >= 150
    assert len(TRADITIONAL_SET) == len(TRADITIONAL_ONLY), [c for c, n in Counter(TRADITIONAL_ONLY).items() if n > 1]
    simplified = []
    not_traditional = []
    for char in TRADITIONAL_ONLY:
        try:
            char.encode("gb2312")
            simplified.append(char)
        except UnicodeEncodeError:
            pass
        try:
            char.encode("big5")
        except UnicodeEncodeError:
            not_traditional.append(char)
    assert simplified == [], f"also simplified characters (in GB 2312): {''.join(simplified)}"
    assert not_traditional == [], f"not in Big5: {''.join(not_traditional)}"


def is_radical(char: str) -> bool:
    return any(low <= ord(char) <= high for low, high in RADICAL_RANGES)


def scan(predicate) -> list[str]:
    found = []
    for path in source_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for column, char in enumerate(line, start=1):
                if predicate(char):
                    found.append((path.relative_to(ROOT).as_posix(), number, column, char, line.strip()))
    return found


def test_no_radical_lookalikes():
    found = scan(is_radical)
    lines = [
        f"{rel}:{n}:{col}: U+{ord(c):04X} {unicodedata.name(c, '?')} looks like «{unicodedata.normalize('NFKC', c)}»: {text[:60]}"
        for rel, n, col, c, text in found
    ]
    if found:
        pytest.fail(f"{len(found)} radical look-alike(s); replace each with the ordinary character shown:\n" + "\n".join(lines), pytrace=False)


def test_no_traditional_characters():
    found = scan(TRADITIONAL_SET.__contains__)
    lines = [f"{rel}:{n}:{col}: «{c}» in: {text[:60]}" for rel, n, col, c, text in found]
    if found:
        pytest.fail(f"{len(found)} traditional character(s); write them in simplified Chinese:\n" + "\n".join(lines), pytrace=False)


class _Structure(HTMLParser):
    """Headings with their visible text (without the ¶/# permalink) and all ids."""

    HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[tuple[str, int]] = []
        self.headings: list[tuple[str, str, int, str | None]] = []  # tag, text, line, id
        self._open: list[list] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id") is not None:
            self.ids.append((a["id"], self.getpos()[0]))
        if tag in self.HEADINGS:
            self._open.append([tag, "", self.getpos()[0], a.get("id")])
        elif self._open and tag == "a" and "headerlink" in (a.get("class") or "").split():
            self._skip += 1
        elif self._open and tag == "img" and a.get("alt"):
            self._open[-1][1] += a["alt"]

    def handle_endtag(self, tag):
        if tag == "a" and self._skip:
            self._skip -= 1
        elif tag in self.HEADINGS and self._open:
            self.headings.append(tuple(self._open.pop()))

    def handle_data(self, data):
        if self._open and not self._skip:
            self._open[-1][1] += data


def structure(path: Path) -> _Structure:
    parser = _Structure()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_no_empty_headings(built_site):
    empty = []
    pages = html_pages(built_site)
    for page in pages:
        for tag, text, line, hid in structure(page).headings:
            if not text.strip():
                empty.append(f"{page.relative_to(built_site).as_posix()}:{line}: <{tag} id={hid!r}> has no text")
    assert len(pages) > 50
    if empty:
        pytest.fail(f"{len(empty)} empty heading(s):\n" + "\n".join(empty), pytrace=False)


def test_no_duplicate_ids(built_site):
    duplicates = []
    for page in html_pages(built_site):
        ids = structure(page).ids
        counts = Counter(i for i, _line in ids)
        for value, n in counts.items():
            if n > 1:
                lines = [str(line) for i, line in ids if i == value]
                duplicates.append(f"{page.relative_to(built_site).as_posix()}: id {value!r} ×{n} (lines {', '.join(lines)})")
    if duplicates:
        pytest.fail(f"{len(duplicates)} duplicate id(s):\n" + "\n".join(duplicates), pytrace=False)


# ---------------------------------------------------------------------------
# One spelling per proper noun and term (data/terms.yml)

#: Search vocabulary: it lists other spellings on purpose, so readers who type
#: them still find the page. Not prose; not held to data/terms.yml.
SEARCH_VOCABULARY = {"data/synonyms.yml", "data/query_words.yml", "data/terms.yml"}
ALIAS_KEYS = ("aliases:", "en:")


def spelling_files() -> list[Path]:
    files = list((ROOT / "docs").rglob("*.md")) + list((ROOT / "data").rglob("*.yml")) + [ROOT / "mkdocs.yml"]
    return sorted(p for p in files if p.relative_to(ROOT).as_posix() not in SEARCH_VOCABULARY)


def rejected_spellings(files: list[Path], spellings) -> list[str]:
    from kb.terms import find_variants

    found = []
    for path in files:
        rel = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip().startswith(ALIAS_KEYS):  # search aliases may hold variants
                continue
            for variant, term, column in find_variants(line, spellings):
                found.append(f"{rel}:{number}:{column}: «{variant}» → write «{term}»: {line.strip()[:60]}")
    return found


def test_one_spelling_per_term():
    from kb.terms import load_terms

    spellings = load_terms(ROOT / "data")
    assert len(spellings) >= 5
    found = rejected_spellings(spelling_files(), spellings)
    if found:
        pytest.fail(f"{len(found)} spelling(s) that data/terms.yml rejects:\n" + "\n".join(found), pytrace=False)


def test_a_rejected_spelling_is_caught(tmp_path):
    from kb.terms import load_terms

    page = tmp_path / "page.md"
    page.write_text("---\naliases: [秋叶 PPT]\n---\n秋叶PPT 很好。\n秋叶 PPT 的比赛。\n", encoding="utf-8")
    found = rejected_spellings([page], load_terms(ROOT / "data"))
    assert len(found) == 1 and ":5:1: «秋叶 PPT» → write «秋叶PPT»" in found[0], found


# ---------------------------------------------------------------------------
# One link label per target: a reader who sees 「清理清单」 on one page and
# 「清理与复盘清单」 on another cannot tell they are the same page.

MD_LINK = re.compile(r"(?<!!)\[([^\]\n]+)\]\(([^)\s]+?\.md)(#[^)\s]*)?\)")


def link_labels(docs: Path) -> dict[str, dict[str, list[str]]]:
    """target ('tactics/fission.md' or 'tactics/fission.md#b-end') -> label -> where it is used."""
    out: dict[str, dict[str, list[str]]] = {}
    for path in sorted(docs.rglob("*.md")):
        rel = path.relative_to(docs).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for match in MD_LINK.finditer(line):
                target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), match.group(2))) + (match.group(3) or "")
                out.setdefault(target, {}).setdefault(match.group(1), []).append(f"docs/{rel}:{number}")
    return out


def test_one_link_label_per_target():
    labels = link_labels(ROOT / "docs")
    assert len(labels) > 50
    mixed = []
    for target, by_label in sorted(labels.items()):
        if len(by_label) > 1:
            usage = "; ".join(f"「{label}」 ×{len(places)} ({places[0]})" for label, places in sorted(by_label.items(), key=lambda kv: -len(kv[1])))
            mixed.append(f"{target}: {usage}")
    if mixed:
        pytest.fail(f"{len(mixed)} link target(s) with more than one label; use the same words for each link to a page:\n" + "\n".join(mixed), pytrace=False)


def test_mixed_link_labels_are_caught(tmp_path):
    (tmp_path / "a.md").write_text("见[清理清单](checklists/cleanup.md)。\n", encoding="utf-8")
    (tmp_path / "checklists").mkdir()
    (tmp_path / "checklists" / "b.md").write_text("见[清理与复盘清单](cleanup.md)和[其他](cleanup.md#x)。\n", encoding="utf-8")
    labels = link_labels(tmp_path)
    assert set(labels["checklists/cleanup.md"]) == {"清理清单", "清理与复盘清单"}
    assert set(labels["checklists/cleanup.md#x"]) == {"其他"}
