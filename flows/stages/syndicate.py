"""Syndicate stage: find wire stories carried by several sites (near-duplicate articles).

Pure: text in, clusters out. No Prefect, no DuckDB. The post-load hook stores each
article's MinHash signature once (`signature`), then re-clusters the whole corpus from the
stored signatures after every run (`cluster`), which only needs the LSH index and a union-find,
so a run costs MinHashes for its new articles only.

Method: the body is lower-cased and split into words (any script); a document is the set of
its overlapping `shingle_words`-word shingles; MinHash (`num_perm` permutations, fixed seed,
so signatures are comparable across runs) estimates Jaccard similarity; MinHash LSH proposes
candidate pairs above a loose threshold; a pair is kept when the estimated Jaccard reaches
`min_jaccard`, or when the smaller article is mostly contained in the larger one
(`min_containment`: a reprint that cut the last paragraphs, or one that added a sentence).
Kept pairs are joined transitively into clusters (union-find).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from hashlib import sha1
from typing import Iterable, Sequence

import numpy as np

WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class SyndicateOptions:
    shingle_words: int = 5
    num_perm: int = 128
    seed: int = 1
    scheme: str = "affine32"        # datasketch's permutation scheme; stored signatures need it
    lsh_threshold: float = 0.3      # candidate generation; looser than the verification below
    min_jaccard: float = 0.5
    min_containment: float = 0.8
    min_shingles: int = 20          # shorter texts (a teaser, a caption) never cluster
    # Shingles from the first this many words only: a wire story and its reprints share
    # their opening, and a 4 MB live blog (700,000 shingles) took 10 s to hash. Longer than
    # any article in the bench or the corpora, so no stored signature changes.
    max_words: int = 20_000

    @property
    def method(self) -> str:
        """Stored next to each signature: signatures made with other settings are recomputed."""
        return f"minhash-{self.scheme}-w{self.shingle_words}-p{self.num_perm}-s{self.seed}"


@dataclass(frozen=True)
class Signature:
    doc_id: str
    shingle_count: int
    hashvalues: tuple[int, ...]


@dataclass(frozen=True)
class ClusterMember:
    cluster_id: str          # the smallest doc_id of the cluster: stable across runs
    doc_id: str
    cluster_size: int
    similarity: float        # best estimated Jaccard with another member
    containment: float       # best estimated containment with another member


def words(text: str) -> list[str]:
    return WORD.findall(text.casefold())


def shingles(text: str, k: int, max_words: int | None = None) -> set[str]:
    w = words(text)[:max_words]
    if len(w) < k:
        return {" ".join(w)} if w else set()
    # the k-word windows, zipped from k staggered views rather than sliced one by one
    return set(map(" ".join, zip(*(w[i:] for i in range(k)))))


def sha1_hashes32(items: Iterable[str]) -> list[int]:
    """datasketch's default `sha1_hash32` of each item's UTF-8 bytes (the first four bytes of
    its SHA-1, little-endian), decoded in one `frombuffer` instead of one `struct` call each."""
    digests = b"".join([sha1(s.encode("utf-8")).digest()[:4] for s in items])
    return np.frombuffer(digests, dtype="<u4").tolist()


def signature(doc_id: str, text: str, opts: SyndicateOptions, permutations=None) -> Signature:
    """`permutations` from an earlier MinHash with the same options saves recomputing them.

    The shingles are hashed here (`sha1_hashes32`, the values datasketch's default hash
    gives) and handed to the MinHash as integers; a minimum needs no sorted order, so the
    signature is the one `update_batch` over the sorted encoded shingles gave."""
    from datasketch import MinHash

    sh = shingles(text, opts.shingle_words, opts.max_words)
    m = MinHash(num_perm=opts.num_perm, seed=opts.seed, scheme=opts.scheme,
                permutations=permutations, hashfunc=int)
    if sh:
        m.update_batch(sha1_hashes32(sh))
    return Signature(doc_id, len(sh), tuple(m.hashvalues.tolist()))


def signatures(docs: Iterable[tuple[str, str]], opts: SyndicateOptions) -> list[Signature]:
    from datasketch import MinHash

    perms = MinHash(num_perm=opts.num_perm, seed=opts.seed, scheme=opts.scheme).permutations
    return [signature(doc_id, text, opts, perms) for doc_id, text in docs]


def _jaccard(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.count_nonzero(a == b)) / len(a)


def _containment(j: float, na: int, nb: int) -> float:
    """|A n B| / min(|A|, |B|), from the Jaccard estimate and the two set sizes."""
    if j <= 0 or min(na, nb) == 0:
        return 0.0
    inter = j * (na + nb) / (1 + j)
    return min(1.0, inter / min(na, nb))


def cluster(sigs: Sequence[Signature], opts: SyndicateOptions) -> list[ClusterMember]:
    """Group near-duplicate articles. Returns members of clusters of two or more, sorted."""
    from datasketch import MinHash, MinHashLSH

    usable = [s for s in sigs if s.shingle_count >= opts.min_shingles]
    if len(usable) < 2:
        return []
    lsh = MinHashLSH(threshold=opts.lsh_threshold, num_perm=opts.num_perm)
    values, sketches = {}, {}
    perms = MinHash(num_perm=opts.num_perm, seed=opts.seed, scheme=opts.scheme).permutations
    for s in usable:
        hv = np.asarray(s.hashvalues, dtype=np.uint64)
        values[s.doc_id] = hv
        sketches[s.doc_id] = MinHash(num_perm=opts.num_perm, seed=opts.seed, scheme=opts.scheme,
                                     hashvalues=hv, permutations=perms)
        lsh.insert(s.doc_id, sketches[s.doc_id], check_duplication=False)
    size = {s.doc_id: s.shingle_count for s in usable}

    parent = {d: d for d in values}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    best: dict[str, tuple[float, float]] = {}
    for s in sorted(usable, key=lambda s: s.doc_id):
        a = s.doc_id
        for b in lsh.query(sketches[a]):
            if b <= a:
                continue
            j = _jaccard(values[a], values[b])
            c = _containment(j, size[a], size[b])
            if j < opts.min_jaccard and c < opts.min_containment:
                continue
            for d in (a, b):
                pj, pc = best.get(d, (0.0, 0.0))
                best[d] = (max(pj, j), max(pc, c))
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)

    groups: dict[str, list[str]] = {}
    for d in best:
        groups.setdefault(find(d), []).append(d)
    out = []
    for members in groups.values():
        cid = min(members)
        for d in sorted(members):
            j, c = best[d]
            out.append(ClusterMember(cid, d, len(members), round(j, 4), round(c, 4)))
    return sorted(out, key=lambda m: (m.cluster_id, m.doc_id))
