"""Article HTML a client-rendered page ships in its hydration payload, not in its markup.

A React Server Components page (Next.js App Router) can send the article body only as
data: `self.__next_f.push([1, "..."])` scripts whose concatenated strings are the "flight"
stream, where a text row `<id>:T<hex byte length>,<text>` carries raw HTML such as the
article's `<p>` paragraphs. The visible markup then holds little more than the `<title>`,
so trafilatura and the rendering find nothing. This is the framework's wire format, not a
site's: any such page has it. Only read when the page itself yields no article.
"""
from __future__ import annotations

import json
import re

from lxml import html

_PUSH = re.compile(r'self\.__next_f\.push\(\[1,\s*("(?:[^"\\]|\\.)*")\]\)', re.S)
_TEXT_ROW = re.compile(rb"(?:^|\n)[0-9a-f]+:T([0-9a-f]{1,8}),")
_MARKUP = re.compile(rb"<(p|h[1-6]|li|blockquote)[\s>]", re.I)
MAX_SCRIPTS = 400


def flight_html(root: html.HtmlElement) -> str | None:
    """The HTML text rows of the page's RSC flight stream, joined; None when it has none."""
    parts: list[str] = []
    for script in root.xpath("//script[not(@src)]")[:MAX_SCRIPTS]:
        text = script.text or ""
        if "__next_f" not in text:
            continue
        for m in _PUSH.finditer(text):
            try:
                parts.append(json.loads(m.group(1)))
            except ValueError:
                continue
    if not parts:
        return None
    stream = "".join(parts).encode("utf-8", "surrogatepass")
    rows = []
    for m in _TEXT_ROW.finditer(stream):
        chunk = stream[m.end():m.end() + int(m.group(1), 16)]
        if _MARKUP.search(chunk):
            rows.append(chunk.decode("utf-8", "replace"))
    return "\n".join(rows) or None
