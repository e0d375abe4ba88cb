"""A two-stage logistic model over line features: is this line article body?

Why logistic regression: it is small enough to ship as a JSON file of weights, loads
offline in microseconds, runs in pure Python, and every weight can be read. Stage 1
scores each line from its own features (`_line_features.FEATURE_NAMES`); stage 2 adds
the stage-1 probabilities of the neighbouring lines, which is learned context
smoothing: a short sub-heading between two confident body lines is body, a long
sentence inside a run of teasers is not.

Training (`train`) needs numpy (already a pandas dependency) and is only called from
`bench/quality.py --train`; prediction (`LineModel.predict`) is pure Python.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
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
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float

    def prob(self, x: Sequence[float]) -> float:
        z = self.bias
        for xi, m, s, w in zip(x, self.mean, self.scale, self.weights):
            z += w * (xi - m) / s
        return _sigmoid(z)


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
        p1 = [self.stage1.prob(x) for x in feats]
        ctx = context_features(p1)
        return [self.stage2.prob(list(x) + [q] + c) for x, q, c in zip(feats, p1, ctx)]

    def to_json(self) -> str:
        def st(s: _Stage) -> dict:
            return {"mean": list(s.mean), "scale": list(s.scale),
                    "weights": list(s.weights), "bias": s.bias}
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
        return _Stage(tuple(d["mean"]), tuple(d["scale"]), tuple(d["weights"]), d["bias"])
    return LineModel(st(data["stage1"]), st(data["stage2"]), data["threshold"],
                     tuple(data["feature_names"]), data.get("info", {}))


def _fit(x, y, l2: float = 1.0, iters: int = 30):
    """L2-regularised logistic regression by Newton's method (numpy arrays)."""
    import numpy as np

    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = (x - mean) / scale
    z1 = np.hstack([z, np.ones((len(z), 1))])
    w = np.zeros(z1.shape[1])
    reg = np.full(z1.shape[1], l2)
    reg[-1] = 0.0
    for _ in range(iters):
        p = 1 / (1 + np.exp(-(z1 @ w)))
        grad = z1.T @ (p - y) + reg * w
        hess = (z1 * (p * (1 - p))[:, None]).T @ z1 + np.diag(reg + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return _Stage(tuple(mean.tolist()), tuple(scale.tolist()), tuple(w[:-1].tolist()),
                  float(w[-1]))


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
        p1 = [s1.prob(f) for f in feats]
        rows += [list(f) + [q] + c for f, q, c in zip(feats, p1, context_features(p1))]
    s2 = _fit(np.array(rows, dtype=float), y)
    return LineModel(s1, s2, threshold, FEATURE_NAMES, dict(info or {}))
