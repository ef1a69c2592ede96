"""Glossary tooltips in Chinese running text."""

from __future__ import annotations

import markdown

from kb.glossary_abbr import GlossaryExtension, glossary_terms


def render(text: str, terms: dict[str, str]) -> str:
    return markdown.markdown(text, extensions=[GlossaryExtension(terms), "toc", "attr_list"])


TERMS = {"种子用户": "最早认真参与的成员", "KOL": "关键意见领袖", "裂变": "用户带来用户"}


def test_chinese_term_inside_a_chinese_sentence_gets_a_tooltip():
    html = render("先培养种子用户再做裂变。", TERMS)
    assert '<abbr class="kb-term" data-kb-tip="最早认真参与的成员" tabindex="0">种子用户</abbr>' in html
    assert '<abbr class="kb-term" data-kb-tip="用户带来用户" tabindex="0">裂变</abbr>' in html


def test_latin_term_needs_a_boundary():
    html = render("请 KOL 发言，不是 KOLA 饮料。", TERMS)
    assert html.count("<abbr") == 1 and ">KOL</abbr> 发言" in html


def test_only_the_first_occurrence_and_never_in_headings_or_links():
    html = render("## 种子用户 {#seed}\n\n[种子用户](x.md) 和种子用户，还有种子用户。", TERMS)
    assert html == (
        '<h2 id="seed">种子用户</h2>\n'
        '<p><a href="x.md">种子用户</a> 和<abbr class="kb-term" data-kb-tip="最早认真参与的成员" tabindex="0">种子用户</abbr>，还有种子用户。</p>'
    )


def test_definitions_are_escaped_and_never_in_a_title():
    """Material's content.tooltips renders ``title`` as HTML: the definition
    lives in data-kb-tip, which glossary-tip.js shows as text."""
    html = render("种子用户", {"种子用户": '"><script>x</script>'})
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "title=" not in html


def test_aliases_share_the_definition():
    terms = glossary_terms([{"term": "KOL", "aliases": ["意见领袖"], "definition": "关键意见领袖"}])
    assert terms == {"KOL": "关键意见领袖", "意见领袖": "关键意见领袖"}
