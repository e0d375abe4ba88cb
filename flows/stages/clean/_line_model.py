"""A two-stage boosted-tree model over line features and a word lexicon: is this line
article body?

Why small gradient-boosted trees: the signals interact (a short line is body inside the
dense block and chrome outside it; a comma-heavy line is a tag list only when it has no
stop words), which a linear model cannot express. A few hundred depth-3 trees still ship
as a small JSON file, load offline, and run with numpy alone (all trees advance all lines
of a page one level per step; `_Stage.prob` is the pure-Python reference). Stage 1
scores each line from its own features (`_line_features.FEATURE_NAMES`); stage 2 adds
the stage-1 probabilities of the neighbouring lines, which is learned context
smoothing: a short sub-heading between two confident body lines is body, a long
sentence inside a run of teasers is not. Stage 1 also sees four lexicon scores of the
line's words (`learn_lexicon`: page-furniture words such as "subscribe", "reply",
"rights" against reporting words such as "said", "according"), learned from the
training pages and shipped in the model file.

Training (`train`, histogram-based second-order boosting with logistic loss) needs numpy (already a pandas dependency) and is only called from
`bench/quality.py --train`; prediction (`LineModel.predict`) needs only numpy.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Mapping, Sequence

from flows.stages.clean._line_features import FEATURE_NAMES, max_sum_span, tokens

CONTEXT_NAMES = ("p_prev1", "p_next1", "p_prev2", "p_next2", "p_window3",
                 "p_min_neighbours", "p_max_neighbours",
                 "p_window5", "p_window10", "p_max_prev10", "p_max_next10", "p_sandwich10",
                 "p_mass_before", "p_mass_after", "p_mass_sandwich", "in_p_segment",
                 "log_dist_p_segment", "page_p_max", "page_p_mean")


LEXICON_NAMES = ("lex_mean", "lex_max", "lex_min", "lex_known")


def lexicon_features(texts: Sequence[str], lexicon: Mapping[str, float]) -> list[list[float]]:
    """Per line: mean, max and min chrome score of its words found in the lexicon, and
    the share of its words found (0s when none is: other languages, rare words)."""
    out = []
    for text in texts:
        toks = tokens(text)
        scores = [lexicon[t] for t in toks if t in lexicon]
        if scores:
            out.append([sum(scores) / len(scores), max(scores), min(scores),
                        len(scores) / len(toks)])
        else:
            out.append([0.0, 0.0, 0.0, 0.0])
    return out


def learn_lexicon(pages: Sequence[tuple[Sequence[str], Sequence[bool]]], *,
                  min_pages: int = 8) -> dict[str, float]:
    """Word -> log((pages with it in chrome + 1) / (pages with it in body + 1)), for words
    seen on at least `min_pages` pages. Counting pages, not occurrences, keeps one site's
    repeated menu from defining a word, and the page floor keeps names and topics out:
    what is left are the words of page furniture ("subscribe", "comments", "reply",
    "rights", "ago") and of reporting ("said", "told", "according")."""
    chrome: dict[str, int] = {}
    body: dict[str, int] = {}
    for texts, labels in pages:
        seen_c: set[str] = set()
        seen_b: set[str] = set()
        for text, is_body in zip(texts, labels):
            if is_body is not None:  # unlabelled lines (partial gold) teach nothing
                (seen_b if is_body else seen_c).update(tokens(text))
        for w in seen_c:
            chrome[w] = chrome.get(w, 0) + 1
        for w in seen_b:
            body[w] = body.get(w, 0) + 1
    out = {}
    for w in set(chrome) | set(body):
        c, b = chrome.get(w, 0), body.get(w, 0)
        if c + b >= min_pages and not w.isdigit():
            out[w] = round(math.log((c + 1) / (b + 1)), 3)
    return out


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def _p_segment(p: Sequence[float]) -> tuple[int, int]:
    """The run of lines with the largest sum of (p - 0.5): where stage 1 puts the article."""
    return max_sum_span(q - 0.5 for q in p)


def context_features(p: Sequence[float]) -> list[list[float]]:
    """Neighbour probabilities for stage 2 (0 beyond the page edges), and where the line
    sits relative to the page's stage-1 probability mass: the share of it before and
    after the line, and the densest run of likely-body lines (`_p_segment`)."""
    n = len(p)
    cum = [0.0]
    for q in p:
        cum.append(cum[-1] + q)
    total = cum[-1] or 1.0
    first, last = _p_segment(p)
    page_max = max(p, default=0.0)
    page_mean = total / n if n else 0.0
    out = []
    for i in range(n):
        prev1 = p[i - 1] if i >= 1 else 0.0
        next1 = p[i + 1] if i + 1 < n else 0.0
        prev2 = p[i - 2] if i >= 2 else 0.0
        next2 = p[i + 2] if i + 2 < n else 0.0
        lo, hi = max(0, i - 3), min(n, i + 4)
        window = (sum(p[lo:hi]) - p[i]) / max(hi - lo - 1, 1)
        w5 = (cum[min(n, i + 6)] - cum[max(0, i - 5)] - p[i]) / max(min(n, i + 6) - max(0, i - 5) - 1, 1)
        w10 = (cum[min(n, i + 11)] - cum[max(0, i - 10)] - p[i]) / max(min(n, i + 11) - max(0, i - 10) - 1, 1)
        mp = max(p[max(0, i - 10):i], default=0.0)
        mn = max(p[i + 1:i + 11], default=0.0)
        before, after = cum[i] / total, (total - cum[i + 1]) / total
        if first < 0:
            inside, dist = 0.0, 60
        elif first <= i <= last:
            inside, dist = 1.0, 0
        else:
            inside, dist = 0.0, min(first - i if i < first else i - last, 60)
        out.append([prev1, next1, prev2, next2, window, min(prev1, next1),
                    max(prev1, next1), w5, w10, mp, mn, min(mp, mn), before, after,
                    min(before, after), inside, math.log1p(dist), page_max, page_mean])
    return out


@dataclass(frozen=True)
class _Stage:
    """Boosted trees. Each tree is a flat tuple of nodes: internal nodes are
    (feature, threshold, left, right), leaves are (value,); node 0 is the root."""

    base: float
    trees: tuple[tuple[tuple, ...], ...]

    def prob(self, x: Sequence[float]) -> float:
        """One row, pure Python (reference implementation of `probs`)."""
        z = self.base
        for tree in self.trees:
            node = tree[0]
            while len(node) == 4:
                node = tree[node[2] if x[node[0]] <= node[1] else node[3]]
            z += node[0]
        return _sigmoid(z)

    @cached_property
    def _arrays(self):
        """All trees as complete binary trees of the deepest tree's depth D, in heap order
        (children of node h at 2h+1, 2h+2): feature and threshold of the 2^D - 1 internal
        nodes, value of the 2^D leaves (tree x node). A leaf above depth D fills every
        leaf below its place, so the direction taken below it does not matter."""
        import numpy as np

        depth = _depth(self.trees)
        inner, leaves = 2 ** depth - 1, 2 ** depth
        feat = np.zeros((len(self.trees), inner), dtype=np.intp)
        thr = np.zeros((len(self.trees), inner))
        value = np.zeros((len(self.trees), leaves))
        for t, tree in enumerate(self.trees):
            stack = [(0, 0)]  # (node in the tree, heap position)
            while stack:
                k, h = stack.pop()
                node = tree[k]
                if len(node) == 4:
                    feat[t, h], thr[t, h] = node[0], node[1]
                    stack += [(node[2], 2 * h + 1), (node[3], 2 * h + 2)]
                else:
                    lo = h
                    while lo < inner:  # the leftmost and rightmost leaf under h
                        lo = 2 * lo + 1
                    hi = h
                    while hi < inner:
                        hi = 2 * hi + 2
                    value[t, lo - inner:hi - inner + 1] = node[0]
        return feat, thr, value, depth

    def probs(self, x) -> "list[float]":
        """All rows of a 2-d numpy array at once: one gather compares every row with
        every internal node of every tree, then each tree's path is read off level by
        level (a handful of numpy operations per stage, not a Python loop per node)."""
        import numpy as np

        if len(x) == 0 or not self.trees:
            return [_sigmoid(self.base)] * len(x)
        feat, thr, value, depth = self._arrays
        go_right = ~(x[:, feat] <= thr)  # rows x trees x internal nodes
        h = np.zeros(go_right.shape[:2], dtype=np.intp)
        for _ in range(depth):
            h = 2 * h + 1 + np.take_along_axis(go_right, h[:, :, None], axis=2)[:, :, 0]
        leaf = (h - (2 ** depth - 1)).T  # trees x rows
        z = self.base + value[np.arange(len(self.trees))[:, None], leaf].sum(axis=0)
        return (1.0 / (1.0 + np.exp(-z))).tolist()


def _depth(trees) -> int:
    """Longest root-to-leaf path over all trees (number of internal nodes passed)."""
    best = 0
    for tree in trees:
        stack = [(0, 0)]
        while stack:
            k, d = stack.pop()
            node = tree[k]
            if len(node) == 4:
                stack += [(node[2], d + 1), (node[3], d + 1)]
            else:
                best = max(best, d)
    return best


@dataclass(frozen=True)
class LineModel:
    """Weights of both stages plus the decision threshold chosen on the dev split."""

    stage1: _Stage
    stage2: _Stage
    threshold: float
    feature_names: tuple[str, ...]
    info: dict
    lexicon: Mapping[str, float] = field(default_factory=dict)

    def predict(self, feats: Sequence[Sequence[float]],
                texts: Sequence[str] | None = None) -> list[float]:
        """Probability of body for each line of one page (features and texts in page
        order; the texts are needed when the model has a lexicon)."""
        import numpy as np

        if not feats:
            return []
        x = np.asarray(feats, dtype=float)
        if self.lexicon:
            if texts is None:
                raise ValueError("this line model needs the line texts (it has a lexicon)")
            x = np.hstack([x, np.asarray(lexicon_features(texts, self.lexicon))])
        p1 = self.stage1.probs(x)
        x2 = np.hstack([x, np.asarray(p1)[:, None], np.asarray(context_features(p1))])
        return self.stage2.probs(x2)

    def to_json(self) -> str:
        def st(s: _Stage) -> dict:
            return {"base": s.base,
                    "trees": [[_round(list(node)) for node in t] for t in s.trees]}
        return json.dumps({"feature_names": list(self.feature_names),
                           "context_names": ["p_self", *CONTEXT_NAMES],
                           "threshold": self.threshold, "stage1": st(self.stage1),
                           "stage2": st(self.stage2), "info": self.info,
                           "lexicon_names": list(LEXICON_NAMES) if self.lexicon else [],
                           "lexicon": dict(sorted(self.lexicon.items()))},
                          indent=1, sort_keys=True)


def load_model(path: Path) -> LineModel:
    """Read a model JSON; refuse one trained on a different feature list."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if tuple(data["feature_names"]) != FEATURE_NAMES:
        raise ValueError(f"{path}: features {data['feature_names']} != {FEATURE_NAMES}; "
                         "retrain with bench/quality.py --train")

    def st(d: dict) -> _Stage:
        return _Stage(d["base"], tuple(tuple(tuple(n) for n in t) for t in d["trees"]))
    return LineModel(st(data["stage1"]), st(data["stage2"]), data["threshold"],
                     tuple(data["feature_names"]), data.get("info", {}),
                     data.get("lexicon", {}))


