"""Detect stage: language, publisher, wire agency and cited outlets of a cleaned page.

`detect(page, registry, seed)` -> `Article`. The pieces live in their own modules:
`outlets` (registry), `language`, `wire`, `citations`; this module decides the publisher.

Publisher = the outlet whose page was scraped. Signals, strongest first:

1. The page's own address: `doc.url` (from the input: WARC target, JSONL `url`, sidecar),
   else the HTML's canonical / og:url; for a web-archive capture, the address it captured
   (`outlets.original_url`), so each archived site is its own outlet. Its host decides: a
   registered domain (or subdomain of one) gives that outlet; an unregistered host gives an
   unregistered outlet named from the site's own metadata (og:site_name, JSON-LD publisher)
   or the host; a name that is only the address ("dagbladet.no") takes the page's own
   spelling of it ("Dagbladet", `site_names.spelled_name`) when the page writes one. A
   wire agency is the publisher only here, on its own site.
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
from typing import Iterable, NamedTuple

from flows.records import (Article, BatchResult, CleanPage, Evidence, OutletMatch,
                           Rejection)
from flows.stages.batch import apply_batch
from flows.stages.detect.chrome_brand import chrome_brand
from flows.stages.detect.citations import scan
from flows.stages.detect.language import detect_language, paragraph_languages
from flows.stages._stoplists import ISO_TO_JUSTEXT, Stoplists
from flows.stages.detect.outlets import (OutletRegistry, RegistryEntry, host_of, load_registry,
                                  original_url)
from flows.stages.detect.site_names import (chrome_domain, clean_name, domain_agrees, email_domain,
                                            footer_name_sets, is_domain,
                                            logo_name, spelled_name, squash, title_segments,
                                            written_domains)
from flows.stages.detect.wire import combine, detect_wire

log = logging.getLogger(__name__)

__all__ = ["OutletRegistry", "RegistryEntry", "load_registry", "detect", "detect_batch",
           "detect_outlet", "detect_wire", "detect_language", "page_meta"]

STAGE = "detect"
MIN_TEXT_CONFIDENCE = 0.5
NAME_LINE_WEIGHT = 0.45  # with the chrome bonus, enough alone; a sister-site list needs more
META_SCAN_CHARS = 400_000  # metadata lives in <head>; never scan megabytes of body

_TAG = re.compile(r"<(meta|link)\b([^>]*)>", re.I)
_ATTR = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_LDJSON = re.compile(r"<script[^>]*application/ld\+json[^>]*>(.*?)</script>", re.I | re.S)
_PHOTO = re.compile(r"photo|foto|getty|image|picture|shutterstock|istock|alamy|imago|unsplash|"
                    r"pixabay|/", re.I)
_SELF_AFTER = re.compile(
    r"^(?:[’']s?\s+(?:website|web site|editorial board|editorial team|app|newsletter|"
    r"journalists|staff|team|correspondent|reporter|podcast|privacy|terms)|,\s*1920,"
    r"|\s+News Roku|\s+(?:is|are) (?:not )?responsible|\s+(?:app|newsletter)\b)", re.I)
_SELF_BEFORE = re.compile(
    r"(?:follow|subscribe to|download the|sign up for|about|contact|welcome to|"
    r"more from|watch|listen to|подписывайтесь на|читайте|підписуйтесь на|suivez|folgen sie)"
    r"\s*$", re.I)


# --------------------------------------------------------------------------- page metadata

# What `page_meta` reads: link rels and meta names. Most of a page's tags name none of them.
_LINK_KEYS = ("canonical", "alternate", "amphtml")
_META_KEYS = ("og:url", "og:site_name", "application-name", "twitter:url")

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
        raw = m.group(2)
        is_link = m.group(1).lower() == "link"
        if "&" not in raw and not any(k in raw.lower() for k in (
                _LINK_KEYS if is_link else _META_KEYS)):
            continue  # without entities, a tag that names none of the keys has none of them
        a = _attrs(raw)
        if is_link:
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

class Footer(NamedTuple):
    """What a copyright line names: cleaned names, whether it reads as a site footer, and
    the names with group words kept, for registry look-ups (see `clean_name`)."""

    names: list[str]
    strong: bool
    registry_names: list[str]


def _match(entry: RegistryEntry, domain: str | None, conf: float,
           evidence: list[Evidence]) -> OutletMatch:
    return OutletMatch(entry.outlet_id, entry.name, domain or entry.domains[0], True,
                       round(min(conf, 0.99), 4), tuple(evidence))


def _usable_name(name: str | None, registry: OutletRegistry,
                 host: str | None = None) -> str | None:
    """A site name fit to name an unregistered outlet: cleaned of rights notices and legal
    forms ("ntv.de Alle Rechte vorbehalten" is ntv.de, "Copyright 2014" names nobody); of
    a name with a tagline ("Breaking Australian and World News Headlines - 9News") the part
    the site's host spells."""
    if not name:
        return None
    name = re.sub(r"\s+", " ", name).strip()
    if host:
        parts = [p for p in re.split(r"\s+[|\-–—:•]\s+|\s*\|\s*", name) if p.strip()]
        if len(parts) > 1:
            name = next((p for p in parts if domain_agrees(p, host)), name)
    return clean_name(name, registry.name_rules)


