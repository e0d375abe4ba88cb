"""Detect stage: language, publisher, wire agency and cited outlets of a cleaned page.

`detect(page, registry, seed)` -> `Article`. The pieces live in their own modules:
`outlets` (registry), `language`, `wire`, `citations`; this module decides the publisher.

Publisher = the outlet whose page was scraped. Signals, strongest first:

1. The page's own address: `doc.url` (from the input: WARC target, JSONL `url`, sidecar),
   else the HTML's canonical / og:url; for a web-archive capture, the address it captured
   (`outlets.original_url`), so each archived site is its own outlet. Its host decides: a
   registered domain (or subdomain of one) gives that outlet; an unregistered host gives an
   unregistered outlet named from the site's own metadata (og:site_name, JSON-LD publisher)
   or the host. A wire agency is the publisher only here, on its own site.
2. Site metadata without an address: og:site_name / application-name / trafilatura's site
   name / JSON-LD publisher matched to a registry name or alias; else a `link rel=alternate`
   host; else the unregistered site name.
3. Text (plain-text scrapes, or HTML without any of the above): registry signatures ("Press
   TV’s website", "- Sputnik International, 1920"), self-reference phrases around an outlet
   name ("Blitz’s Editorial Board", "Follow X on"), copyright lines ("© 2022 BBC"). Lines the
   cleaner removed count more: chrome names its own site. Last and weakest, a bare "told X"
   self-credit outside quotes, for a non-wire outlet not cited any other way, and only when
   the story has no wire dateline (on a wire story, "told X" is the agency's reporting).

Text evidence is combined per outlet as 1 - prod(1 - w) and must reach `MIN_TEXT_CONFIDENCE`
("never claim a publisher on weak evidence": a reprinted AP story on an unknown site has no
publisher, only a wire).
"""
from __future__ import annotations

import html as htmllib
import json
import logging
import re
from typing import Iterable

from flows.records import (Article, BatchResult, CleanPage, Evidence, OutletMatch,
                           Rejection)
from flows.stages.batch import apply_batch
from flows.stages.detect.citations import scan
from flows.stages.detect.language import detect_language, paragraph_languages
from flows.stages._stoplists import ISO_TO_JUSTEXT, Stoplists
from flows.stages.detect.outlets import (OutletRegistry, RegistryEntry, host_of, load_registry,
                                  original_url)
from flows.stages.detect.wire import combine, detect_wire

log = logging.getLogger(__name__)

__all__ = ["OutletRegistry", "RegistryEntry", "load_registry", "detect", "detect_batch",
           "detect_outlet", "detect_wire", "detect_language", "page_meta"]

STAGE = "detect"
MIN_TEXT_CONFIDENCE = 0.5
META_SCAN_CHARS = 400_000  # metadata lives in <head>; never scan megabytes of body

_TAG = re.compile(r"<(meta|link)\b([^>]*)>", re.I)
_ATTR = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_LDJSON = re.compile(r"<script[^>]*application/ld\+json[^>]*>(.*?)</script>", re.I | re.S)
_COPYRIGHT = re.compile(r"(?:©|\(c\)|copyright)\s*(?:©\s*)?(?:\d{4}(?:\s*[-–—]\s*\d{4})?\s*[,.]?\s*)?"
                        r"(?!all rights)(?P<name>[^|;,.\s\n©][^|;,\n©]{1,59}?)(?:\.\s|\.$|\s+all rights|\s[-–—]\s|[|;,\n©]|$)",
                        re.I)
_PHOTO = re.compile(r"photo|getty|image|picture|/", re.I)
_SELF_AFTER = re.compile(
    r"^(?:[’']s?\s+(?:website|web site|editorial board|editorial team|app|newsletter|"
    r"journalists|staff|team|correspondent|reporter|podcast|privacy|terms)|,\s*1920,"
    r"|\s+News Roku|\s+(?:is|are) (?:not )?responsible|\s+(?:app|newsletter)\b)", re.I)
