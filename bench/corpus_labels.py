"""Line labels for the plain-text renderings of the shared corpora (training data only).

Why: the bench's 121 labelled pages come from few sites; the corpora's dev halves add
hundreds of publishers in 20+ languages. Their gold is not line labels, so labels are
derived here, conservatively:

* fundus gold is the article body (one paragraph per line): a text line is body when it
  is (part of) a gold paragraph, holds a gold paragraph as most of itself, or is a
  sentence whose words are all the article's; every other line is chrome.
* trafilatura-eval gold is a few snippets per page that must appear ("with") or must not
  ("without"): a line holding a "with" snippet is body, one holding a "without" snippet is
  chrome, and every other line is unlabelled (None): it shapes its page's features but
  is not fitted.

Pages are grouped by registrable domain (`site_key`), so cross-validation can keep every
page of a publisher in one fold: the corpora's hidden halves are other publishers.
"""
from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Sequence

_WS = re.compile(r"\s+")
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\ufeff\u2060"), None)
_WORD = re.compile(r"\w+")
# a line whose words are (almost) all in the gold body is body only when it is a
# sentence, not a two-word heading that happens to reuse the article's words
MIN_OVERLAP_WORDS = 8
OVERLAP_SHARE = 0.9
CONTAINED_SHARE = 0.5  # a gold paragraph must be at least half of the line holding it
_SECOND_LEVEL = {"co", "com", "net", "org", "gov", "ac", "edu", "ne", "or"}
# the host at the start of a file name "<host>.<slug>" or "<host>-<slug>": up to the first
# top-level domain (common generic ones, or any two-letter country code)
_FILE_HOST = re.compile(r"^((?:[\w-]+\.)+?(?:com|org|net|info|biz|edu|gov|blog|news|"
                        r"[a-z]{2}))(?=[.-]|$)")


def norm(text: str) -> str:
    """NFC, invisible characters removed, whitespace collapsed (as the scorers compare)."""
    return _WS.sub(" ", unicodedata.normalize("NFC", text).translate(_INVISIBLE)).strip()


def body_labels(lines: Sequence[str], gold_body: str) -> list[bool | None]:
    """Per line of a page: True (body), False (chrome), None (blank)."""
    paragraphs = [norm(p) for p in gold_body.split("\n") if p.strip()]
    joined = "\n".join(paragraphs)
    gold_words = set(_WORD.findall(joined.casefold()))
    out: list[bool | None] = []
    for line in lines:
        t = norm(line)
        if not t:
            out.append(None)
        elif t in joined or any(p in t and len(p) >= CONTAINED_SHARE * len(t)
                                for p in paragraphs):
            out.append(True)
        else:
            words = _WORD.findall(t.casefold())
            out.append(len(words) >= MIN_OVERLAP_WORDS
                       and sum(w in gold_words for w in words) >= OVERLAP_SHARE * len(words))
    return out


def snippet_labels(lines: Sequence[str], with_: Sequence[str],
                   without: Sequence[str]) -> list[bool | None]:
    """Per line: True when it holds a must-appear snippet, False when it holds a
    must-not-appear one (and no must-appear one), else None (unknown)."""
    keep = [norm(s) for s in with_ if norm(s)]
    drop = [norm(s) for s in without if norm(s)]
    out: list[bool | None] = []
    for line in lines:
        t = norm(line)
        if t and any(s in t for s in keep):
            out.append(True)
        elif t and any(s in t for s in drop):
            out.append(False)
        else:
            out.append(None)
    return out


def site_key(host_or_url: str) -> str:
    """Registrable domain of a host or URL ("https://www.bbc.co.uk/x" -> "bbc.co.uk")."""
    host = re.sub(r"^[a-z]+://", "", host_or_url.strip().casefold()).split("/", 1)[0]
    parts = [p for p in host.split(".") if p and p != "www"]
    if len(parts) >= 3 and parts[-2] in _SECOND_LEVEL:
        return ".".join(parts[-3:])
    return ".".join(parts[-2:]) if parts else host


def fundus_pages(root: Path) -> list[tuple[str, str, str, str]]:
    """(id, site, text, gold body) of each fundus page with a non-empty rendering."""
    out = []
    with open(root / "manifest.jsonl", encoding="utf-8") as f:
        for line in f:
            m = json.loads(line)
            text_path = root / "text" / f"{m['id']}.txt"
            gold = json.loads((root / "gold" / f"{m['id']}.json").read_text(encoding="utf-8"))
            if text_path.exists():
                out.append((m["id"], site_key(m["publisher_domain"]),
                            text_path.read_text(encoding="utf-8"), gold["body"]))
    return out


def trafeval_pages(root: Path) -> list[tuple[str, str, str, dict]]:
    """(id, site, text, snippets) of each trafilatura-eval page; the site is the domain
    in the page's file name ("te0002-bahamaslocal.com-atlantis" -> "bahamaslocal.com")."""
    snippets = json.loads((root / "snippets.json").read_text(encoding="utf-8"))
    out = []
    for pid, item in sorted(snippets.items()):
        text_path = root / "text" / f"{pid}.txt"
        if text_path.exists():
            name = pid.split("-", 1)[1] if "-" in pid else pid
            host = _FILE_HOST.match(name)
            out.append((pid, site_key(host.group(1) if host else name),
                        text_path.read_text(encoding="utf-8"), item))
    return out
