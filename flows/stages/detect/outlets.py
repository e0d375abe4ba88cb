"""Outlet registry: the known publishers and wire agencies, loaded from `outlets.csv`.

One row per outlet in `warehouse/reference/outlets.csv`:

    outlet_id,name,aliases,domains,country,languages,kind,signatures

`aliases`, `domains`, `languages` and `signatures` are `;`-separated. `domains` lists every
host the outlet publishes under (old names, mirrors, regional editions; a listed domain also
covers its subdomains). `signatures` are literal strings that only the outlet itself prints:
for a publisher, self-references in its chrome ("Press TV’s website", "- Sputnik
International, 1920"); for a wire agency, its credit tokens ("(AP)", "/ТАСС/").

The file is validated on load: a bad row raises `ValueError` naming the row, because a typo
in reference data would otherwise silently change what gets detected. Adding an outlet is a
row, not a code change.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Iterable, Sequence

from flows.stages.detect.page_scan import texts_matching
from flows.stages.detect.site_names import NameRules, load_name_rules

KINDS = frozenset({"wire", "broadcaster", "newspaper", "online", "magazine"})
COLUMNS = ("outlet_id", "name", "aliases", "domains", "country", "languages", "kind",
           "signatures")

# ISO 3166-1 alpha-2 (officially assigned codes), plus XK (Kosovo, user-assigned but universal).
ISO_COUNTRIES = frozenset("""
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR
BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ
EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW
GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY
KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV
MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY
QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG
TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM
ZW XK
""".split())

_DOMAIN_RE = re.compile(r"^(?=.{3,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_ID_RE = re.compile(r"^[a-z0-9_]+$")
_LANG_RE = re.compile(r"^[a-z]{2}$")
# Aliases shorter than this are only used for exact metadata matches (og:site_name "AP"),
# never searched for in free text, where "AA", "PL" or "FT" are mostly not outlets.
MIN_TEXT_ALIAS = 3


def trie_alternation(words: Iterable[str]) -> str:
    """A regex alternation of literal `words`, factored into a trie: "The (?:Times|Guardian)".

    Why: Python's `re` tries the branches of a flat alternation one by one at every
    candidate position, so the ~700 outlet names cost ~20 us a line of text, the most
    expensive step of publisher detection. Factored, each position costs one branch per
    character. Same matches as the flat alternation sorted longest first: at one position
    only words that are prefixes of one another can match, and the trie also tries the
    longest first (a word that ends inside a longer one is an optional tail, greedy).
    """
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [re.escape(ch) + build(sub) for ch, sub in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


@dataclass(frozen=True)
class RegistryEntry:
    outlet_id: str
    name: str
    aliases: tuple[str, ...]
    domains: tuple[str, ...]
    country: str
    languages: tuple[str, ...]
    kind: str
    signatures: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    @property
    def is_wire(self) -> bool:
        return self.kind == "wire"


def norm_name(name: str) -> str:
    """Key for exact name matching: casefolded, no leading "the", letters and digits only."""
    s = name.casefold().strip()
    s = re.sub(r"^the\s+", "", s)
    return re.sub(r"[\W_]+", "", s)


def host_of(url: str | None) -> str | None:
    """Lower-case host of a URL without `www.`; None when there is none."""
    if not url:
        return None
    m = re.match(r"^[a-z][a-z0-9+.-]*://([^/?#]+)", url.strip(), re.I)
    if not m:
        return None
    host = m.group(1).rsplit("@", 1)[-1].split(":")[0].strip(".").lower()
    host = re.sub(r"^www\d?\.", "", host)
    return host or None


# A web-archive capture's address embeds the address it captured: Wayback-style
# `<archive>/[web/]<timestamp>[<modifier>_]/<original-url>` (web.archive.org, archive-it,
# arquivo.pt and other Wayback installations serve captures under this form). The
# timestamp is 4-14 digits (a truncated one redirects to the nearest capture); the original
# keeps its scheme, though the archive may collapse its "//" to "/".
_ARCHIVED = re.compile(
    r"^[a-z][a-z0-9+.-]*://[^/?#]+/(?:[\w.-]+/){0,2}?\d{4,14}(?:[a-z]{2}_|\*)?/+"
    r"(?P<scheme>https?):/+(?P<rest>[^/?#\s]+\.[^/?#\s]+(?:[/?#].*)?)$", re.I)


def original_url(url: str | None) -> str | None:
    """The address a web-archive capture was taken of, or `url` itself when it is not a
    capture address (see `_ARCHIVED`). The publisher of an archived page is the archived
    site, not the archive: every capture would otherwise share one outlet, the archive's."""
    if not url:
        return url
    m = _ARCHIVED.match(url.strip())
    return f"{m.group('scheme').lower()}://{m.group('rest')}" if m else url