_SELF_BEFORE = re.compile(
    r"(?:follow|subscribe to|download the|sign up for|about|contact|welcome to|"
    r"more from|watch|listen to|подписывайтесь на|читайте|підписуйтесь на|suivez|folgen sie)"
    r"\s*$", re.I)


# --------------------------------------------------------------------------- page metadata

def _attrs(raw: str) -> dict[str, str]:
    out = {}
    for m in _ATTR.finditer(raw):
        val = m.group(2) if m.group(2) is not None else (
            m.group(3) if m.group(3) is not None else m.group(4))
        out[m.group(1).lower()] = htmllib.unescape(val or "").strip()
    return out


def _publisher_names(node, out: list[str], depth: int = 0) -> None:
    if depth > 6 or len(out) > 3:
        return
    if isinstance(node, list):
        for x in node[:50]:
            _publisher_names(x, out, depth + 1)
    elif isinstance(node, dict):
        pub = node.get("publisher")
        if isinstance(pub, str) and pub.strip():
            out.append(pub.strip())
        elif isinstance(pub, (dict, list)):
            for p in pub if isinstance(pub, list) else [pub]:
                if isinstance(p, dict) and isinstance(p.get("name"), str) and p["name"].strip():
                    out.append(p["name"].strip())
        for v in node.values():
            if isinstance(v, (dict, list)):
                _publisher_names(v, out, depth + 1)


def page_meta(html: str) -> dict:
    """Site identity fields of an HTML page: canonical, og:url, og:site_name, JSON-LD publisher."""
    head = html[:META_SCAN_CHARS]
    meta: dict = {"alternates": []}
    for m in _TAG.finditer(head):
        a = _attrs(m.group(2))
        if m.group(1).lower() == "link":
            rel = a.get("rel", "").lower().split()
            href = a.get("href", "")
            if "canonical" in rel and href:
                meta.setdefault("canonical", href)
            elif ("alternate" in rel or "amphtml" in rel) and href.startswith("http"):
                meta["alternates"].append(href)
        else:
            key = (a.get("property") or a.get("name") or "").lower()
            val = a.get("content", "")
            if key in ("og:url", "og:site_name", "application-name", "twitter:url") and val:
                meta.setdefault(key, val)
    names: list[str] = []
    for m in list(_LDJSON.finditer(head))[:10]:
        try:
            _publisher_names(json.loads(m.group(1), strict=False), names)
        except (ValueError, RecursionError):
            continue
    if names:
        meta["publisher"] = names[0]
    return meta


# --------------------------------------------------------------------------- publisher

def _match(entry: RegistryEntry, domain: str | None, conf: float,
           evidence: list[Evidence]) -> OutletMatch:
    return OutletMatch(entry.outlet_id, entry.name, domain or entry.domains[0], True,
                       round(min(conf, 0.99), 4), tuple(evidence))


def _usable_name(name: str | None) -> str | None:
    """A site name fit to name an unregistered outlet ("Copyright 2014" is not one)."""
    if not name:
        return None
    name = re.sub(r"\s+", " ", name).strip()
    if not re.search(r"[^\W\d_]{2}", name) or re.match(r"(?i)^(?:©|copyright|\(c\))", name):
        return None
    return name[:120]