def _round(node: list) -> list:
    return [round(v, 6) if isinstance(v, float) else v for v in node]


def _fit(x, y, *, rounds: int = 80, depth: int = 3, lr: float = 0.15, lam: float = 10.0,
         bins: int = 32, min_hess: float = 20.0, subsample: float = 1.0, seed: int = 0,
         weight=None) -> _Stage:
    """Histogram gradient boosting, logistic loss (numpy arrays x: rows x features).

    Every feature is cut at up to `bins - 1` quantiles; a node's gradient and hessian
    histograms for all features come from one `bincount` over (feature, bin) cells.
    `subsample` < 1 fits each tree on a random share of the rows (stochastic boosting,
    seeded); `weight` weighs rows (e.g. class balance)."""
    import numpy as np

    n, m = x.shape
    cuts = []
    binned = np.zeros((n, m), dtype=np.int64)
    for j in range(m):
        qs = np.unique(np.quantile(x[:, j], np.linspace(0, 1, bins + 1)[1:-1]))
        cuts.append(qs)
        binned[:, j] = np.searchsorted(qs, x[:, j], side="left")
    cells = binned + np.arange(m)[None, :] * bins  # (feature, bin) -> one cell id
    # split after bin k of feature j is valid when k < number of bins of j - 1
    valid = np.arange(bins - 1)[None, :] < np.array([len(c) for c in cuts])[:, None]
    w = np.ones(n) if weight is None else np.asarray(weight, dtype=float)
    prior = min(max(float((w * y).sum() / w.sum()), 1e-3), 1 - 1e-3)
    base = float(np.log(prior / (1 - prior)))
    z = np.full(n, base)
    rng = np.random.default_rng(seed)
    trees = []
    for _ in range(rounds):
        p = 1 / (1 + np.exp(-z))
        g, h = (p - y) * w, p * (1 - p) * w
        nodes: list = []
        rows = (np.arange(n) if subsample >= 1.0
                else np.sort(rng.choice(n, int(n * subsample), replace=False)))

        def grow(idx, level):
            gs, hs = g[idx].sum(), h[idx].sum()
            me = len(nodes)
            nodes.append(None)
            best = None
            if level < depth and len(idx) > 1:
                c = cells[idx].ravel()
                gb = np.bincount(c, weights=np.repeat(g[idx], m), minlength=m * bins)
                hb = np.bincount(c, weights=np.repeat(h[idx], m), minlength=m * bins)
                gl = np.cumsum(gb.reshape(m, bins), axis=1)[:, :-1]
                hl = np.cumsum(hb.reshape(m, bins), axis=1)[:, :-1]
                gr, hr = gs - gl, hs - hl
                gain = gl * gl / (hl + lam) + gr * gr / (hr + lam) - gs * gs / (hs + lam)
                gain[(hl < min_hess) | (hr < min_hess) | ~valid] = -1
                flat = int(np.argmax(gain))
                if gain.flat[flat] > 1e-6:
                    best = divmod(flat, bins - 1)
            if best is None:
                nodes[me] = (float(-gs / (hs + lam) * lr),)
                return me
            j, k = best
            mask = binned[idx, j] <= k
            left = grow(idx[mask], level + 1)
            right = grow(idx[~mask], level + 1)
            nodes[me] = (int(j), float(cuts[j][k]), left, right)
            return me

        grow(rows, 0)
        tree = tuple(nodes)
        trees.append(tree)
        z += _apply_np(tree, x)
    return _Stage(base, tuple(trees))


