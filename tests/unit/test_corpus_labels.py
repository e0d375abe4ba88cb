"""Line labels derived from the corpora's gold (bench/corpus_labels.py) and training on
partial labels (`_line_model.train` with None labels)."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import corpus_labels  # noqa: E402


def test_body_labels_from_gold_paragraphs():
    gold = "First paragraph of the story, with several words in it.\nSecond one here."
    lines = ["Home News Sport", "", "First paragraph of the story, with several words in it.",
             "Second one here. Share this", "Second one here.", "story words"]
    assert corpus_labels.body_labels(lines, gold) == [False, None, True, True, True, False]


def test_body_labels_word_overlap_needs_a_sentence():
    gold = "the council voted on monday to close the old bridge for repairs next year"
    lines = ["The council voted on Monday to close the old bridge for repairs!",
             "council bridge"]
    labels = corpus_labels.body_labels(lines, gold)
    assert labels[0] is True and labels[1] is False


def test_snippet_labels_are_partial():
    lines = ["Menu", "The mayor said the  plan would go ahead.", "Sign up for our newsletter",
             "Another line"]
    got = corpus_labels.snippet_labels(lines, ["the plan would go ahead"], ["Sign up for"])
    assert got == [None, True, False, None]


def test_site_key_is_the_registrable_domain():
    assert corpus_labels.site_key("https://www.bbc.co.uk/news/x") == "bbc.co.uk"
    assert corpus_labels.site_key("edition.cnn.com") == "cnn.com"
    assert corpus_labels.site_key("https://derstandard.at") == "derstandard.at"


def test_file_name_host():
    m = corpus_labels._FILE_HOST.match("zeit.de.zugverkehr")
    assert m and m.group(1) == "zeit.de"
    m = corpus_labels._FILE_HOST.match("motorsport-total.com-romeo")
    assert m and m.group(1) == "motorsport-total.com"


def test_train_ignores_unlabelled_lines():
    from flows.stages.clean._line_features import FEATURE_NAMES
    from flows.stages.clean._line_model import train

    m = len(FEATURE_NAMES)
    rows = [[float(i % 2)] * m for i in range(40)]
    labels = [bool(i % 2) for i in range(40)]
    texts = ["word"] * 40
    params = dict(rounds=5, min_hess=1.0)
    full = train([(rows, labels, texts)], threshold=0.5, params1=params, params2=params)
    # the same page plus unlabelled lines that contradict the pattern: same fit
    noisy = train([(rows + [[1.0] * m] * 10, labels + [None] * 10, texts + ["word"] * 10)],
                  threshold=0.5, params1=params, params2=params)
    assert full.stage1.base == noisy.stage1.base
    assert full.stage1.prob([1.0] * m) > 0.5 > full.stage1.prob([0.0] * m)
    assert noisy.stage1.prob([1.0] * m) > 0.5 > noisy.stage1.prob([0.0] * m)