def _address_only(name: str) -> bool:
    """A site name that is only an address in lower case ("dagbladet.no",
    "https://www.kleinezeitung.at"): the page may spell the name better."""
    return "://" in name or (is_domain(name) and name == name.lower())


def _registry_name(name: str | None, registry: OutletRegistry) -> RegistryEntry | None:
    """The registered outlet a site name names, as printed or cleaned ("Ediciones EL PAÍS
    S.L" is El País, "Insider Inc." is Insider)."""
    return registry.match_name(name) or registry.match_name(
        clean_name(name, registry.name_rules, groups=False))


def page_footers(page: CleanPage, registry: OutletRegistry) -> dict[int, Footer]:
    """`footer_names` of every copyright or rights line of the page, by line number (the
    text evidence and the unregistered site both read them; one scan of the lines)."""
    rules = registry.name_rules
    out = {}
    for d in page.lines:
        # the story's own lines only by a copyright sign: a rights phrase alone is a footer
        # only in the chrome (and the full test costs a few us a line)
        if (not d.keep or "©" in d.text or "opyright" in d.text) and rules.may_be_footer(d.text):
            names, registry_names, strong = footer_name_sets(d.text, rules)
            if names or registry_names:
                out[d.line_no] = Footer(names, strong, registry_names)
    return out