def text_evidence(page: CleanPage, registry: OutletRegistry
                  ) -> dict[str, list[tuple[float, Evidence]]]:
    """Self-references of registered (non-wire) outlets in the page's lines."""
    found: dict[str, list[tuple[float, Evidence]]] = {}
    sigs = [(s, e) for e in registry.entries if not e.is_wire for s in e.signatures]

    def add(e: RegistryEntry, w: float, signal: str, text: str, line_no: int, keep: bool):
        if e.is_wire:
            return
        w = w if keep else min(0.95, w + 0.1)  # chrome names its own site
        found.setdefault(e.outlet_id, []).append((w, Evidence(signal, text[:300], line_no)))

    for d in page.lines:
        text = d.text
        hit = False
        for sig, e in sigs:
            if sig in text and not (hit and e.outlet_id in found
                                    and found[e.outlet_id][-1][1].line_no == d.line_no):
                add(e, 0.85, "text_signature", text, d.line_no, d.keep)
                hit = True
        if len(text) <= 200 and ("©" in text or "opyright" in text or "(c)" in text.lower()):
            for m in _COPYRIGHT.finditer(text):
                name = m.group("name").strip()
                if _PHOTO.search(name):
                    continue
                name = re.split(r"\s+\d{4}\b|\s+[-–|]\s+", name)[0]
                e = registry.match_name(name)
                if e is not None:
                    add(e, 0.7, "copyright_line", text, d.line_no, d.keep)
                    hit = True
        if hit or len(text) > 400:
            continue
        for m, e in registry.find_names(text):
            if _SELF_AFTER.match(text[m.end():m.end() + 40]) or _SELF_BEFORE.search(
                    text[max(0, m.start() - 30):m.start()]):
                add(e, 0.7, "self_reference", text, d.line_no, d.keep)
    return found


def detect_outlet(page: CleanPage, registry: OutletRegistry,
                  wire: OutletMatch | None = None, self_credits: Iterable = ()
                  ) -> OutletMatch | None:
    """The publisher of the page (see the module docstring), or None."""
    meta = page_meta(page.doc.text) if page.doc.content_type == "html" else {}
    identity = [(sig, n) for sig, n in (
        ("og_site_name", meta.get("og:site_name")),
        ("application_name", meta.get("application-name")),
        ("site_name", page.site_name),
    ) if n]
    publisher = [(sig, n) for sig, n in (
        ("jsonld_publisher", page.publisher_hint or meta.get("publisher")),) if n]

    # 1. the page's own address
    for signal, url, conf in (("url_domain", page.doc.url, 0.95),
                              ("canonical_url", page.canonical_url or meta.get("canonical"), 0.9),
                              ("og_url", meta.get("og:url"), 0.9),
                              ("twitter_url", meta.get("twitter:url"), 0.85)):
        host = host_of(original_url(url))  # an archived page's site, not the archive
        if not host:
            continue
        ev = [Evidence(signal, url)]
        # A capture's site names that merely repeat the archive's host (trafilatura's site
        # name falls back to the address) name the archive, not the site.
        archive = host_of(url) if host != host_of(url) else None
        names = [(sig, n) for sig, n in identity + publisher
                 if archive is None or n.strip().lower().removeprefix("www.") != archive]
        hit = registry.match_host(host)
        if hit:
            entry, domain = hit
            for sig, n in names:
                if registry.match_name(n) is entry:
                    ev.append(Evidence(sig, n))
                    conf = combine([conf, 0.5])
            return _match(entry, domain, conf, ev)
        for sig, n in names:  # a mirror of a registered outlet names itself
            if (sig, n) not in identity:
                continue
            entry = registry.match_name(n)
            if entry is not None:
                ev.append(Evidence(sig, n))
                return _match(entry, host, conf * 0.9, ev)
        name = None
        for sig, n in names:
            if _usable_name(n):
                name = _usable_name(n)
                ev.append(Evidence(sig, n))
                break
        return OutletMatch(None, name or host, host, False, round(conf * 0.9, 4), tuple(ev))

    # 2. site metadata without an address
    for sig, n in identity + publisher:
        entry = registry.match_name(n)
        if entry is not None and (not entry.is_wire or sig != "jsonld_publisher"):
            return _match(entry, None, 0.8, [Evidence(sig, n)])
    for url in meta.get("alternates", []):
        host = host_of(original_url(url))
        hit = registry.match_host(host)
        if hit:
            return _match(hit[0], hit[1], 0.7, [Evidence("alternate_url", url)])
    hosts = [host_of(original_url(u)) for u in meta.get("alternates", [])]
    if hosts and hosts[0] and all(h == hosts[0] for h in hosts):
        name = next((_usable_name(n) for _, n in identity + publisher if _usable_name(n)), None)
        return OutletMatch(None, name or hosts[0], hosts[0], False, 0.6,
                           (Evidence("alternate_url", meta["alternates"][0]),))

    # 3. the text
    found = text_evidence(page, registry)
    if wire is None:
        kept_lines = [d.line_no for d in page.lines if d.keep]
        for c in self_credits:
            line_no = (kept_lines[c.paragraph_no - 1]
                       if len(kept_lines) == len(page.paragraphs) else None)
            found.setdefault(c.entry.outlet_id, []).append(
                (0.55, Evidence("self_credit", c.sentence[:300], line_no)))
    best, best_conf = None, 0.0
    for oid, items in found.items():
        conf = combine([w for w, _ in items])
        if conf > best_conf:
            best, best_conf = oid, conf
    if best is not None and best_conf >= MIN_TEXT_CONFIDENCE:
        return _match(registry.by_id[best], None, best_conf, [ev for _, ev in found[best]])
    for sig, n in identity + publisher:
        name = _usable_name(n)
        if name:
            return OutletMatch(None, name, None, False, 0.6, (Evidence(sig, n),))
    # 4. an unregistered site's own copyright footer ("© 2022 The Harbour Courier. All
    # rights reserved. harbourcourier.example"), so the registry can grow from what was seen
    return copyright_outlet(page)


