"""Site names a page gives of itself in its text: the `<title>` suffix, copyright footers and
domains written on the page, cleaned of rights notices and company legal forms.

Why: a plain-text scrape has no address and no metadata, so the publisher can only come from
what the page prints about itself. Two places name the site on nearly every news page: the
title line ("Headline | Site", "Headline - Section - site.de") and the footer ("© 2024 Site.
All rights reserved."). Both need cleaning before they can name an outlet: a footer carries a
rights notice in the page's language ("Alle Rechte vorbehalten", "版权所有") and often the
company's legal form ("Ediciones EL PAÍS S.L", "Insider Inc."). The phrase lists are reference
data (`warehouse/reference/outlet_names.csv`: general vocabulary of many languages, a row
per phrase), so a new language is a row, not a code change.
"""
from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

KINDS = frozenset({"rights", "copyright_word", "legal_form", "group_word", "service",
                   "particle", "platform"})
NAMES_FILE = "outlet_names.csv"
MAX_NAME_WORDS = 6
MAX_NAME_CHARS = 60
MAX_FOOTER_CHARS = 240

# A copyright mark: the sign in its forms (©, ⓒ, ℗, "(c)") or the word, in any case.
COPYRIGHT_SIGN = re.compile(r"[©ⓒ℗]|\([cC]\)")
# a year or year range, not digits inside a word or host ("munich2022.com")
_YEARS = re.compile(r"(?<![\w.])(?:19|20)\d\d(?:\s*[-–—/]\s*(?:(?:19|20)\d\d|\d\d)(?!\d))?"
                    r"(?![\w]|\.\w)")
# Title separators: a pipe (any width, spaced or not), a spaced dash or a spaced guillemet/
# chevron. An unspaced hyphen is part of a word ("Berlin-Lichterfelde").
_TITLE_SEP = re.compile(r"\s*[|｜]\s*|\s+[-–—›»·•]\s+|\s+::\s+")
_DATE_SEGMENT = re.compile(r"^[\d\s./:-]+$|^\d{1,2}\.?\s+\w+\.?\s+\d{4}$|"
                           r"^\w+\.?\s+\d{1,2},?\s+\d{4}$")
_BYLINE_SEGMENT = re.compile(r"(?i)^(?:by|von|par|por|di|door|av|af)\s")
_DOMAIN = re.compile(r"(?<![\w@./-])((?:www\d?\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
                     r"[a-z]{2,24})(?![\w@/-])",
                     re.I)
# a bare host ("ntv.de") or the host of a written address ("Kurzlink: https://heise.de/-96")
_DOT = re.compile(r"\.(?=[A-Za-z])")
_LEFT = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)*$")
_RIGHT = re.compile(r"(?:\.[A-Za-z0-9-]+)+")
_FILE_TLD = re.compile(r"\.(?:jpe?g|png|gif|webp|svg|pdf|html?|php|aspx?|js|css|mp[34])$", re.I)
# Generic top-level domains seen on news and web pages (two-letter ones are country codes);
# "example" and "test" are reserved for documentation (RFC 2606).
_GENERIC_TLDS = frozenset("""com net org info biz edu gov mil int name pro aero coop museum
news media online site website blog tv app io co ai dev tech digital live today world press
radio fm am club shop store one global international eu asia africa berlin hamburg koeln
nrw bayern wien swiss london nyc paris tokyo kiwi scot wales cat gal eus example test
""".split())
_WORD = re.compile(r"\w+")
_LEGAL_EDGE = " \t,;:&-–—"
_EDGE = " \t\"'«»“”„‘’`.,;:?*-–—_/|()[]{}<>"