def text_evidence(page: CleanPage, registry: OutletRegistry,
                  footers: dict[int, Footer] | None = None
                  ) -> dict[str, list[tuple[float, Evidence]]]:
    """Self-references of registered outlets in the page's lines (a wire only by its own
    site's footer)."""
    if footers is None:
        footers = page_footers(page, registry)
    found: dict[str, list[tuple[float, Evidence]]] = {}
    sigs = [(s, e) for e in registry.entries if not e.is_wire for s in e.signatures]

    def add(e: RegistryEntry, w: float, signal: str, text: str, line_no: int, keep: bool,
            wire_ok: bool = False):
        if e.is_wire and not wire_ok:
            return
        w = w if keep else min(0.95, w + 0.1)  # chrome names its own site
        found.setdefault(e.outlet_id, []).append((w, Evidence(signal, text[:300], line_no)))

    texts = [d.text for d in page.lines]
    joined = "\n".join(texts)
    if not any(sig in joined for sig, _ in sigs):  # literals: in no line if not in the page
        sigs = []
    # the lines `find_names` finds anything in, of those it is asked about (<= 400 chars)
    short = [i for i, t in enumerate(texts) if len(t) <= 400]
    named = {short[j] for j in registry.texts_with_names([texts[i] for i in short])}
    for i, d in enumerate(page.lines):
        text = d.text
        hit = False
        for sig, e in sigs:
            if sig in text and not (hit and e.outlet_id in found
                                    and found[e.outlet_id][-1][1].line_no == d.line_no):
                add(e, 0.85, "text_signature", text, d.line_no, d.keep)
                hit = True
        foot = footers.get(d.line_no)
        for name in foot.registry_names if foot is not None else ():
            e = None if _PHOTO.search(name) else registry.match_name(name)
            if e is not None:
                # a wire's own site: its legal footer ("© 2024 Reuters. All rights
                # reserved") in the chrome; a reprint credits the wire in the story
                add(e, 0.7, "copyright_line", text, d.line_no, d.keep,
                    wire_ok=foot.strong and not d.keep and not _PHOTO.search(text))
                hit = True
                break
        if hit or len(text) > 400:
            continue
        if not d.keep and 5 <= len(text) <= 60:  # the site's logo line: its name alone
            e = registry.name_line(text)
            if e is not None:  # once: a repeated nav link is no more evidence
                if not any(ev.signal == "name_line" for _, ev in found.get(e.outlet_id, ())):
                    add(e, NAME_LINE_WEIGHT, "name_line", text, d.line_no, d.keep)
                continue
        for m, e in registry.find_names(text) if i in named else ():
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
            entry = _registry_name(n, registry)
            if entry is not None:
                ev.append(Evidence(sig, n))
                return _match(entry, host, conf * 0.9, ev)
        name = None
        for sig, n in names:
            if _usable_name(n, registry, host):
                name = _usable_name(n, registry, host)
                ev.append(Evidence(sig, n))
                break
        if name is None or _address_only(name):
            spelled = spelled_name([d.text for d in page.lines], host)
            if spelled:
                name = spelled
                ev.append(Evidence("page_spelling", spelled))
            elif name and "://" in name:
                name = host
        return OutletMatch(None, name or host, host, False, round(conf * 0.9, 4), tuple(ev))

    # 2. site metadata without an address
    for sig, n in identity + publisher:
        entry = _registry_name(n, registry)
        if entry is not None and (not entry.is_wire or sig != "jsonld_publisher"):
            return _match(entry, None, 0.8, [Evidence(sig, n)])
    for url in meta.get("alternates", []):
        host = host_of(original_url(url))
        hit = registry.match_host(host)
        if hit:
            return _match(hit[0], hit[1], 0.7, [Evidence("alternate_url", url)])
    hosts = [host_of(original_url(u)) for u in meta.get("alternates", [])]
    if hosts and hosts[0] and all(h == hosts[0] for h in hosts):
        name = next((_usable_name(n, registry, hosts[0]) for _, n in identity + publisher
                     if _usable_name(n, registry, hosts[0])), None)
        return OutletMatch(None, name or hosts[0], hosts[0], False, 0.6,
                           (Evidence("alternate_url", meta["alternates"][0]),))

    # 3. the text: registered outlets named by the chrome, the title suffix or a footer
    footers = page_footers(page, registry)
    found = text_evidence(page, registry, footers)
    title = _title_line(page)
    for seg in title_segments(title.text) if title is not None else ():
        hit = registry.match_host(seg.lower()) if is_domain(seg) else None
        entry = hit[0] if hit else registry.match_name(seg)
        if entry is not None:  # a wire's own <title> ("… | Reuters") is its own site
            found.setdefault(entry.outlet_id, []).append(
                (TITLE_SUFFIX_WEIGHT, Evidence("title_suffix", title.text[:300], title.line_no)))
            break
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
    # an unregistered site that names itself in its title and footer outweighs a lone
    # "told X" about a registered one
    site = text_site(page, registry, footers)
    if site is not None:  # the site named itself by a registered name or host after all
        hit = registry.match_host(site.domain) if site.domain else None
        # a footer's name was looked up with its group words ("Vox Media" is not Vox)
        entry = hit[0] if hit else (None if site.evidence[0].signal == "copyright_line"
                                    else _registry_name(site.name, registry))
        if entry is not None and not entry.is_wire:
            items = found.setdefault(entry.outlet_id, [])
            items.insert(0, (site.confidence, site.evidence[0]))
            conf = combine([w for w, _ in items])
            if conf >= best_conf:  # as sure as the unregistered site would have been
                return _match(entry, hit[1] if hit else None, conf, [ev for _, ev in items])
            site = None
    if best is not None and best_conf >= MIN_TEXT_CONFIDENCE and (
            site is None or best_conf > site.confidence):
        return _match(registry.by_id[best], None, best_conf, [ev for _, ev in found[best]])
    for sig, n in identity + publisher:
        name = _usable_name(n, registry)
        if name:
            return OutletMatch(None, name, None, False, 0.6, (Evidence(sig, n),))
    # 4. an unregistered site's own title suffix and copyright footer ("© 2022 The Harbour
    # Courier. All rights reserved. harbourcourier.example"), so the registry can grow
    return site


