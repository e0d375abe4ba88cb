"""Word counts in scripts with and without spaces (flows/stages/words.py)."""
import pytest

from flows.stages.load import word_count


@pytest.mark.parametrize("text,words", [
    ("The minister said on Friday", 5),
    ("Київ — столиця України", 4),            # a dash token counts, as it always did
    ("한국어는 띄어쓰기를 한다", 3),              # Korean puts spaces between words
    ("東京は晴れです。", 7),                      # kana and kanji one each, "。" none
    ("北京市人民政府", 7),
    ("iPhone16を買った 2024年", 7),              # iPhone16, を, 買, っ, た, 2024, 年
    ("ヴィクトリア・ベッカム", 10),               # the middle dot is punctuation
    ("ภาษาไทยเป็นภาษาที่ใช้", 6),                  # 21 Thai characters, ~4 a word
    ("", 0),
])
def test_word_count(text, words):
    assert word_count(text) == words


def test_a_japanese_article_is_long_enough():
    """Counted by spaces, a Japanese article of 400 characters was 1-3 "words" and failed
    the articles suite's minimum of 15 (word_count_out_of_range: 7 fundus pages)."""
    para = "政府は二十日、新しい経済対策を閣議決定した。総額は約十兆円に上る見通しだ。"
    assert len(para.split()) == 1 and word_count(para) >= 30
