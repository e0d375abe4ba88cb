"""Large but legitimate news pages, made on the fly: the sizes real crawls hold.

Pages of 5-15 MB are not rare: a live blog with thousands of updates, a page that inlines
its app state (Next.js `__NEXT_DATA__`, Nuxt's `window.__NUXT__`) or base64 images. Each
page made here has a real article (distinct paragraphs of plain prose) and the rest of its
bytes in one of those shapes, so cleaning must find the article inside the bulk.
"""
from __future__ import annotations

import base64
import json
import random
from pathlib import Path

WORDS = ("the council said on monday that harbour workers would return after talks over "
         "wages and night shifts ended with an agreement signed by both unions and the port "
         "authority while ferry services to the islands resumed slowly amid long queues of "
         "trucks waiting since the weekend according to officials who asked drivers for "
         "patience as inspectors checked cargo and cranes were repaired").split()


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(12, 24))]
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random, i: int) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(3, 6))) + f" (Update {i}.)"


def big_page(size: int, shape: str, seed: int) -> bytes:
    """An HTML page of about `size` bytes: an article of 30 paragraphs plus, by `shape`,
    a live blog's updates (`liveblog`), an inline JSON state blob (`state`) or inline
    base64 images (`images`)."""
    rng = random.Random(seed)
    title = f"Port strike ends after {seed + 3} days of talks"
    body = [f"<p>{_paragraph(rng, i)}</p>" for i in range(30)]
    head = (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} | "
            f"Harbour Courier</title><meta property=\"og:site_name\" content=\"Harbour Courier\">"
            f"<link rel=\"canonical\" href=\"https://harbour-courier.example/{seed}\"></head><body>"
            f"<nav><a href=\"/\">Home</a> <a href=\"/news\">News</a></nav><article><h1>{title}</h1>"
            f"<p class=\"byline\">By Ana Ruiz</p>")
    tail_parts: list[str] = []
    budget = size - len(head) - sum(len(p) for p in body) - 200
    if shape == "liveblog":
        # 400 updates, each in the heavy markup live blogs carry (share buttons with inline
        # SVG icons, tracking attributes): the text is ~1 % of the bytes.
        updates = 400
        icon = "<svg viewBox=\"0 0 24 24\"><path d=\"" + " ".join(
            f"M{rng.randint(0, 24)} {rng.randint(0, 24)}L{rng.randint(0, 24)} {rng.randint(0, 24)}"
            for _ in range(60)) + "\"/></svg>"
        share = "".join(f"<button class=\"share share-{n}\" data-track=\"{n}\">{icon}</button>"
                        for n in ("facebook", "x", "whatsapp", "mail"))
        pad = max(0, budget // updates - len(share) - 600)
        for i in range(30, 30 + updates):
            body.append(f"<div class=\"update\" data-state=\"{'x' * pad}\"><time>12:{i % 60:02d}"
                        f"</time><p>{_paragraph(rng, i)}</p><div class=\"tools\">{share}</div></div>")
    elif shape == "state":
        items, used = [], 0
        while used < budget:
            item = {"id": len(items), "headline": _sentence(rng), "teaser": _sentence(rng),
                    "tags": rng.sample(WORDS, 4)}
            items.append(item)
            used += len(json.dumps(item)) + 1
        tail_parts.append("<script id=\"__NEXT_DATA__\" type=\"application/json\">"
                          + json.dumps({"props": {"pageProps": {"related": items}}}) + "</script>")
    elif shape == "images":
        n = max(1, budget // 400_000)
        for k in range(n):
            blob = base64.b64encode(rng.randbytes(min(budget // n, 400_000) * 3 // 4)).decode()
            tail_parts.append(f"<figure><img alt=\"photo {k}\" src=\"data:image/jpeg;base64,{blob}\"></figure>")
    else:
        raise ValueError(shape)
    html = head + "".join(body) + "</article>" + "".join(tail_parts) + "</body></html>"
    return html.encode("utf-8")


def write_big_pages(folder: Path, count: int, min_mb: float = 5, max_mb: float = 15) -> list[Path]:
    """`count` pages from `min_mb` to `max_mb` MB, shapes in turn, as `big-NN.html`."""
    folder.mkdir(parents=True, exist_ok=True)
    shapes = ("liveblog", "state", "images")
    out = []
    for i in range(count):
        mb = min_mb + (max_mb - min_mb) * (i / max(1, count - 1))
        path = folder / f"big-{i:02d}.html"
        path.write_bytes(big_page(int(mb * 1024 * 1024), shapes[i % 3], i))
        out.append(path)
    return out