TITLE_SUFFIX_WEIGHT = 0.8
BRAND_WEIGHT = 0.52  # over a bare footer (0.5: often the parent company), under a title suffix (0.55)
BRAND_BONUS = 0.15
CHROME_DOMAIN_WEIGHT = 0.52  # as the chrome brand: over a bare footer, under a title suffix
MAX_DOMAIN_LINE = 1000  # a site names its address in chrome and notes, not in long paragraphs
LOGO_LINES = 400  # a header logo's alt text comes before the story; a footer logo too
MAX_FOOTER_LINES = 3  # footers sit at the bottom: the first few copyright lines found
_WORD_START = re.compile(r"[^\W\d_]")


def _title_line(page: CleanPage):
    """The page's first line: a plain-text scrape starts with the page's <title>."""
    return next((d for d in page.lines if d.text.strip()), None)


def _is_wire_name(name: str, registry: OutletRegistry) -> bool:
    """"dpa-infocom", "AFP": a wire's credit names the story's source, not the site."""
    first = re.split(r"[\s\-/:,]+", name.strip())[0]
    entry = registry.match_name(name)
    return (entry is not None and entry.is_wire) or first in registry.wire_tokens


def _agree(a: str, b: str) -> bool:
    """Two spellings of one site name: equal, or one contains the other ("The West
    Australian" / "West Australian Newspapers"), ignoring case, spaces and punctuation."""
    ka, kb = squash(a), squash(b)
    if min(len(ka), len(kb)) < 3:
        return ka == kb and bool(ka)
    return ka in kb or kb in ka


def _initials(name: str) -> str:
    """"dm" of "Daily Maverick": chrome links often use the site's initials."""
    words = re.findall(r"[^\W\d_]+", name)
    return "".join(w[0] for w in words).casefold() if len(words) >= 2 else ""