_DOMAIN = re.compile(r"(?<![\w@.-])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24})(?![\w@-])")


def copyright_outlet(page: CleanPage) -> OutletMatch | None:
    """An unregistered outlet named by a copyright line of the page's chrome (removed lines
    first, from the bottom up), with a domain when the same line gives one."""
    lines = [d for d in reversed(page.lines) if not d.keep] + [d for d in reversed(page.lines) if d.keep]
    for d in lines:
        text = d.text
        if len(text) > 200 or not ("©" in text or "opyright" in text):
            continue
        for m in _COPYRIGHT.finditer(text):
            raw = m.group("name").strip()
            if _PHOTO.search(raw):
                continue
            name = _usable_name(re.split(r"\s+\d{4}\b|\s+[-–|]\s+", raw)[0].strip(" «»\"“”'"))
            if not name:
                continue
            domains = [h for h in _DOMAIN.findall(text.lower()) if not h.endswith((".jpg", ".png"))]
            domain = domains[0].removeprefix("www.") if domains else None
            return OutletMatch(None, name, domain, False, 0.6,
                               (Evidence("copyright_line", text[:300], d.line_no),))
    return None


# --------------------------------------------------------------------------- stage

def detect(page: CleanPage, registry: OutletRegistry, seed: int = 0,
           stoplists: Stoplists | None = None) -> Article:
    """Language, publisher, wire and citations of one cleaned page. `stoplists` (jusText's,
    as the line classifier loads them) spare langdetect calls on paragraphs that plainly
    read as the page's language."""
    lang, conf = detect_language(page.text, seed)
    wire = detect_wire(page, registry)
    cites, credits = scan(page.paragraphs, registry)
    outlet = detect_outlet(page, registry, wire, credits)
    own = outlet.outlet_id if outlet is not None else None
    citations = tuple(c for c in cites if own is None or c.outlet_id != own)
    return Article(page=page, language=lang, language_confidence=conf, outlet=outlet,
                   wire=wire, citations=citations,
                   paragraph_languages=paragraph_languages(
                       page.paragraphs, lang, seed, _stopwords(stoplists, lang)))


def _stopwords(stoplists: Stoplists | None, lang: str) -> frozenset[str] | None:
    name = ISO_TO_JUSTEXT.get(lang)
    return stoplists.lists.get(name) if stoplists is not None and name else None


def detect_batch(pages: Iterable[CleanPage], registry: OutletRegistry, seed: int = 0,
                 stoplists: Stoplists | None = None) -> BatchResult:
    """Detect a batch; an unexpected error on one page becomes `error_<Type>`."""
    return apply_batch(pages, lambda page: detect(page, registry, seed, stoplists), stage=STAGE,
                       label="detected", identity=lambda p: (p.doc.doc_id, p.doc.source_uri))
