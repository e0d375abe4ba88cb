"""Unit tests for the line classifier: phrases, menus, titles, templates, languages."""
from __future__ import annotations

from pathlib import Path

import pytest

from flows.stages.clean.lines import (
    classify_lines, detect_title, learn_templates, line_fingerprint, load_line_rules,
    match_phrase, title_variant,
)

REFERENCE = Path(__file__).resolve().parents[2] / "warehouse" / "reference"

EN_BODY = [
    "The city council voted on Tuesday to approve the new budget, which includes funding "
    "for schools and roads across the region.",
    "Officials said the plan would be reviewed again in the spring, after the first "
    "quarter figures are published by the finance office.",
    "Residents who spoke at the meeting were divided, with some praising the investment "
    "and others worried about the rising cost of living.",
    "The mayor told reporters that she was confident the budget would pass a final vote "
    "later this month without any major changes.",
]


@pytest.fixture(scope="module")
def rules():
    return load_line_rules(REFERENCE)


def _by_text(decisions):
    return {d.text: d for d in decisions}


def test_one_decision_per_nonblank_line_numbered_over_input(rules):
    lines = ["Home | World | Business | Sport", "", *EN_BODY, "   ", "Advertisement"]
    out = classify_lines(lines, rules)
    assert [d.line_no for d in out] == [1, 3, 4, 5, 6, 8]
    assert all(d.reason == "kept" for d in out if d.keep)
    assert all(d.rule for d in out)


def test_menu_and_phrases_removed_with_named_rule(rules):
    lines = ["Home | World | Business | Sport", *EN_BODY[:2], "- Advertisement -",
             *EN_BODY[2:], "Read also: Ten things to know", "%d bloggers like this:"]
    d = _by_text(classify_lines(lines, rules))
    assert d["Home | World | Business | Sport"].reason == "menu_line"
    assert d["- Advertisement -"].reason == "ad_label"
    assert d["- Advertisement -"].rule == "phrase:advertisement"
    assert d["Read also: Ten things to know"].reason == "related_links"
    assert d["%d bloggers like this:"].keep is False
    assert all(d[t].keep for t in EN_BODY)


@pytest.mark.parametrize("line,reason", [
    ("Читайте также: новости дня", "related_links"),
    ("Lire aussi", "related_links"),
    ("Mehr zum Thema", "related_links"),
    ("Suscríbete a nuestro boletín", "newsletter_box"),
    ("Share this", "share_buttons"),
    ("To Top", "navigation"),
])
def test_multilingual_lexicon(rules, line, reason):
    assert match_phrase(line, rules).reason == reason


def test_prefix_phrase_never_removes_a_paragraph(rules):
    long = "Related to the inquiry, the committee said it would call " + "more witnesses " * 6
    assert match_phrase(long, rules) is None


@pytest.mark.parametrize("body", [
    ["Der Stadtrat hat am Dienstag den neuen Haushalt beschlossen, der mehr Geld für die "
     "Schulen und die Straßen in der Region vorsieht.",
     "Die Bürgermeisterin sagte, sie sei zuversichtlich, dass der Plan auch im Frühjahr "
     "noch eine Mehrheit finden werde, wenn die Zahlen vorliegen.",
     "Viele Bürger, die bei der Sitzung waren, lobten die Investitionen, aber einige "
     "sorgten sich um die steigenden Kosten für das tägliche Leben."],
    ["Городской совет во вторник утвердил новый бюджет, который предусматривает "
     "дополнительные средства для школ и дорог в регионе.",
     "Мэр заявила журналистам, что она уверена в том, что бюджет будет окончательно "
     "принят в конце этого месяца без серьезных изменений.",
     "Жители, которые выступили на заседании, разделились во мнениях: одни хвалили "
     "вложения, а другие были обеспокоены ростом цен."],
    ["A câmara municipal aprovou na terça-feira o novo orçamento, que inclui mais "
     "dinheiro para as escolas e para as estradas da região.",
     "A prefeita disse aos jornalistas que estava confiante de que o orçamento seria "
     "aprovado no fim do mês sem grandes mudanças.",
     "Os moradores que falaram na reunião ficaram divididos, e alguns elogiaram o "
     "investimento enquanto outros se preocupam com o custo de vida."],
])
def test_body_kept_and_chrome_removed_in_other_languages(rules, body):
    lines = ["Главная | Новости | Спорт | Kontakt", "Facebook", *body, "Impressum"]
    d = _by_text(classify_lines(lines, rules))
    assert all(d[t].keep for t in body), [d[t] for t in body]
    assert not d["Главная | Новости | Спорт | Kontakt"].keep
    assert not d["Facebook"].keep


def test_title_detected_and_repeats_removed(rules):
    title = "Council approves budget after long debate"
    lines = ["Connect with us", title, "Politics, Council, Budget, City, Mayor", title,
             *EN_BODY]
    assert detect_title(lines, rules) == title
    out = classify_lines(lines, rules, title=title)
    assert [d.line_no for d in out if d.reason == "title_line"] == [2, 4]