def _apply_np(tree, x):
    """Vectorised tree output for all rows (training only)."""
    import numpy as np

    out = np.zeros(len(x))
    stack = [(0, np.arange(len(x)))]
    while stack:
        k, idx = stack.pop()
        node = tree[k]
        if len(node) == 1:
            out[idx] = node[0]
            continue
        mask = x[idx, node[0]] <= node[1]
        stack.append((node[2], idx[mask]))
        stack.append((node[3], idx[~mask]))
    return out


def train(pages: Sequence[tuple], *, threshold: float, info: dict | None = None,
          stack_folds: int = 0, lexicon_pages: int = 0, params1: dict | None = None,
          params2: dict | None = None) -> LineModel:
    """Fit both stages on pages of (features, labels, texts).

    `lexicon_pages` > 0: learn a word lexicon (`learn_lexicon`, words on at least that
    many pages) and give stage 1 the line's lexicon scores. For the training rows these
    come from a lexicon learned without the line's own page (`stack_folds` or 5 folds by
    page), so the model does not learn to trust words it has memorised.

    A label may be None (a page with partial gold, such as must/must-not snippets): the
    line still shapes its page's features and its neighbours' context, but carries no
    weight in the fit. A page may carry a fourth element, its weight (default 1), so a
    corpus with many lines per page does not outweigh the others.

    Stage 2 learns from stage-1 probabilities. With `stack_folds` = k > 1 these are
    out-of-fold: each page's stage-1 probabilities come from a stage-1 model fitted on
    the other folds (pages i % k), so stage 2 sees probabilities as noisy as those it
    gets on unseen pages; with 0 they are in-sample (optimistic)."""
    import numpy as np

    params1, params2 = dict(params1 or {}), dict(params2 or {})
    n = len(pages)
    feats = [np.asarray(pg[0], dtype=float).reshape(len(pg[1]), len(FEATURE_NAMES))
             for pg in pages]
    lexicon: dict[str, float] = {}
    if lexicon_pages:
        lexicon = learn_lexicon([(pg[2], pg[1]) for pg in pages], min_pages=lexicon_pages)
        k_lex = stack_folds if stack_folds > 1 else 5
        for k in range(k_lex):
            lex_k = learn_lexicon([(pages[i][2], pages[i][1]) for i in range(n)
                                   if i % k_lex != k], min_pages=lexicon_pages)
            for i in range(k, n, k_lex):
                feats[i] = np.hstack([feats[i], np.asarray(
                    lexicon_features(pages[i][2], lex_k)).reshape(len(pages[i][1]), len(LEXICON_NAMES))])

    def page_weight(i):
        return float(pages[i][3]) if len(pages[i]) > 3 else 1.0

    def stack(ix):
        labels = [(b, page_weight(i)) for i in ix for b in pages[i][1]]
        return (np.vstack([feats[i] for i in ix]),
                np.array([bool(b) for b, _ in labels], dtype=float),
                np.array([0.0 if b is None else w for b, w in labels]))

    def fit_rows(x, y, w, params):
        return _fit(x, y, weight=w, **params)

    x, y, w = stack(range(n))
    s1 = fit_rows(x, y, w, params1)
    p1s: list = [None] * n
    if stack_folds > 1:
        for k in range(stack_folds):
            sk = fit_rows(*stack([i for i in range(n) if i % stack_folds != k]), params1)
            for i in range(k, n, stack_folds):
                p1s[i] = sk.probs(feats[i]) if len(feats[i]) else []
    else:
        p1s = [s1.probs(f) if len(f) else [] for f in feats]
    rows = [np.hstack([f, np.asarray(p1)[:, None], np.asarray(context_features(p1))])
            for f, p1 in zip(feats, p1s) if len(f)]
    s2 = fit_rows(np.vstack(rows), y, w, params2)
    return LineModel(s1, s2, threshold, FEATURE_NAMES, dict(info or {}), lexicon)