@dataclass(frozen=True)
class OutletRegistry:
    entries: tuple[RegistryEntry, ...]
    # how a site's printed name is cleaned (`outlet_names.csv`, beside `outlets.csv`)
    name_rules: NameRules = NameRules()

    @cached_property
    def by_id(self) -> dict[str, RegistryEntry]:
        return {e.outlet_id: e for e in self.entries}

    @cached_property
    def _domains(self) -> dict[str, RegistryEntry]:
        return {d: e for e in self.entries for d in e.domains}

    @cached_property
    def _names(self) -> dict[str, RegistryEntry]:
        out: dict[str, RegistryEntry] = {}
        for e in self.entries:  # the name wins over another outlet's alias
            for n in e.aliases:
                out.setdefault(norm_name(n), e)
        for e in self.entries:
            out[norm_name(e.name)] = e
        out.pop("", None)
        return out

    def match_host(self, host: str | None) -> tuple[RegistryEntry, str] | None:
        """The outlet publishing under `host` and the most specific registered domain."""
        if not host:
            return None
        parts = host.lower().split(".")
        for i in range(len(parts) - 1):
            cand = ".".join(parts[i:])
            if cand in self._domains:
                return self._domains[cand], cand
        return None

    def name_line(self, text: str) -> RegistryEntry | None:
        """The outlet a whole line names exactly, name or alias of >= 3 characters as
        printed ("Le Figaro", not "le figaro"), without the tagline splitting of
        `match_name`: a chrome line that is just the name is the site's logo or home link."""
        e = self._text_alias.get(text.strip())
        return e if e is not None and len(text.strip()) >= MIN_TEXT_ALIAS else None

    def match_name(self, name: str | None) -> RegistryEntry | None:
        """Exact (normalised) match of a site name against names and aliases.

        Site names often carry a tagline ("Autoracing | F1 | Indy"), so each part split on
        `|`, ` - `, ` – `, `:` is tried too.
        """
        if not name:
            return None
        hit = self._names.get(norm_name(name))
        if hit:
            return hit
        for part in re.split(r"\s+[|\-–—:•]\s+|\s*\|\s*", name):
            hit = self._names.get(norm_name(part))
            if hit and len(norm_name(part)) >= 2:
                return hit
        return None

    @cached_property
    def wire_signature_pattern(self) -> re.Pattern[str] | None:
        """Any literal (not bracketed) wire signature: one search rules a line out before
        `wire.wire_evidence` tries each agency's signatures on it."""
        sigs = {sig for e in self.entries if e.is_wire for sig in e.signatures
                if sig and sig[0] not in "(/"}
        if not sigs:
            return None
        return re.compile(trie_alternation(sigs))

    @cached_property
    def text_pattern(self) -> re.Pattern[str]:
        """Any outlet name or alias (>= 3 chars) as a whole word, case-sensitive.

        "The X" names also match with a lower-case "the". A match directly followed by another
        capitalised word is part of a longer proper noun ("The National Guard") and is
        rejected by `find_names`.
        """
        alts = set()
        for e in self.entries:
            for n in e.names:
                if len(n) >= MIN_TEXT_ALIAS and (not n.islower() or n == "dpa"):
                    alts.add(n)
                    if n.startswith("The "):
                        alts.add("the " + n[4:])
        return re.compile(r"(?<![\w@/.-])(" + trie_alternation(alts) + r")(?![\w-]|\.\w)")

    @cached_property
    def _text_alias(self) -> dict[str, RegistryEntry]:
        out: dict[str, RegistryEntry] = {}
        for e in self.entries:
            for n in e.aliases:
                out.setdefault(n, e)
                if n.startswith("The "):
                    out.setdefault("the " + n[4:], e)
        for e in self.entries:
            out[e.name] = e
            if e.name.startswith("The "):
                out["the " + e.name[4:]] = e
        return out

    def texts_with_names(self, texts: Sequence[str]) -> set[int]:
        """Indices of the `texts` in which `text_pattern` matches: the texts a caller need
        pass to `find_names`. One scan of the texts joined by newlines instead of one call
        a text (~5 us each, most of a page's lines name nobody): the pattern's look-arounds
        see a newline as they see a text's edge and its names hold no newline, so the
        matches in the joined text are those of each text."""
        return texts_matching(self.text_pattern, texts)

    def find_names(self, text: str) -> list[tuple[re.Match[str], RegistryEntry]]:
        """Every outlet name in `text`, with its entry, left to right."""
        out = []
        for m in self.text_pattern.finditer(text):
            after = text[m.end():m.end() + 30]
            if re.match(r"[ \t]+(?:[A-Z][a-z]|[A-Z]{2,}\b)", after):
                continue  # "The National Guard": part of a longer proper noun
            e = self._text_alias.get(m.group(1))
            if e is not None:
                out.append((m, e))
        return out

    @cached_property
    def wire_tokens(self) -> dict[str, RegistryEntry]:
        """Names, aliases (any length) and bracketed signatures of wire agencies."""
        out: dict[str, RegistryEntry] = {}
        for e in self.entries:
            if not e.is_wire:
                continue
            for n in e.names:
                out.setdefault(n, e)
            for s in e.signatures:
                m = re.fullmatch(r"[(/]([^()/]+)[)/]", s.strip())
                if m:
                    out.setdefault(m.group(1), e)
        return out