def test_title_variants():
    t = "Republicans Are Following Trump to Nowhere"
    assert title_variant(t + " - The New York Times", t) == "site_suffix"
    assert title_variant("Opinion | " + t, t) == "section_prefix"
    assert title_variant("Opinion|" + t, t) == "section_prefix"
    assert title_variant(t + " and more on this story in detail today", t) is None


def test_templates_remove_prose_like_site_chrome(rules):
    chrome = "The website can also be accessed at the following alternate addresses today."
    docs = [[chrome, f"Story number {i} body text."] for i in range(4)]
    learned = learn_templates(docs, min_docs=3)
    fp = line_fingerprint(chrome)
    assert learned == {fp: 4} or learned[fp] == 4
    out = _by_text(classify_lines([*EN_BODY, chrome], rules, templates=frozenset(learned)))
    assert out[chrome].reason == "template_line"
    assert out[chrome].rule == f"template:{fp}"


def test_fingerprint_normalises_case_space_digits():
    assert line_fingerprint("Page 2 of 5") == line_fingerprint("  page 3  OF 7 ")
    assert line_fingerprint("Page 2 of 5") != line_fingerprint("Page two of five")


def test_empty_and_blank_input(rules):
    assert classify_lines([], rules) == []
    assert classify_lines(["", "  "], rules) == []


def test_vectorised_model_matches_reference_path(rules):
    from flows.stages.clean._line_model import context_features, lexicon_features
    from flows.stages.clean.lines import page_feature_rows

    lines = ["Home | World | Business | Sport", "Breaking News", *EN_BODY, "Advertisement",
             "Share on Facebook", "© 2024 Example Media. All rights reserved."]
    items, feats = page_feature_rows(lines, rules)
    texts = [t for _, t in items]
    m = rules.model
    rows = [list(x) + lx for x, lx in zip(feats, lexicon_features(texts, m.lexicon))]
    p1 = [m.stage1.prob(x) for x in rows]
    ref = [m.stage2.prob(x + [q] + c) for x, q, c in zip(rows, p1, context_features(p1))]
    assert m.predict(feats, texts) == pytest.approx(ref, abs=1e-12)
    assert m.predict([]) == []
    with pytest.raises(ValueError):
        m.predict(feats)  # a model with a lexicon needs the texts


def test_lexicon_counts_pages_not_occurrences():
    from flows.stages.clean._line_model import learn_lexicon, lexicon_features

    pages = [(["Subscribe to our newsletter", "The council said it would vote."] * 3,
              [False, True] * 3)] * 4 + [(["The mayor said no."], [True])] * 4
    lex = learn_lexicon(pages, min_pages=4)
    assert lex["subscribe"] > 0 > lex["said"]
    assert "mayor" in lex and lex["mayor"] < 0
    assert lexicon_features(["Subscribe now", "Zzz"], lex)[1] == [0.0, 0.0, 0.0, 0.0]


# The English stop words the headline-context tests read their lines with.
_HEADLINE_STOPS = frozenset({"the", "to", "be", "as", "by", "of", "and", "for", "on", "which",
                             "in", "would", "after", "are"})


def _headline_stats(texts):
    from flows.stages.clean._line_features import line_stats

    return [line_stats(t, _HEADLINE_STOPS) for t in texts]


def test_headline_context_keeps_the_opening_paragraph_and_drops_a_teaser_above(rules):
    from flows.records import LineDecision
    from flows.stages.clean.lines import _headline_context

    texts = ["A teaser sentence that runs long enough to be read as prose by the model here.",
             "Headline of the story", EN_BODY[0], EN_BODY[1]]
    stats = _headline_stats(texts)
    out = [LineDecision(1, texts[0], True, "kept", "model"),
           LineDecision(2, texts[1], False, "title_line", "title:exact"),
           LineDecision(3, texts[2], False, "low_prose_score", "model"),
           LineDecision(4, texts[3], True, "kept", "model")]
    got = _headline_context(out, [False, False, True, False], stats)
    assert [d.keep for d in got] == [False, False, True, True]
    assert got[0].rule == "context:before_headline"
    assert got[2].rule == "context:after_headline"


def test_headline_context_drops_the_teasers_kicker(rules):
    from flows.records import LineDecision
    from flows.stages.clean.lines import _headline_context

    texts = ["Site Name, 13.01.2022", "Story Label On Security",
             "A teaser sentence that runs long enough to be read as prose by the model here.",
             "Headline of the story", EN_BODY[0], EN_BODY[1]]
    stats = _headline_stats(texts)
    out = [LineDecision(1, texts[0], False, "outside_main_block", "model"),
           LineDecision(2, texts[1], True, "kept", "model"),
           LineDecision(3, texts[2], True, "kept", "model"),
           LineDecision(4, texts[3], False, "title_line", "title:exact"),
           LineDecision(5, texts[4], True, "kept", "model"),
           LineDecision(6, texts[5], True, "kept", "model")]
    got = _headline_context(out, [True, False, False, False, False, False], stats)
    assert [d.keep for d in got] == [False, False, False, False, True, True]
    assert got[1].rule == got[2].rule == "context:before_headline"


