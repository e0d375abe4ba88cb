"""Wire agency (origin of the story) from datelines and credits, separate from the publisher.

Signals, strongest first (weight before combining):

* `dateline`: an agency token right after a place name at the start of a paragraph:
  "MOSCOW (AP) –", "KYIV, Jan 28 (Reuters) -", "Berlin (dpa/AFP) -", "МОСКВА, 28 января.
  /ТАСС/.", "(ANSA) - ROMA"; agency tokens come from the registry (wire names, aliases and
  bracketed signatures), so "(AP Photo/...)" or "(Reuters photo)" never match.
* `wire_signature`: a literal wire signature from the registry near the start of a paragraph
  ("— РИА Новости.", "Укрінформ.", "EFE.-") or anywhere for long house phrases
  ("This material may not be published").
* `wire_copyright`: "Copyright 2019 The Associated Press", "© Reuters 2022".
* `wire_byline`: a short line "By The Associated Press", "Le Monde avec AFP", "mit dpa",
  "Source: Reuters", "Источник: ТАСС".
* `wire_contributed`: "... of the Associated Press contributed to this report".

Removed lines (chrome) count at `REMOVED_FACTOR` of their weight. Weights combine per agency
as 1 - prod(1 - w); the best agency at or above `MIN_CONFIDENCE` is the wire.
"""
from __future__ import annotations

import re

from flows.records import CleanPage, Evidence, OutletMatch
from flows.stages.detect.outlets import OutletRegistry, RegistryEntry

MIN_CONFIDENCE = 0.5
REMOVED_FACTOR = 0.8
DATELINE_WINDOW = 140
SIGNATURE_WINDOW = 70

_PAREN = re.compile(r"\(([^()]{2,40})\)\s*(?:[-–—:.]|$)")
_SLASH = re.compile(r"(?:^|[\s.,])/([^/\n]{2,30})/(?=\s*[.,-–—]|\s|$)")
_COPYRIGHT = re.compile(r"(?:©|\(c\)|copyright)\s*(?:©\s*)?(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*,?\s*)?"
                        r"(?P<name>[^.|;,\n©]{2,60})", re.I)
_BYLINE = re.compile(
    r"^(?:by|par|von|por|от|від|source|sources|quelle|fuente|fonte|источник|джерело)\s*:?\s+"
    r"(?P<name>.{2,60})$|"
    r"^(?P<pre>.{0,60}?)\s*\b(?:mit material (?:von|der)|with reporting (?:by|from)|"
    r"con información de|com informações d[aoe]|avec|with|mit|con|com|с|з)\s+"
    r"(?P<name2>[^,;]{2,40})$",
    re.I)
_CONTRIB = re.compile(r"contributed to this (?:report|story|article)|"
                      r"contribuyó a este|a contribué à cet", re.I)
# "contribu", which every `_CONTRIB` match holds, spelled out the way re.I matches it (the
# dotted and dotless i's included): without re.I, re skips ahead to a "c" or "C", ~4x
# faster over a page that has none.
_CONTRIB_CUE = re.compile("[cC][oO][nN][tT][rR][iIİı][bB][uU]")


def _wire_in(name: str, registry: OutletRegistry) -> list[RegistryEntry]:
    """Wire agencies named in a short credit string ("dpa/AFP", "The Associated Press")."""
    out = []
    tokens = registry.wire_tokens
    for part in re.split(r"\s*(?:/|,|&|\band\b|\bund\b|\bet\b|\by\b|\bи\b|\bта\b)\s*", name):
        part = part.strip(" .:-–—()\"'“”«»")
        part = re.sub(r"^(?:the|la|le|l'|die|der)\s+", "", part, flags=re.I)
        for cand in (part, "The " + part):
            e = tokens.get(cand) or (registry.match_name(cand) if len(cand) > 3 else None)
            if e is not None and e.is_wire:
                out.append(e)
                break
    return out


def wire_evidence(page: CleanPage, registry: OutletRegistry
                  ) -> dict[str, list[tuple[float, Evidence]]]:
    """Every wire signal on the page, by outlet id."""
    found: dict[str, list[tuple[float, Evidence]]] = {}

    def add(e: RegistryEntry, w: float, signal: str, text: str, line_no: int | None,
            keep: bool) -> None:
        w = w if keep else w * REMOVED_FACTOR
        found.setdefault(e.outlet_id, []).append((w, Evidence(signal, text[:300], line_no)))

    wires = [e for e in registry.entries if e.is_wire]
    any_signature = registry.wire_signature_pattern
    # Neither pattern has anchors or look-arounds, so one that finds nothing in the whole
    # page finds nothing in any of its lines: one search a page instead of one a line.
    joined = "\n".join(d.text for d in page.lines)
    if any_signature is not None and not any_signature.search(joined):
        any_signature = None
    contributed = _CONTRIB_CUE.search(joined) is not None and _CONTRIB.search(joined) is not None
    for d in page.lines:
        text = d.text.strip()
        head = text[:DATELINE_WINDOW]
        hit = False
        for rx, mark in ((_PAREN, "("), (_SLASH, "/")):
            if mark not in head:  # each pattern needs its bracket: most lines have neither
                continue
            for m in rx.finditer(head):
                if len(text[:m.start()].split()) > 8:
                    break
                for e in _wire_in(m.group(1), registry):
                    add(e, 0.9, "dateline", head, d.line_no, d.keep)
                    hit = True
        if not hit and any_signature is not None and any_signature.search(text):
            for e in wires:
                for sig in e.signatures:
                    if sig[0] in "(/":
                        continue  # bracketed tokens are datelines, matched above
                    pos = text.find(sig)
                    if pos < 0:
                        continue
                    if len(sig) >= 25 or (pos <= SIGNATURE_WINDOW
                                          and len(text[:pos].split()) <= 8):
                        add(e, 0.8, "wire_signature", text, d.line_no, d.keep)
                        break
        if len(text) <= 200:
            low = text.casefold()
            if "©" in text or "copyright" in low or "(c)" in low:
                for m in _COPYRIGHT.finditer(text):
                    if re.search(r"/|photo|foto|фото|image|getty", text, re.I):
                        break  # a photo credit names the photographer's agency
                    for e in _wire_in(m.group("name"), registry):
                        add(e, 0.85, "wire_copyright", text, d.line_no, d.keep)
            if len(text) <= 80:
                m = _BYLINE.match(text)
                if m:
                    for e in _wire_in(m.group("name") or m.group("name2"), registry):
                        add(e, 0.8, "wire_byline", text, d.line_no, d.keep)
        if contributed and _CONTRIB.search(text):
            for m, e in registry.find_names(text):
                if e.is_wire:
                    add(e, 0.8, "wire_contributed", text, d.line_no, d.keep)
    return found


def combine(weights: list[float]) -> float:
    p = 1.0
    for w in weights:
        p *= 1.0 - w
    return round(1.0 - p, 4)


def detect_wire(page: CleanPage, registry: OutletRegistry) -> OutletMatch | None:
    """The wire agency whose story this is, or None."""
    found = wire_evidence(page, registry)
    if not found:
        return None
    order = {oid: i for i, oid in enumerate(found)}  # first seen wins a tie
    best = max(found, key=lambda oid: (combine([w for w, _ in found[oid]]), -order[oid]))
    conf = combine([w for w, _ in found[best]])
    if conf < MIN_CONFIDENCE:
        return None
    e = registry.by_id[best]
    return OutletMatch(e.outlet_id, e.name, e.domains[0], True, conf,
                       tuple(ev for _, ev in found[best]))
