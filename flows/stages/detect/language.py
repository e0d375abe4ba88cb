"""Language of an article and of its paragraphs (langdetect, seeded; bounded cost).

* Document language: langdetect on a sample of the text (the first `HEAD_CHARS` characters
  plus a `MIDDLE_CHARS` chunk from the middle), so a 500 kB page costs the same as a 5 kB
  one. Every detector gets the seed (langdetect's global seed is left alone), so results
  are repeatable. Codes are ISO 639-1
  (`zh-cn`/`zh-tw` -> `zh`); `und` when the text has fewer than `MIN_LETTERS` letters or the
  best probability is below `MIN_PROB`.
* Paragraphs: each gets its dominant script from Unicode ranges (cheap; ASCII text takes a
  shortcut). langdetect (~0.8 ms a call through `_fast_langdetect`, langdetect's own
  detector with its per-character steps in bulk) only runs on paragraphs whose script differs
  from the document's, or that are long enough (`LONG_PARAGRAPH`) to be worth checking and
  do not read as the document's language by its stop words (a paragraph whose words are at
  least `SAME_LANGUAGE_STOP_DENSITY` function words of the document's language is in that
  language: English prose runs at 40-50 %, a French paragraph in English at under 10 %); at
  most `MAX_OTHER_SCRIPT_CHECKS` and `MAX_SAME_SCRIPT_CHECKS` times per document. A paragraph
  is `foreign` when its script differs from the document's, or langdetect is confident
  (>= `FOREIGN_PROB`) it is another language.
"""
from __future__ import annotations

import re
from collections import Counter
from typing import AbstractSet

from flows.records import ParagraphLanguage

MIN_LETTERS = 20
MIN_PROB = 0.5
HEAD_CHARS = 1500
MIDDLE_CHARS = 500
LONG_PARAGRAPH = 200
MAX_OTHER_SCRIPT_CHECKS = 12  # paragraphs in another script: the likely foreign ones
MAX_SAME_SCRIPT_CHECKS = 3  # long same-script paragraphs: a spot check, not a census
FOREIGN_PROB = 0.9
SAME_LANGUAGE_STOP_DENSITY = 0.2
PARAGRAPH_SAMPLE = 400

# (first code point, last code point, script) — ISO 15924 codes.
_RANGES = (
    (0x0041, 0x024F, "Latn"), (0x1E00, 0x1EFF, "Latn"), (0x0370, 0x03FF, "Grek"),
    (0x1F00, 0x1FFF, "Grek"), (0x0400, 0x052F, "Cyrl"), (0x0530, 0x058F, "Armn"),
    (0x0590, 0x05FF, "Hebr"), (0x0600, 0x06FF, "Arab"), (0x0750, 0x077F, "Arab"),
    (0x08A0, 0x08FF, "Arab"), (0xFB50, 0xFDFF, "Arab"), (0xFE70, 0xFEFF, "Arab"),
    (0x0900, 0x097F, "Deva"), (0x0980, 0x09FF, "Beng"), (0x0A00, 0x0A7F, "Guru"),
    (0x0B80, 0x0BFF, "Taml"), (0x0E00, 0x0E7F, "Thai"), (0x10A0, 0x10FF, "Geor"),
    (0x1100, 0x11FF, "Hang"), (0x3130, 0x318F, "Hang"), (0xAC00, 0xD7AF, "Hang"),
    (0x3040, 0x309F, "Kana"), (0x30A0, 0x30FF, "Kana"), (0x31F0, 0x31FF, "Kana"),
    (0xFF66, 0xFF9F, "Kana"), (0x3400, 0x4DBF, "Hani"), (0x4E00, 0x9FFF, "Hani"),
    (0xF900, 0xFAFF, "Hani"),
)
# Script -> language when a paragraph is too short for langdetect but its script says it.
_SCRIPT_LANGUAGE = {"Hang": "ko", "Jpan": "ja", "Grek": "el", "Hebr": "he", "Thai": "th",
                    "Geor": "ka", "Armn": "hy"}


def _char_script(ch: str) -> str | None:
    o = ord(ch)
    if o < 0x41:
        return None
    for lo, hi, script in _RANGES:
        if lo <= o <= hi:
            return script
    return "Zyyy" if ch.isalpha() else None


# Latin letters plus the punctuation, spaces and symbols prose mixes in (curly quotes,
# dashes, currency): text with nothing outside these is Latin script.
_LATIN_ONLY = re.compile(r"[^\x00-\u024F\u1E00-\u1EFF\u2000-\u206F\u20A0-\u20CF]")
_NOT_LETTERS = re.compile(r"[\W\d_]+")  # what is left after removing these is letters
_WORD = re.compile(r"\w+")


def letter_count(text: str) -> int:
    """Letters (`[^\\W\\d_]`) in `text`: one removal per run of non-letters, not one match
    per letter."""
    return len(_NOT_LETTERS.sub("", text))


class _ScriptTable(dict):
    """`str.translate` table, filled on first sight of each character: a letter becomes the
    private-use character that stands for its script (`_char_script`), anything else is
    removed, so counting a text's scripts is one `translate` and one `Counter`."""

    def __missing__(self, code: int) -> str | None:
        ch = chr(code)
        script = _char_script(ch) if ch.isalpha() else None
        out = self[code] = None if script is None else _SCRIPT_MARK[script]
        return out


