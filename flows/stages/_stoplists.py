"""Stop-word lists for the line classifier, and a cheap page-language guess from them.

Stop-word density (the share of a line's words that are function words: "the", "und",
"что" ...) is the strongest language-independent sign of running prose; menus, tags,
bylines and button labels have almost none. jusText ships lists for 100 languages. We pick
the list for a page by looking up every word of the page once in an inverted index
(word -> languages) and taking the language whose list covers most of the page's word
tokens, corrected for list size: huge lists (Korean 13k words, Finnish 6.8k) would
otherwise win on any page by sheer coverage. This is faster than langdetect and
deterministic (langdetect is random unless seeded).
"""
from __future__ import annotations

import functools
import math
from collections import Counter
from typing import Iterable, Mapping

# ISO 639-1 -> jusText list name, for callers that already know the language.
ISO_TO_JUSTEXT = {
    "af": "Afrikaans", "sq": "Albanian", "ar": "Arabic", "hy": "Armenian", "az": "Azerbaijani",
    "eu": "Basque", "be": "Belarusian", "bn": "Bengali", "bs": "Bosnian", "br": "Breton",
    "bg": "Bulgarian", "ca": "Catalan", "hr": "Croatian", "cs": "Czech", "da": "Danish",
    "nl": "Dutch", "en": "English", "eo": "Esperanto", "et": "Estonian", "fi": "Finnish",
    "fr": "French", "gl": "Galician", "ka": "Georgian", "de": "German", "el": "Greek",
    "gu": "Gujarati", "ht": "Haitian", "he": "Hebrew", "hi": "Hindi", "hu": "Hungarian",
    "is": "Icelandic", "id": "Indonesian", "ga": "Irish", "it": "Italian", "jv": "Javanese",
    "kn": "Kannada", "kk": "Kazakh", "ko": "Korean", "ku": "Kurdish", "ky": "Kyrgyz",
    "la": "Latin", "lv": "Latvian", "lt": "Lithuanian", "lb": "Luxembourgish",
    "mk": "Macedonian", "ms": "Malay", "ml": "Malayalam", "mt": "Maltese", "mr": "Marathi",
    "ne": "Nepali", "nb": "Norwegian_Bokmal", "no": "Norwegian_Bokmal",
    "nn": "Norwegian_Nynorsk", "oc": "Occitan", "fa": "Persian", "pl": "Polish",
    "pt": "Portuguese", "qu": "Quechua", "ro": "Romanian", "ru": "Russian", "sr": "Serbian",
    "sk": "Slovak", "sl": "Slovenian", "es": "Spanish", "su": "Sundanese", "sw": "Swahili",
    "sv": "Swedish", "tl": "Tagalog", "ta": "Tamil", "te": "Telugu", "tr": "Turkish",
    "tk": "Turkmen", "uk": "Ukrainian", "ur": "Urdu", "uz": "Uzbek", "vi": "Vietnamese",
    "cy": "Welsh", "fy": "West_Frisian", "yo": "Yoruba",
}

# Lists that are near-duplicates or toy variants of a bigger language's list; skipping
# them keeps the guess stable (Simple_English vs English, Serbo_Croatian vs Croatian ...).
_SKIP = frozenset({"Simple_English", "Serbo_Croatian", "Belarusian_Taraskievica",
                   "Cebuano", "Waray_Waray", "Volapuk", "Ido", "Haitian"})


class Stoplists:
    """All stop lists, plus an inverted index for the page-language guess.

    Loaded on first use, once per process (`_bundled`), and pickled as an empty handle:
    the flow process never reads them (only the extraction workers do, and their
    forkserver loads them once, see `flows.run._worker_preload`), and the options sent to
    each worker stay small."""

    @property
    def lists(self) -> Mapping[str, frozenset[str]]:
        return _bundled()[0]

    @property
    def index(self) -> Mapping[str, tuple[str, ...]]:
        """word -> names of the lists containing it."""
        return _bundled()[1]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Stoplists)

    def __hash__(self) -> int:
        return hash(Stoplists)

    def __repr__(self) -> str:
        return "Stoplists(jusText)"

    def guess(self, words: Iterable[str]) -> tuple[str | None, float]:
        """Best list name for these (casefolded) words and its stop-word density.

        Score = hits / tokens - log10(list size) / 100: a list ten times larger must cover
        one more percent of the page to win. None when no list covers 5 % of the tokens
        (CJK pages, number soup): callers then fall back to script-neutral features.
        """
        counts = Counter(words)
        total = sum(counts.values())
        if not total:
            return None, 0.0
        hits: Counter[str] = Counter()
        index, lists = self.index, self.lists
        for word, n in counts.items():
            for name in index.get(word, ()):
                hits[name] += n
        best, best_score, best_density = None, -1.0, 0.0
        for name, h in hits.items():
            density = h / total
            score = density - math.log10(len(lists[name])) / 100
            if score > best_score:
                best, best_score, best_density = name, score, density
        if best_density < 0.05:
            return None, best_density
        return best, best_density


def load_stoplists() -> Stoplists:
    """jusText's bundled stop lists (read on first use)."""
    return Stoplists()


@functools.lru_cache(maxsize=1)
def _bundled() -> tuple[dict[str, frozenset[str]], dict[str, tuple[str, ...]]]:
    """Read jusText's bundled stop lists and index them (about 0.5 s, once per process)."""
    import justext

    lists = {name: frozenset(w.casefold() for w in justext.get_stoplist(name))
             for name in sorted(justext.get_stoplists()) if name not in _SKIP}
    index: dict[str, list[str]] = {}
    for name, words in lists.items():
        for w in words:
            index.setdefault(w, []).append(name)
    return lists, {w: tuple(v) for w, v in index.items()}
