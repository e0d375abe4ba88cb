"""Detect stage: language, publisher, wire agency and cited outlets of a cleaned page.

Placeholder: URL-domain and signature matching only; the full detector replaces this module.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from flows.records import Article, CleanPage, Evidence, OutletMatch


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


@dataclass(frozen=True)
class OutletRegistry:
    entries: tuple[RegistryEntry, ...]


def load_registry(reference_dir: Path) -> OutletRegistry:
    def split(v: str) -> tuple[str, ...]:
        return tuple(x.strip() for x in (v or "").split(";") if x.strip())

    with open(reference_dir / "outlets.csv", encoding="utf-8", newline="") as f:
        rows = [RegistryEntry(r["outlet_id"], r["name"], split(r["aliases"]), split(r["domains"]),
                              r["country"], split(r["languages"]), r["kind"], split(r["signatures"]))
                for r in csv.DictReader(f)]
    return OutletRegistry(tuple(rows))


def detect_language(text: str, seed: int = 0) -> tuple[str, float]:
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = seed
    try:
        best = detect_langs(text[:5000])[0]
    except LangDetectException:
        return "und", 0.0
    return best.lang.split("-")[0], float(best.prob)


def _domain(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or None


def detect_outlet(page: CleanPage, registry: OutletRegistry) -> OutletMatch | None:
    dom = _domain(page.canonical_url or page.doc.url)
    for e in registry.entries:
        if e.kind == "wire":
            continue
        if dom and any(dom == d or dom.endswith("." + d) for d in e.domains):
            return OutletMatch(e.outlet_id, e.name, e.domains[0], True, 0.95,
                               (Evidence("url_domain", dom),))
    for d in page.lines:
        for e in registry.entries:
            if e.kind == "wire":
                continue
            for sig in e.signatures:
                if sig in d.text:
                    return OutletMatch(e.outlet_id, e.name, e.domains[0], True, 0.8,
                                       (Evidence("text_signature", d.text, d.line_no),))
    if dom:
        return OutletMatch(None, page.site_name or dom, dom, False, 0.5, (Evidence("url_domain", dom),))
    return None


def detect_wire(page: CleanPage, registry: OutletRegistry) -> OutletMatch | None:
    for d in page.lines:
        if not d.keep:
            continue
        for e in registry.entries:
            if e.kind != "wire":
                continue
            for sig in e.signatures:
                if sig in d.text[:200]:
                    return OutletMatch(e.outlet_id, e.name, e.domains[0], True, 0.9,
                                       (Evidence("dateline", d.text[:200], d.line_no),))
    return None


def detect(page: CleanPage, registry: OutletRegistry, seed: int = 0) -> Article:
    lang, conf = detect_language(page.text, seed)
    return Article(page=page, language=lang, language_confidence=conf,
                   outlet=detect_outlet(page, registry), wire=detect_wire(page, registry))