_SCRIPT_NAMES = sorted({s for _, _, s in _RANGES} | {"Zyyy"})
_SCRIPT_MARK = {s: chr(0xE000 + i) for i, s in enumerate(_SCRIPT_NAMES)}
_MARK_SCRIPT = {m: s for s, m in _SCRIPT_MARK.items()}
_SCRIPTS = _ScriptTable()


def script_of(text: str, limit: int = 2000, enough: int | None = None) -> tuple[str, int]:
    """Dominant script of `text` (ISO 15924: Latn, Cyrl, Arab, Jpan ...) and its letter count.

    Han with any kana is Japanese (`Jpan`); Han alone is `Hani`; no letters is `Zyyy`.
    `enough`: a caller that only compares the count with thresholds up to `enough` lets a
    Latin text's count stop there (it is then at least `enough`, not the total).
    """
    text = text[:limit]
    if not _LATIN_ONLY.search(text):  # most paragraphs of most pages: no Python loop
        # a letter takes one character: a head of `enough` letters needs no more count
        if enough is not None and len(text) > 4 * enough:
            head = letter_count(text[:4 * enough])
            if head >= enough:
                return "Latn", head
        letters = letter_count(text)
        return ("Latn", letters) if letters else ("Zyyy", 0)
    # scripts in order of first appearance, as a per-character loop would count them
    counts = {_MARK_SCRIPT[m]: n for m, n in Counter(text.translate(_SCRIPTS)).items()}
    if not counts:
        return "Zyyy", 0
    letters = sum(counts.values())
    if "Kana" in counts and counts.get("Kana", 0) + counts.get("Hani", 0) >= letters / 2:
        return "Jpan", letters
    return max(counts, key=counts.get), letters


def _same_script(a: str, b: str) -> bool:
    cjk = {"Jpan", "Hani", "Kana"}
    return a == b or (a in cjk and b in cjk)


def _iso(code: str) -> str:
    return code.split("-")[0].lower()


def sample_text(text: str) -> str:
    """The head of the text plus a chunk from its middle: bounded cost on long pages."""
    if len(text) <= HEAD_CHARS + MIDDLE_CHARS:
        return text
    mid = len(text) // 2
    return text[:HEAD_CHARS] + "\n" + text[mid - MIDDLE_CHARS // 2: mid + MIDDLE_CHARS // 2]


def _langdetect(text: str, seed: int) -> tuple[str, float]:
    # langdetect's detector with its per-character steps in bulk (same results, ~2x
    # faster); imported here: the profiles load on first use
    from flows.stages.detect._fast_langdetect import LangDetectException, detect_langs

    try:
        ranked = detect_langs(text, seed)
    except LangDetectException:
        return "und", 0.0
    if not ranked:
        return "und", 0.0
    # zh-cn and zh-tw are one language here: add their probabilities.
    probs: dict[str, float] = {}
    for r in ranked:
        probs[_iso(r.lang)] = probs.get(_iso(r.lang), 0.0) + float(r.prob)
    lang = max(probs, key=probs.get)
    return lang, round(min(probs[lang], 1.0), 4)


def detect_language(text: str, seed: int = 0) -> tuple[str, float]:
    """(ISO 639-1 code or `und`, probability) for a text, repeatable for a given seed."""
    sample = sample_text(text or "")
    if letter_count(sample) < MIN_LETTERS:
        return "und", 0.0
    lang, prob = _langdetect(sample, seed)
    if prob < MIN_PROB:
        return "und", prob
    return lang, prob


def stop_density(text: str, stopwords: AbstractSet[str]) -> float:
    """Share of the words of `text` that are in `stopwords` (casefolded)."""
    words = _WORD.findall(text.casefold())
    return sum(w in stopwords for w in words) / len(words) if words else 0.0


def paragraph_languages(paragraphs: tuple[str, ...] | list[str], doc_language: str,
                        seed: int = 0, stopwords: AbstractSet[str] | None = None
                        ) -> tuple[ParagraphLanguage, ...]:
    """One `ParagraphLanguage` per paragraph (1-based), foreign ones flagged.

    `stopwords`: the function words of `doc_language` (jusText's list), when there is one;
    long same-script paragraphs dense in them are taken as the document's language without
    a langdetect call."""
    doc_script, _ = script_of("\n".join(paragraphs)[:HEAD_CHARS * 2], enough=1)
    out = []
    other_checks = same_checks = 0
    for no, para in enumerate(paragraphs, start=1):
        script, letters = script_of(para, enough=MIN_LETTERS)  # compared with 3 and 20
        other_script = letters >= 3 and doc_script != "Zyyy" and not _same_script(
            script, doc_script)
        lang = doc_language
        foreign = False
        if other_script:
            foreign = True
            lang = _SCRIPT_LANGUAGE.get(script, "und")
            if letters >= MIN_LETTERS and other_checks < MAX_OTHER_SCRIPT_CHECKS:
                other_checks += 1
                found, prob = _langdetect(para[:PARAGRAPH_SAMPLE], seed)
                if prob >= MIN_PROB:
                    lang = found
        elif letters == 0:
            lang = "und"
        elif (len(para) >= LONG_PARAGRAPH and same_checks < MAX_SAME_SCRIPT_CHECKS
              and not (stopwords and stop_density(para[:PARAGRAPH_SAMPLE], stopwords)
                       >= SAME_LANGUAGE_STOP_DENSITY)):
            same_checks += 1
            found, prob = _langdetect(para[:PARAGRAPH_SAMPLE], seed)
            if found != "und" and found != doc_language and prob >= FOREIGN_PROB:
                lang, foreign = found, True
        out.append(ParagraphLanguage(no, lang, script, foreign))
    return tuple(out)