@dataclass(frozen=True)
class NameRules:
    """Rights notices, copyright words and legal forms, as phrases (see module docstring)."""

    rights: tuple[str, ...] = ()
    copyright_words: tuple[str, ...] = ()
    legal_forms: tuple[str, ...] = ()
    group_words: tuple[str, ...] = ()
    # chrome vocabulary (`chrome_brand`): words a site's own links wrap its name in ("App",
    # "Newsletter", "abonnieren") and the small words between ("bei", "der", "mein")
    service_words: tuple[str, ...] = ()
    particles: tuple[str, ...] = ()
    # hosts every site links (social networks, blog hosts): never a page's own address
    platforms: tuple[str, ...] = ()

    @cached_property
    def service_set(self) -> frozenset[str]:
        return frozenset(w.casefold() for w in self.service_words)

    @cached_property
    def platform_set(self) -> frozenset[str]:
        return frozenset(p.lower() for p in self.platforms)

    @cached_property
    def group_set(self) -> frozenset[str]:
        return frozenset(w.casefold() for w in self.group_words if " " not in w)

    @cached_property
    def particle_set(self) -> frozenset[str]:
        return frozenset(w.casefold() for w in self.particles)

    @cached_property
    def _markers(self) -> tuple[frozenset[str], tuple[str, ...]]:
        """What a footer line must contain: the longest word of a rights phrase or a
        copyright word (lower case), or, for scripts without spaces, the phrase itself, or
        a copyright sign. Why: the bounded phrase patterns cost ~100 us a line; a word-set
        test rules out nearly every line first for ~2 us."""
        words, subs = set(), {"©", "ⓒ", "℗", "(c)", "copyright"}
        for p in self.rights + self.copyright_words:
            if _spaced(p):
                words.add(max(p.lower().split(), key=len))
            else:
                subs.add(p.lower())
        return frozenset(words), tuple(sorted(subs))

    @cached_property
    def _marker_subs_re(self) -> re.Pattern[str]:
        return re.compile("|".join(re.escape(x) for x in self._markers[1]))

    def may_mark(self, text: str) -> bool:
        """Whether `text` may hold a copyright mark or a rights notice (see `_markers`)."""
        low = text.lower()
        return self._marker_subs_re.search(low) is not None or \
            not self._markers[0].isdisjoint(_WORD.findall(low))

    def may_be_footer(self, text: str) -> bool:
        return len(text) <= MAX_FOOTER_CHARS and self.may_mark(text)

    @cached_property
    def rights_re(self) -> re.Pattern[str] | None:
        return _phrase_re(self.rights)

    @cached_property
    def copyright_re(self) -> re.Pattern[str]:
        words = _phrase_re(self.copyright_words)
        return re.compile(COPYRIGHT_SIGN.pattern + (f"|{words.pattern}" if words else ""),
                          re.I)

    @cached_property
    def legal_edge_re(self) -> re.Pattern[str] | None:
        """A legal form at either end of a name (after a space or comma)."""
        return _edge_re(self.legal_forms)

    @cached_property
    def company_edge_re(self) -> re.Pattern[str] | None:
        """A legal form or a group word ("Media Group", "Holdings") at either end."""
        return _edge_re(self.legal_forms + self.group_words)


def _edge_re(forms: tuple[str, ...]) -> re.Pattern[str] | None:
    if not forms:
        return None
    alts = "|".join(re.escape(f).replace(r"\ ", r"\s+")
                    for f in sorted(forms, key=len, reverse=True))
    return re.compile(rf"(?:^|[\s,&]+)(?:{alts})\.?(?:\s*&\s*)?$|^(?:{alts})\.?\s+", re.I)