def _decisions(rows):
    """(text, keep, by_model) -> decisions, by-model flags and stats (no stop list)."""
    from flows.records import LineDecision
    from flows.stages.clean._line_features import line_stats
    out = [LineDecision(k + 1, t, keep, "kept" if keep else "low_prose_score", "test")
           for k, (t, keep, _) in enumerate(rows)]
    return out, [soft for _, _, soft in rows], [line_stats(t, EN_STOP) for t, _, _ in rows]


EN_STOP = frozenset("the a an of to in on and was which for with by at after would be "
                    "who some others about that she this without any are".split())
TOUR = ["June 9 – West Palm Beach, FL @ Coral Sky", "June 10 – Tampa, FL @ Amphitheatre",
        "June 14 – Alpharetta, GA @ Ameris Bank", "June 17 – Nashville, TN @ Arena",
        "June 19 – Charlotte, NC @ PNC Pavilion"]


def test_table_rows_after_a_kept_paragraph_are_kept():
    from flows.stages.clean.lines import _data_rows
    rows = [(EN_BODY[0], True, False), ("Here are all of the tour dates:", False, True),
            *[(t, False, True) for t in TOUR], ("Share on Facebook", False, False)]
    out, soft, stats = _decisions(rows)
    got = _data_rows(out, soft, stats)
    assert [d.keep for d in got] == [True, True, True, True, True, True, True, False]
    assert got[3].rule == "context:data_rows"
    # three rows are a numbered link list as often as a table; widget counts are no rows
    short = rows[:2] + rows[2:5]
    assert not any(d.keep for d in _data_rows(*_decisions(short))[1:])
    widget = [(EN_BODY[0], True, False), *[(f"Month {k} ({k * 7})", False, True)
                                           for k in range(1, 7)]]
    assert not any(d.keep for d in _data_rows(*_decisions(widget))[1:])


def test_kept_run_far_below_the_article_past_a_section_break_is_removed():
    from dataclasses import replace
    from flows.stages.clean.lines import AFTER_BREAK_LINES, _after_section_break
    gap = [("Menu item", False, True)] * AFTER_BREAK_LINES
    rows = [*[(t, True, False) for t in EN_BODY], ("Related stories", False, False),
            *gap, ("A reader wrote a long comment about the budget and the roads.", True, False)]
    out, _, stats = _decisions(rows)
    out[len(EN_BODY)] = replace(out[len(EN_BODY)], reason="related_links")
    got = _after_section_break(out, stats)
    assert all(d.keep for d in got[:len(EN_BODY)])
    assert got[-1].keep is False and got[-1].rule == "context:after_section_break"
    # a "Read also" box inside the article: the article resumes within a few lines
    near = out[:len(EN_BODY) + 3] + out[-1:]
    assert _after_section_break(near, stats[:len(EN_BODY) + 3] + stats[-1:])[-1].keep


def test_page_without_kept_prose_keeps_its_densest_prose_block(rules):
    from flows.stages.clean.lines import _block_fallback, _page_view
    lines = ["Home", "News", "Sport", EN_BODY[0] + " " + EN_BODY[1], "Contact", "Imprint"]
    view = _page_view(lines, rules, None)
    out, soft, _ = _decisions([(t, False, True) for _, t in view.items])
    got = _block_fallback(out, soft, view)
    assert [d.keep for d in got] == [False, False, False, True, False, False]
    assert got[3].rule == "context:main_block_fallback"


def test_lexicon_row_with_unknown_scope_is_a_data_error(tmp_path):
    (tmp_path / "chrome_phrases.csv").write_text(
        "phrase,match,language,reason,scope\nAdvertisement,line,en,ad_label,everywhere\n",
        encoding="utf-8")
    with pytest.raises(ValueError, match="row 2"):
        load_line_rules(tmp_path, model=False)


def test_list_context_features_mark_link_lists():
    """A run of one-word category links scores as a dense list; a lone sub-heading
    between paragraphs does not; a short quoted line is dialogue."""
    from flows.stages.clean._line_features import FEATURE_NAMES, line_stats, page_features

    para = "The council said on Monday that the bridge would be closed for repairs."
    texts = [para] * 10 + ["Repairs"] + [para] * 10 + [
        "Categories", "World", "Europe", "Africa", "Asia", "Sport", "Archive (12)",
        "\u201cNo,\u201d she said."]
    stats = [line_stats(t, frozenset({"the", "on", "that", "would", "be", "for", "she"}))
             for t in texts]
    feats = page_features(stats, title_index=None, has_stoplist=True)
    col = {n: FEATURE_NAMES.index(n) for n in ("short_share_near10", "log_short_run",
                                                "widget_count", "dialogue")}
    heading, entry = 10, 24
    assert feats[entry][col["log_short_run"]] > feats[heading][col["log_short_run"]] > 0
    assert feats[entry][col["short_share_near10"]] > 0.3 > feats[heading][col["short_share_near10"]]
    assert feats[27][col["widget_count"]] == 1.0 and feats[26][col["widget_count"]] == 0.0
    assert feats[28][col["dialogue"]] == 1.0 and feats[0][col["dialogue"]] == 0.0