def _split(v: str | None) -> tuple[str, ...]:
    return tuple(x.strip() for x in (v or "").split(";") if x.strip())


def load_registry(reference_dir: Path) -> OutletRegistry:
    """Read and validate `outlets.csv` (and the name rules of `outlet_names.csv`);
    `ValueError` names the first bad row."""
    path = Path(reference_dir) / "outlets.csv"
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
        rows = list(reader)
    entries: list[RegistryEntry] = []
    seen_ids: dict[str, int] = {}
    seen_domains: dict[str, str] = {}
    seen_names: dict[str, str] = {}
    for n, r in enumerate(rows, start=2):  # line 1 is the header
        where = f"{path.name} line {n} ({r.get('outlet_id') or '?'})"
        if None in r or any(r.get(c) is None for c in COLUMNS):
            raise ValueError(f"{where}: wrong number of fields (quote values with commas)")
        oid, name = r["outlet_id"].strip(), r["name"].strip()
        if not _ID_RE.match(oid):
            raise ValueError(f"{where}: outlet_id must be lower-case [a-z0-9_], got {oid!r}")
        if oid in seen_ids:
            raise ValueError(f"{where}: duplicate outlet_id {oid!r} (first on line "
                             f"{seen_ids[oid]})")
        seen_ids[oid] = n
        if not name:
            raise ValueError(f"{where}: empty name")
        key = norm_name(name)
        if key in seen_names:
            raise ValueError(f"{where}: name {name!r} already used by {seen_names[key]!r}")
        seen_names[key] = oid
        kind = r["kind"].strip()
        if kind not in KINDS:
            raise ValueError(f"{where}: unknown kind {kind!r} (one of {', '.join(sorted(KINDS))})")
        country = r["country"].strip()
        if country not in ISO_COUNTRIES:
            raise ValueError(f"{where}: bad country code {country!r} (ISO 3166 alpha-2, "
                             "upper case)")
        domains = tuple(d.lower() for d in _split(r["domains"]))
        if not domains:
            raise ValueError(f"{where}: at least one domain is required")
        for d in domains:
            if d.startswith("www.") or not _DOMAIN_RE.match(d):
                raise ValueError(f"{where}: bad domain {d!r} (bare host, no scheme or www.)")
            if d in seen_domains:
                raise ValueError(f"{where}: duplicate domain {d!r} (also {seen_domains[d]!r})")
            seen_domains[d] = oid
        languages = _split(r["languages"])
        if not languages or any(not _LANG_RE.match(x) for x in languages):
            raise ValueError(f"{where}: languages must be ISO 639-1 codes, got "
                             f"{r['languages']!r}")
        entries.append(RegistryEntry(oid, name, _split(r["aliases"]), domains, country,
                                     languages, kind, _split(r["signatures"])))
    if not entries:
        raise ValueError(f"{path}: no outlets")
    return OutletRegistry(tuple(entries), load_name_rules(reference_dir))