def _phrase_re(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    """Case-insensitive alternation of phrases; words are bounded where the script has
    spaces (a Latin word never matches inside another), CJK phrases match anywhere."""
    if not phrases:
        return None
    alts = []
    for p in sorted(phrases, key=len, reverse=True):
        body = re.escape(p).replace(r"\ ", r"\s+")
        # Latin words bounded by Latin letters only: "한국일보Copyright" still has the word
        alts.append(rf"(?<![A-Za-zÀ-ɏ]){body}(?![A-Za-zÀ-ɏ])" if _spaced(p) else body)
    return re.compile("|".join(alts), re.I)


def _spaced(phrase: str) -> bool:
    """Whether the phrase's script separates words by spaces (not CJK / Thai)."""
    return not re.search(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]", phrase)


def load_name_rules(reference_dir: Path) -> NameRules:
    """Read `outlet_names.csv` (phrase,kind,language); an empty set when the file is absent,
    so a reference directory without it still loads. A bad row raises `ValueError`."""
    path = Path(reference_dir) / NAMES_FILE
    if not path.exists():
        return NameRules()
    out: dict[str, list[str]] = {k: [] for k in KINDS}
    with open(path, encoding="utf-8", newline="") as f:
        for n, r in enumerate(csv.DictReader(f), start=2):
            phrase, kind = (r.get("phrase") or "").strip(), (r.get("kind") or "").strip()
            if not phrase or kind not in KINDS:
                raise ValueError(f"{NAMES_FILE} line {n}: bad row {phrase!r}, {kind!r}")
            out[kind].append(phrase)
    return NameRules(tuple(out["rights"]), tuple(out["copyright_word"]),
                     tuple(out["legal_form"]), tuple(out["group_word"]),
                     tuple(out["service"]), tuple(out["particle"]), tuple(out["platform"]))


def squash(s: str) -> str:
    """Comparison key: NFKC, casefolded, letters and digits only."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", s).casefold())


def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0] if ch.isalpha() else ""


def clean_name(name: str | None, rules: NameRules, groups: bool = True) -> str | None:
    """`name` without rights notices, copyright marks, years and trailing legal forms (and,
    with `groups`, group words: "Media Group", "Holdings"); None when nothing that can name
    a site is left ("℗ Wszystkie prawa zastrzeżone").

    Group words stay for registry look-ups (`groups=False`): "Vox Media" owns many sites and
    is not the site Vox, while "Ediciones EL PAÍS S.L" is the publishing house of El País.

    A name that switches script part-way keeps its first run of letters only when the rest
    is not part of it ("Hankookilbo 신문 구독신청": the Hangul is a subscription link).
    """
    return clean_names(name, rules)[0 if groups else 1]


def clean_names(name: str | None, rules: NameRules) -> tuple[str | None, str | None]:
    """`clean_name` with and without group words, from one pass."""
    if not name:
        return None, None
    s = unicodedata.normalize("NFC", re.sub(r"\s+", " ", name)).strip()
    if rules.rights_re is not None and rules.may_mark(s):
        # "ntv.de Alle Rechte vorbehalten": the part before
        parts = [p for p in rules.rights_re.split(s) if p.strip(_EDGE + "©ⓒ℗0123456789 ")]
        s = parts[0] if parts else ""
        s = rules.copyright_re.sub(" ", s)
    s = _YEARS.sub(" ", s)
    s = re.sub(r"^\s*(?:by|von|par|por)\s+", "", s.strip(_EDGE))  # "© by X", not "VON DER SEE"
    s = re.sub(r"\s+", " ", s).strip(_EDGE)
    legal = _strip_edges(s, rules.legal_edge_re)
    return _finish(_strip_edges(legal, rules.company_edge_re)), _finish(legal)


def _strip_edges(s: str, edge: re.Pattern[str] | None) -> str:
    if edge is None:
        return s
    for _ in range(4):  # "GmbH & Co. KG", "Holdings (Pty) Ltd": one form at a time
        t = edge.sub("", s).strip(_LEGAL_EDGE)
        if t == s or not re.search(r"[^\W\d_]{2}", t):
            break
        s = t
    return s


def _finish(s: str) -> str | None:
    s = re.sub(r"\s*\([^)]*$", "", _first_script_run(s)).strip(_EDGE)  # no half "(Pty"
    s = _strip_symbols(s)
    if not re.search(r"[^\W\d_]{2}", s) or len(s) > MAX_NAME_CHARS or \
            len(s.split()) > MAX_NAME_WORDS:
        return None
    return s


def _first_script_run(s: str) -> str:
    words = s.split(" ")
    if len(words) < 2:
        return s
    first = next((_script(c) for c in s if c.isalpha()), "")
    for i, w in enumerate(words[1:], start=1):
        letters = [c for c in w if c.isalpha()]
        if letters and all(_script(c) != first for c in letters):
            return " ".join(words[:i]).strip(_EDGE)
    return s


def _strip_symbols(s: str) -> str:
    """No symbols at the ends of a name ("✂ Uniqz®")."""
    while s and unicodedata.category(s[0])[0] == "S":
        s = s[1:].lstrip()
    while s and unicodedata.category(s[-1])[0] == "S":
        s = s[:-1].rstrip()
    return s


def is_domain(s: str) -> bool:
    m = _DOMAIN.fullmatch(s.strip())
    return bool(m) and _plausible_host(m.group(1))


def _plausible_host(d: str) -> bool:
    """A written host, not a file name, a code identifier ("axis.text") or two words run
    together at a sentence end ("Gesicht.In", "2024.Alketa")."""
    tld = d.rsplit(".", 1)[1]
    if _FILE_TLD.search(d):
        return False
    if tld[:1].isupper() and tld[1:].islower() and len(tld) > 2:
        return False
    return len(tld) == 2 or tld.lower() in _GENERIC_TLDS


def written_domains(text: str) -> list[str]:
    """Host names written in `text` ("ntv.de", "Nieuwsblad.be", the host of
    "https://heise.de/-96"), lower case, no `www.`.

    Why the two-step scan: the host grammar tried at every word costs ~1 ms a page; a dot
    followed by a letter is rare in prose, so the scan jumps from dot to dot and reads the
    token around each."""
    out: list[str] = []
    seen_end = -1
    for m in _DOT.finditer(text):
        i = m.start()
        if i <= seen_end:
            continue
        left = _LEFT.search(text, max(0, i - 64), i)
        right = _RIGHT.match(text, i)
        if left is None or right is None:
            continue
        start, end = left.start(), right.end()
        seen_end = end
        d = text[start:end].rstrip(".-")
        if start and text[start - 1] in "@./-" and text[max(0, start - 3):start] != "://":
            continue  # the tail of an e-mail address or a path, not a host
        if start and (text[start - 1].isalnum() or text[start - 1] == "_"):
            continue
        if end < len(text) and (text[end].isalnum() or text[end] in "@_-"):
            continue
        if "." not in d or not _DOMAIN.fullmatch(d) or not _plausible_host(d):
            continue
        tld = d.rsplit(".", 1)[1]
        if tld[0].isupper() and tld[1:].islower() and re.match(r" \w", text[end:end + 2]):
            continue  # "Gesicht.In der Stadt": a sentence end without its space
        d = re.sub(r"^www\d?\.", "", d.lower())
        if d not in out:
            out.append(d)
    return out


def _is_platform(host: str, rules: NameRules) -> bool:
    """Whether a host is a platform's: a `platform` row is one of its labels ("instagram")
    or its end ("t.co", "web.de")."""
    labels = host.split(".")
    return not rules.platform_set.isdisjoint(labels) or not rules.platform_set.isdisjoint(
        ".".join(labels[i:]) for i in range(len(labels) - 1))


def chrome_domain(texts: list[str], rules: NameRules) -> tuple[str, int] | None:
    """The page's own address as its chrome writes it ("Wie zufrieden sind Sie mit Ihrem
    Besuch auf harbourpost.de?", "© harbourpost.de"): the one host written in lower case in
    two or more of `texts` (the removed lines), not a platform's (`platform` rows of
    `outlet_names.csv`: social networks, blog hosts); with the index of its first line.
    Several such hosts (a sister-site or advertiser list) name none."""
    dotted = [t for t in texts if "." in t and len(t) <= 1000]
    if len(dotted) < 2:
        return None
    found = []
    for h in written_domains("\n".join(dotted)):
        if len(h.split(".")[0]) < 2 or _is_platform(h, rules):
            continue
        hits = [i for i, t in enumerate(dotted) if h in t]  # as written, in lower case
        if len(hits) >= 2:
            found.append((h, texts.index(dotted[hits[0]])))
    return found[0] if len(found) == 1 else None


_EMAIL_HOST = re.compile(r"[\w.+-]+@((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,24})\b", re.I)


def email_domain(texts: list[str], rules: NameRules) -> str | None:
    """The one host that e-mail addresses on two or more of `texts` share ("ninek@
    hankookilbo.com", "user@hankookilbo.com": the newsroom's own), not a mail provider's or
    a platform's (`platform` rows); None when there are several or none."""
    counts: dict[str, int] = {}
    for t in texts:
        if "@" not in t or len(t) > 1000:
            continue
        for h in {m.group(1).lower() for m in _EMAIL_HOST.finditer(t)}:
            if not _plausible_host(h) or _is_platform(h, rules):
                continue
            h = re.sub(r"^(?:www\d?|mail|email|e-mail)\.", "", h)
            counts[h] = counts.get(h, 0) + 1
    hosts = [h for h, n in counts.items() if n >= 2]
    return hosts[0] if len(hosts) == 1 else None


def domain_agrees(name: str, domain: str) -> bool:
    """Whether a host's first label spells the name, or the name starts or ends with it
    ("Het Nieuwsblad" ~ nieuwsblad.be, "heise online" ~ heise.de, "LRT" ~ lrt.lt)."""
    label = squash(domain.split(".")[0])
    key = squash(name)
    if len(label) < 2 or not key:
        return False
    if is_domain(name):
        return squash(name) == squash(domain)
    return key == label or (len(label) >= 3 and (key.startswith(label) or key.endswith(label)))


# "BILD Logo", "The Telegraph logo", "Logo: Kleine Zeitung": the header image's alt text
_LOGO = re.compile(r"^(?:(?P<a>.+?)[\s:–-]+(?:logo|logotipo|logotyp|logotype)\.?"
                   r"|(?:logo|logotipo|logotyp|logotype)[\s:–-]+(?P<b>.+?))$", re.I)
_LOGO_NOT_NAME = re.compile(r"(?i)^(?:von|of|by|de|del|du|des|der|ihr|your|our|unser)\b|"
                            r"\b(?:von|of|by|als|as)\s")


def logo_name(text: str) -> str | None:
    """The site name of a header logo's alt text ("heise online Logo"); None for other
    lines ("Logo von Jonathas Mello", "Ihr Logo als Stickerei")."""
    if len(text) > 60 or "logo" not in text.lower():
        return None
    m = _LOGO.match(text.strip())
    if not m:
        return None
    name = (m.group("a") or m.group("b") or "").strip(_EDGE)
    if not name or len(name.split()) > 4 or _LOGO_NOT_NAME.search(name):
        return None
    return name


def title_segments(line: str) -> list[str]:
    """The parts of a title line that can be the site's name, most likely first: those after
    the headline (the longest part), the last first; never a date or a byline part.

    "Headline - Panorama - derStandard.at › Panorama" gives derStandard.at, Panorama.
    """
    line = line.strip()
    if not line or len(line) > 300:
        return []
    # a part opening with a quote mark is a quotation of the headline, not a name
    parts = _TITLE_SEP.split(line)
    quote = "\"'«»“”„‘’"
    parts = [parts[0].strip()] + ["" if p.strip()[:1] in quote else p.strip(_EDGE)
                                  for p in parts[1:]]
    if len(parts) < 2:
        return []
    head = max(range(len(parts)), key=lambda i: len(parts[i]))
    out = []
    for p in reversed(parts[head + 1:]):
        words = p.split()
        if (not p or _DATE_SEGMENT.match(p) or _BYLINE_SEGMENT.match(p)
                or (len(words) >= 3 and words[0].islower())  # "und wie das Wetter wird"
                or len(p) > MAX_NAME_CHARS or len(p.split()) > MAX_NAME_WORDS
                or not re.search(r"[^\W\d_]", p) or p in out):
            continue
        out.append(p)
    return out


def footer_names(text: str, rules: NameRules, groups: bool = True) -> tuple[list[str], bool]:
    """Names a copyright or rights line gives ("© 2024 Name. All rights reserved.", "Name ©
    2000-2022", "2025 Name. All Rights Reserved."), most likely first, and whether the line
    reads as a site footer (a year or a rights notice with the mark) rather than a photo
    credit ("© Reuters"); `groups` as in `clean_name`.

    A line whose text before the mark is a sentence is a caption ending in a photo credit.
    """
    names, registry_names, strong = footer_name_sets(text, rules)
    return (names if groups else registry_names), strong


def footer_name_sets(text: str, rules: NameRules) -> tuple[list[str], list[str], bool]:
    """`footer_names` with and without group words, from one pass."""
    if not rules.may_be_footer(text):
        return [], [], False
    marks = list(rules.copyright_re.finditer(text))
    rights = rules.rights_re.search(text) if rules.rights_re is not None else None
    if not marks and not rights:
        return [], [], False
    cut = marks[0].start() if marks else rights.start()
    before = text[:cut]
    prose = len(before.split()) > MAX_NAME_WORDS or re.search(r"[.!?]\s+\S+\s+\S+", before)
    # a caption's own year ("… in juli 2021. — © BELGA") does not make its credit a footer
    start = cut if prose else 0
    strong = bool(rights and rights.start() >= start) or bool(_YEARS.search(text, start))
    if prose and not strong:  # "Caption of the photo. © Agency"
        return [], [], False
    out: list[str] = []
    reg: list[str] = []
    ends = [m.start() for m in marks[1:]] + [len(text)]
    pieces = [text[m.end():e] for m, e in zip(marks, ends)] + ([] if prose else [before])
    if not marks:  # "2025 The Citizen. All Rights Reserved."
        pieces = [text[:rights.start()], text[rights.end():]]
    for piece in pieces:
        for part in re.split(r"\s*[|·•]\s*|\s+[-–—]\s+|\.\s+|,\s+(?=\S+\s+\S)", piece):
            name, reg_name = clean_names(part, rules)
            if name is None and reg_name is None and len(part.split()) > MAX_NAME_WORDS:
                return out, reg, strong  # prose: a legal notice, and nothing after it names
            if name and name not in out:
                out.append(name)
            if reg_name and reg_name not in reg:
                reg.append(reg_name)
    return out, reg, strong


_WORD = re.compile(r"[^\W_](?:[\w'’]*[^\W_])?")
_TLD_AFTER = re.compile(r"\.[a-z]{2,6}\b", re.I)
SPELLED_MIN = 2  # a spelling seen once may be a link to another site or a sentence start
SPELLED_MAX_LINES = 3000
SPELLED_MAX_LINE = 400


def spelled_name(texts: list[str], host: str) -> str | None:
    """The site's own spelling of the name its address spells ("Dagbladet" for
    dagbladet.no, "Stuttgarter Zeitung" for stuttgarter-zeitung.de), from its page lines;
    None when the page never writes it otherwise than in lower case.

    Why: a site that names itself only by its address in metadata (og:site_name
    "dagbladet.no") still writes its name in its chrome and credits ("Jobb i Dagbladet",
    "Foto: … / Dagbladet"). Only a spelling of the address's own first label counts, so
    nothing is guessed ("nytimes.com" stays "nytimes.com" unless the page writes
    "NYTimes"); it must be seen `SPELLED_MIN` times, and a label of four letters or fewer
    only in capitals ("LRT"), since short labels are often words ("news", "fr")."""
    label = host.split(".")[0]
    key = squash(label)
    if len(key) < 3:
        return None
    probe = key[:3]
    counts: dict[str, int] = {}
    for text in texts[:SPELLED_MAX_LINES]:
        if len(text) > SPELLED_MAX_LINE or probe not in text.casefold():
            continue
        words = list(_WORD.finditer(text))
        for i, first in enumerate(words):
            acc = ""
            for last in words[i:i + 3]:
                acc += squash(last.group())
                if len(acc) >= len(key):
                    break
            if acc != key:
                continue
            span = text[first.start():last.end()]
            if span.islower() or _TLD_AFTER.match(text, last.end()):
                continue  # the address itself ("dagbladet.no", "WinFuture.de"), not a name
            if len(key) <= 4 and not span.isupper():
                continue
            counts[span] = counts.get(span, 0) + 1
    best = max(counts.items(), key=lambda kv: kv[1], default=None)
    return best[0] if best and best[1] >= SPELLED_MIN else None
