"""`syndicate.signature` hashes the shingles itself: the signature must be the one datasketch's
own `MinHash.update_batch` (default SHA-1 hash) gives over the encoded shingles."""
from __future__ import annotations

import pytest

from flows.stages.syndicate import SyndicateOptions, sha1_hashes32, shingles, signature

TEXTS = ["", "one", "one two three four", "one two three four five",
         "The agency said the talks would resume on Monday in Geneva. " * 5,
         "Ünïcödé wörds 日本語 текст, with punctuation; and 12 numbers 34 " * 4]


@pytest.mark.parametrize("text", TEXTS)
def test_signature_is_datasketchs(text):
    from datasketch import MinHash
    from datasketch.hashfunc import sha1_hash32

    opts = SyndicateOptions()
    sh = shingles(text, opts.shingle_words, opts.max_words)
    ref = MinHash(num_perm=opts.num_perm, seed=opts.seed, scheme=opts.scheme)
    if sh:
        ref.update_batch([s.encode("utf-8") for s in sorted(sh)])
    sig = signature("d", text, opts)
    assert sig.shingle_count == len(sh)
    assert sig.hashvalues == tuple(int(v) for v in ref.hashvalues)
    assert sha1_hashes32(sorted(sh)) == [sha1_hash32(s.encode("utf-8")) for s in sorted(sh)]


def test_shingles_are_the_k_word_windows():
    assert shingles("a b c d e f", 5) == {"a b c d e", "b c d e f"}
    assert shingles("a b", 5) == {"a b"} and shingles("", 5) == set()
    assert shingles("a b c d e f g", 5, max_words=6) == {"a b c d e", "b c d e f"}
