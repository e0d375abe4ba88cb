"""A two-stage boosted-tree model over line features: is this line article body?

Why small gradient-boosted trees: the signals interact (a short line is body inside the
dense block and chrome outside it; a comma-heavy line is a tag list only when it has no
stop words), which a linear model cannot express. A few hundred depth-3 trees still ship
as a small JSON file, load offline, and run with numpy alone (all trees advance all lines
of a page one level per step; `_Stage.prob` is the pure-Python reference). Stage 1
scores each line from its own features (`_line_features.FEATURE_NAMES`); stage 2 adds
the stage-1 probabilities of the neighbouring lines, which is learned context
smoothing: a short sub-heading between two confident body lines is body, a long
sentence inside a run of teasers is not.

Training (`train`, histogram-based second-order boosting with logistic loss) needs numpy (already a pandas dependency) and is only called from
`bench/quality.py --train`; prediction (`LineModel.predict`) needs only numpy.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Sequence

from flows.stages._line_features import FEATURE_NAMES

CONTEXT_NAMES = ("p_prev1", "p_next1", "p_prev2", "p_next2", "p_window3",
                 "p_min_neighbours", "p_max_neighbours")


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def context_features(p: Sequence[float]) -> list[list[float]]:
    """Neighbour probabilities for stage 2 (0 beyond the page edges)."""
    n = len(p)
    out = []
    for i in range(n):
        prev1 = p[i - 1] if i >= 1 else 0.0
        next1 = p[i + 1] if i + 1 < n else 0.0
        prev2 = p[i - 2] if i >= 2 else 0.0
        next2 = p[i + 2] if i + 2 < n else 0.0
        lo, hi = max(0, i - 3), min(n, i + 4)
        window = (sum(p[lo:hi]) - p[i]) / max(hi - lo - 1, 1)
        out.append([prev1, next1, prev2, next2, window, min(prev1, next1),
                    max(prev1, next1)])
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
        """All trees as padded numpy arrays (tree x node): feature (-1 = leaf), threshold,
        left, right, leaf value. A leaf points to itself, so every row can take exactly
        `depth` steps."""
        import numpy as np

        width = max(len(t) for t in self.trees)
        shape = (len(self.trees), width)
        feat, thr = np.full(shape, -1, dtype=np.int64), np.zeros(shape)
        left, right = np.zeros(shape, dtype=np.int64), np.zeros(shape, dtype=np.int64)
        value = np.zeros(shape)
        for t, tree in enumerate(self.trees):
            for k, node in enumerate(tree):
                if len(node) == 4:
                    feat[t, k], thr[t, k], left[t, k], right[t, k] = node
                else:
                    value[t, k], left[t, k], right[t, k] = node[0], k, k
        return feat, thr, left, right, value, _depth(self.trees)

    def probs(self, x) -> "list[float]":
        """All rows of a 2-d numpy array at once: every tree advances every row one
        level per step (a handful of numpy operations per stage, not a Python loop per
        node)."""
        import numpy as np

        if len(x) == 0 or not self.trees:
            return [_sigmoid(self.base)] * len(x)
        feat, thr, left, right, value, depth = self._arrays
        rows = np.arange(len(x))[None, :]
        trees = np.arange(len(self.trees))[:, None]
        node = np.zeros((len(self.trees), len(x)), dtype=np.int64)
        for _ in range(depth):
            f = feat[trees, node]
            go_left = x[rows, np.maximum(f, 0)] <= thr[trees, node]
            node = np.where(go_left, left[trees, node], right[trees, node])
        z = self.base + value[trees, node].sum(axis=0)
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

    def predict(self, feats: Sequence[Sequence[float]]) -> list[float]:
        """Probability of body for each line of one page (features in page order)."""
        import numpy as np

        if not feats:
            return []
        x = np.asarray(feats, dtype=float)
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
                           "stage2": st(self.stage2), "info": self.info},
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
                     tuple(data["feature_names"]), data.get("info", {}))


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


def train(pages: Sequence[tuple[list[list[float]], list[bool]]], *, threshold: float,
          info: dict | None = None) -> LineModel:
    """Fit both stages on (features, labels) pages. Stage 2 is fitted on the stage-1
    probabilities of the training pages themselves (the model is too small to overfit
    them much; cross-validation in bench/quality.py measures what is left)."""
    import numpy as np

    x = np.array([f for feats, _ in pages for f in feats], dtype=float)
    y = np.array([b for _, labels in pages for b in labels], dtype=float)
    s1 = _fit(x, y)
    rows = []
    for feats, _ in pages:
        p1 = s1.probs(np.asarray(feats, dtype=float)) if feats else []
        rows += [list(f) + [q] + c for f, q, c in zip(feats, p1, context_features(p1))]
    s2 = _fit(np.array(rows, dtype=float), y)
    return LineModel(s1, s2, threshold, FEATURE_NAMES, dict(info or {}))