def text_site(page: CleanPage, registry: OutletRegistry,
              footer_lines: dict[int, Footer] | None = None,
              use_title: bool = True) -> OutletMatch | None:
    """An unregistered outlet as the page names itself: the <title> suffix ("Headline |
    Site") and the copyright footer (removed lines first, from the bottom up), cleaned of
    rights notices and legal forms (`site_names`), with a domain written on the page that
    spells the name. A name both give, or that a written domain spells, is the surer."""
    rules = registry.name_rules
    if footer_lines is None:
        footer_lines = page_footers(page, registry)
    title = _title_line(page) if use_title else None
    if title is not None and title.line_no in footer_lines:
        title = None  # a page that opens with its footer has no title line
    segs = title_segments(title.text) if title is not None else []
    footers: list[tuple[str, bool, object]] = []
    ordered = [d for d in reversed(page.lines) if not d.keep] + \
        [d for d in reversed(page.lines) if d.keep]
    for d in ordered:
        if d.line_no not in footer_lines:
            continue
        names, strong = footer_lines[d.line_no].names, footer_lines[d.line_no].strong
        credit = re.split(r"\s*\|", d.text)[0]
        if _PHOTO.search(credit):  # "© dpa/Zuma Wire/K.C. Alfred": a photo credit
            continue
        names = [n for n in names if not _PHOTO.search(n) and not _is_wire_name(n, registry)]
        if names and (strong or not d.keep):
            footers.append((names[0], strong, d))
            if len(footers) >= MAX_FOOTER_LINES:
                break
    brand = chrome_brand(page.lines, rules)
    removed = [d for d in page.lines if not d.keep]
    own_host = chrome_domain([d.text for d in removed], rules)
    if not segs and not footers and brand is None and own_host is None and not any(
            not d.keep and logo_name(d.text) for d in page.lines[:LOGO_LINES]):
        return None
    domains: list[str] = []

    def page_domains() -> list[str]:  # the chrome's short lines, read once when needed
        if not domains:
            domains.extend(written_domains("\n".join(
                d.text for d in page.lines if len(d.text) <= MAX_DOMAIN_LINE)) or [""])
        return [h for h in domains if h]
    title_key = squash(title.text) if title is not None else ""

    def domain_for(name: str) -> str | None:
        if is_domain(name):
            return re.sub(r"^www\d?\.", "", name.lower())
        return next((h for h in page_domains() if domain_agrees(name, h)), None)

    logo = next(((logo_name(d.text), d) for d in page.lines[:LOGO_LINES]
                 if not d.keep and logo_name(d.text)), None)
    logo_name_ = clean_name(logo[0], rules) if logo is not None else None
    cands: list[tuple[float, str, str | None, Evidence]] = []
    if logo_name_ and not _is_wire_name(logo_name_, registry):
        # the header logo is the brand itself: it wins ties with the title suffix
        dom = domain_for(logo_name_)
        w = 0.5 + (0.25 if any(_agree(logo_name_, x) for x in
                              segs[:3] + [f for f, _, _ in footers]) else 0) + (0.15 if dom else 0)
        cands.append((w, logo_name_, dom, Evidence("logo_line", logo[1].text[:300],
                                                   logo[1].line_no)))
    for i, seg in enumerate(segs[:3]):
        name = clean_name(seg, rules)
        if not name or _is_wire_name(name, registry):
            continue
        w = 0.55 - 0.05 * i
        same = next((f for f, _, _ in footers if _agree(name, f)), None)
        if same is not None:
            w += 0.25
            # "Washington Times" in the title, "The Washington Times, LLC" in the footer:
            # the footer has the full name when it only adds a leading article
            if len(same.split()) == len(name.split()) + 1 and \
                    squash(same.split(" ", 1)[1]) == squash(name):
                name = same
        dom = domain_for(name)
        if dom:
            w += 0.15
        cands.append((w, name, dom, Evidence("title_suffix", title.text[:300], title.line_no)))
    for k, (name, strong, d) in enumerate(footers):
        dom = domain_for(name)
        if dom is None:  # "© 2022 Name – namesite.example": the same line's address
            dom = next(iter(written_domains(d.text)), None)
        w = (0.5 if strong else 0.35) - 0.05 * k + (0.15 if dom and domain_agrees(name, dom) else 0)
        if len(squash(name)) >= 4 and squash(name) in title_key:  # the <title> names it too
            w += 0.2
        cands.append((w, name, dom, Evidence("copyright_line", d.text[:300], d.line_no)))
    brand_name = clean_name(brand.name, rules) if brand is not None else None
    if brand_name and not _is_wire_name(brand_name, registry):
        # the chrome's own links ("Über Euronews", "Euronews jobs") back a title or footer
        # name they spell; alone, they name the site over a parent company's footer
        same = [i for i, c in enumerate(cands)
                if _agree(c[1], brand.short) or _initials(c[1]) == squash(brand.short)]
        for i in same:
            cands[i] = (cands[i][0] + BRAND_BONUS,) + cands[i][1:]
        if not same:  # a brand is cleaned as any name ("Harbourpost GmbH Jobs")
            dom = domain_for(brand_name)
            w = min(BRAND_WEIGHT + 0.05 * (brand.lines - 2), 0.6) + (0.15 if dom else 0)
            cands.append((w, brand_name, dom, Evidence("chrome_brand", brand.text[:300],
                                                       brand.line_no)))
    if own_host is not None and not any(
            c[2] == own_host[0] or domain_agrees(c[1], own_host[0]) for c in cands):
        # the address the chrome writes twice over a parent company's footer
        d = removed[own_host[1]]
        cands.append((CHROME_DOMAIN_WEIGHT, own_host[0], own_host[0],
                      Evidence("chrome_domain", d.text[:300], d.line_no)))
    if not cands:
        return None
    w, name, dom, ev = max(cands, key=lambda c: c[0])
    if w < 0.35:
        return None
    if dom is None and not re.search(r"[A-Za-z]", name):
        # a name in another script ("한국일보") can't spell a host: the newsroom's e-mail
        # addresses give its own
        dom = own_host[0] if own_host is not None else email_domain(
            [d.text for d in page.lines], rules)
    return OutletMatch(None, name, dom, False, round(min(w, 0.9), 4), (ev,))


def copyright_outlet(page: CleanPage, registry: OutletRegistry) -> OutletMatch | None:
    """An unregistered outlet named by the page's copyright footer alone (see `text_site`)."""
    return text_site(page, registry, use_title=False)


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
