"""What a reader reads on a built page, for content checks.

``reader_text`` is the article text (``md-content__inner``) without scripts and
without the footnotes block: footnotes are where a page names its sources in
full (title, kind and file code), so a code there is a citation, not prose.

``bare_source_codes`` finds a source file code (000–004) standing in reader
text; ``narration_leads`` finds sentences whose grammatical subject is a source
(「导图把…」「004 认为…」「作者拿…」「《如何实现社群营销》给出…」), the voice the
tactic pages should not lead with.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

VOID = {"br", "img", "hr", "input", "meta", "link", "wbr", "source", "col", "area"}

#: A source code standing on its own: not part of a longer number (2000, 1000)
#: or of a time (10:00).
BARE_CODE = re.compile(r"(?<![0-9:.\-])00[0-4](?![0-9:])")

#: Who narrates: one source, named by code, by its short or full title, or as
#: 导图/作者/文章/课件. 「资料」 alone (the sources together) is left out: a page
#: says 「资料没有说」 or 「资料写明…」 exactly where the sources are silent or
#: where the point is what they do and do not settle.
SUBJECT = r"(?:思维导图|导图|(?<![0-9])00[0-4](?![0-9])|作者|这篇文章|文章|原文|课件|《[^》]{1,20}》)"
#: An adverb that may stand between the subject and its verb.
ADVERB = r"(?:\s?(?:里|中|也|还|又|则|就|只|同样|明确|专门|最后|进一步|直接|干脆|特意|正|却|并|都|按[^，。；：\n]{1,6}?|最后一个分支|里有一个分支|对[^，。；：\n]{1,12}?|在[^，。；：\n]{1,16}?(?:里|中|下|时)))?"
#: The narrating verb.
VERB = r"(?:说|认为|指出|提到|给出|给了|给|把|列|讲|写(?!作)|建议|分析|描述|观察|估计|发现|解释|强调|举|称|介绍|总结|概括|归纳|主张|提醒|拿|用了|谈|问|要求|示范|定为|认定|推荐|打了?比方|分了|区分|叫|有[一二三四五六七八九十两几]条|：)"
NARRATION = re.compile(SUBJECT + ADVERB + r"\s?" + VERB)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.skip_at: list[int] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if not self.depth:
            if tag == "article" and "md-content__inner" in classes:
                self.depth = 1
            return
        if tag in VOID:
            return
        self.depth += 1
        if tag in ("script", "style") or (tag == "div" and "footnote" in classes):
            self.skip_at.append(self.depth)

    def handle_endtag(self, tag):
        if not self.depth or tag in VOID:
            return
        if self.skip_at and self.skip_at[-1] == self.depth:
            self.skip_at.pop()
        self.depth -= 1

    def handle_data(self, data):
        if self.depth and not self.skip_at:
            self.parts.append(data)


def reader_text(path: Path) -> str:
    parser = _Reader()
    parser.feed(path.read_text(encoding="utf-8"))
    return "\n".join(parser.parts)


def bare_source_codes(text: str) -> list[str]:
    """Each bare code with a little context, for an error message."""
    return [text[max(0, m.start() - 12) : m.end() + 12].replace("\n", " ") for m in BARE_CODE.finditer(text)]


def narration_leads(text: str) -> list[str]:
    return [text[max(0, m.start() - 6) : m.end() + 10].replace("\n", " ") for m in NARRATION.finditer(text)]
