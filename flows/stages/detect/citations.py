"""Outlets an article cites: "told Fox News", "Reuters reported", "according to Russia’s TASS".

A registered outlet name in a sentence of the body is a citation when a citation cue sits next
to it (patterns below). Each `Citation` keeps the sentence and the pattern that matched.

The same pass yields *self-credits*: "Titov told Al Jazeera." on Al Jazeera's own page is how
outlets credit their own interviews. A "told X" credit is only a self-credit candidate when X
is named bare (no descriptor as in "told Russia’s state TV channel Russia-24" or "told the
Reuters news agency"), outside quotation marks, and X is not cited any other way in the
article ("Fox News reported"). The publisher detector treats these as weak evidence.

Decision on self-credits: citations of the detected publisher itself are dropped, because
they are not sources (the article's own reporting), and the detector records them as
publisher evidence instead.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flows.records import Citation
from flows.stages.detect.outlets import OutletRegistry, RegistryEntry

_SENTENCE_END = re.compile(r"(?<=[.!?…])[”\"’»]?\s+(?=[“\"«(]?[A-ZА-ЯЁІЇЄҐ])")

_W = r"[\w’'\-.]+"  # one word of a descriptor ("Russia’s", "Washington-based")
# Cue before the name; group `desc` holds any words between cue and name.
_BEFORE = (
    ("told X", re.compile(
        r"\b(?:told|tells|telling|said to|speaking to|spoke to|speaks to|confirmed to|"
        r"in an interview with|interview with|сказал|сообщил|заявил|рассказал|сказав|"
        r"повідомив|заявив|a déclaré à|a dit à|sagte (?:der|dem|die)|dijo a|declaró a|"
        r"disse (?:à|ao))\s+(?P<desc>(?:" + _W + r"\s+){0,5}?)$", re.I)),
    ("according to X", re.compile(
        r"\b(?:according to|citing|cited by|quoted by|reported by|reports by|report by|"
        r"published by|obtained by|seen by|broadcast by|aired on|per|"
        r"по данным|по информации|как сообщает|как сообщило|сообщает|сообщило|передает|"
        r"пишет|за даними|як повідомляє|повідомляє|пише|selon|d'après|rapporte|laut|"
        r"berichtete|berichtet|meldete|meldet|según|informó|segundo|de acordo com)\s+(?P<desc>(?:" + _W +
        r"\s+){0,5}?)(?:[ld][’'])?$", re.I)),
)
# Cue after the name.
_AFTER = re.compile(
    r"^(?:[’']s?)?(?:\s+(?:news agency|newspaper|news channel|TV|television|website|"
    r"agency|daily|magazine|network|broadcaster))?,?\s+(?:(?:has|had|also|first|later|"
    r"earlier|previously|initially)\s+)?(?P<verb>reported|reports|reporting|said|says|wrote|"
    r"writes|noted|notes|cited|quoted|revealed|added|adds|confirmed|learned|obtained|"
    r"published|sources said|сообщил[аи]?|сообщает|пишет|передает|передал|повідомив|"
    r"повідомило|повідомляє|пише|rapporte|a rapporté|berichtete|berichtet|meldete|meldet|"
    r"informó|reportó|publicó|informou|noticiou)\b", re.I)

# Words that end a descriptor: "told reporters on Friday that Reuters ..." is no citation.
_STOP = frozenset("""that on in at and but which who whom when while after before as if
reporters journalists lawmakers officials parliament he she they we it was is were had has
have said also than что и в на как які що і""".split())


@dataclass(frozen=True)
class SelfCredit:
    entry: RegistryEntry
    sentence: str
    paragraph_no: int


def sentence_spans(paragraph: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence in the paragraph."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(paragraph):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(paragraph)))
    return spans


def _inside_quotes(before: str) -> bool:
    opens = before.count("“") + before.count("«")
    closes = before.count("”") + before.count("»")
    if opens != closes:
        return opens > closes
    return before.count('"') % 2 == 1


def scan(paragraphs: tuple[str, ...] | list[str], registry: OutletRegistry
         ) -> tuple[list[Citation], list[SelfCredit]]:
    """Citations and self-credit candidates in the paragraphs, in order."""
    cites: list[tuple[Citation, bool, bool, int]] = []  # citation, bare, quoted, paragraph
    named = registry.texts_with_names(paragraphs)  # most paragraphs name no outlet
    for pno, para in enumerate(paragraphs, start=1):
        if pno - 1 not in named:
            continue
        spans = sentence_spans(para)
        for m, e in registry.find_names(para):
            start, end = next(((a, b) for a, b in spans if a <= m.start() < b), (0, len(para)))
            sentence = para[start:end].strip()
            before = para[max(start, m.start() - 90):m.start()]
            after = para[m.end():min(end, m.end() + 60)]
            pattern, bare = None, False
            for name, rx in _BEFORE:
                bm = rx.search(before)
                if bm and not _STOP & set(bm.group("desc").lower().split()):
                    desc = bm.group("desc").strip()
                    pattern = name
                    bare = (desc.lower() in ("", "the") and not re.match(
                        r"^[’']?s?\s+(?:news agency|newspaper|agency|channel|TV)\b",
                        after, re.I))
                    break
            if pattern is None:
                am = _AFTER.match(after)
                if am:
                    pattern = "X " + am.group("verb").lower()
            if pattern is None:
                continue
            c = Citation(e.outlet_id, e.name, sentence[:1000], pattern)
            cites.append((c, bare, _inside_quotes(para[:m.start()]), pno))
    credits = []
    for c, bare, quoted, pno in cites:
        if c.pattern != "told X" or not bare or quoted:
            continue
        e = registry.by_id[c.outlet_id]
        other = any(o.outlet_id == e.outlet_id and (o.pattern != "told X" or not b or q)
                    for o, b, q, _ in cites)
        if not e.is_wire and not other:
            credits.append(SelfCredit(e, c.sentence, pno))
    seen = set()
    out = []
    for c, *_ in cites:
        key = (c.outlet_id, c.sentence)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out, credits


def find_citations(paragraphs: tuple[str, ...] | list[str], registry: OutletRegistry,
                   publisher_id: str | None = None) -> tuple[Citation, ...]:
    """Cited outlets, without the publisher's own self-credits."""
    cites, _ = scan(paragraphs, registry)
    return tuple(c for c in cites if publisher_id is None or c.outlet_id != publisher_id)
