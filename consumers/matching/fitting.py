"""Fitting the few global weights of the score (used by benchmarks/eval_similarity.py --fit; not at run time).

Logistic regression on soft labels y = (4 - Overall) / 3, so that the score orders all pairs (Pearson) and
not only the extremes; the same-story threshold is then the one maximising F1 on the training folds.
"""
from __future__ import annotations

import numpy as np

FEATURES = ("w", "s", "e", "same_lang")


def _matrix(feats: list[dict[str, float]], names: tuple[str, ...] = FEATURES) -> np.ndarray:
    return np.array([[1.0] + [f.get(k, 0.0) for k in names] for f in feats])


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-3, iters: int = 50) -> np.ndarray:
    beta = np.zeros(x.shape[1])
    for _ in range(iters):  # Newton's method: few features, converges in a handful of steps
        p = 1.0 / (1.0 + np.exp(-x @ beta))
        grad = x.T @ (p - y) + l2 * beta
        hess = (x * (p * (1 - p))[:, None]).T @ x + l2 * np.eye(x.shape[1])
        beta -= np.linalg.solve(hess, grad)
    return beta


def same_story_f1(scores: np.ndarray, overall: np.ndarray, thr: float) -> float:
    """The task's F1: Overall <= 2 is the same story, >= 3 is not, pairs in between are not counted."""
    counted = (overall <= 2) | (overall >= 3)
    return _binary_f1(scores[counted] >= thr, overall[counted] <= 2)


def _threshold(scores: np.ndarray, overall: np.ndarray) -> float:
    grid = np.quantile(scores, np.linspace(0.2, 0.8, 121))
    return float(max(grid, key=lambda t: same_story_f1(scores, overall, t)))


def _cv_once(x: np.ndarray, y: np.ndarray, overall: np.ndarray, folds: int, seed: int) -> tuple[float, float]:
    """F1 and Pearson of one k-fold split: weights and threshold fitted on the other folds only."""
    order = np.random.default_rng(seed).permutation(len(y))
    cv_scores = np.zeros(len(y))
    cv_pred = np.zeros(len(y), dtype=bool)
    for k in range(folds):
        test = order[k::folds]
        train = np.setdiff1d(order, test)
        beta = fit_logistic(x[train], y[train])
        s_train = 1 / (1 + np.exp(-x[train] @ beta))
        thr = _threshold(s_train, overall[train])
        cv_scores[test] = 1 / (1 + np.exp(-x[test] @ beta))
        cv_pred[test] = cv_scores[test] >= thr
    return same_story_f1(cv_pred.astype(float), overall, 0.5), float(np.corrcoef(cv_scores, -overall)[0, 1])


def cross_validate(feats: list[dict[str, float]], overall: np.ndarray, folds: int = 5, seeds: int = 1,
                   names: tuple[str, ...] = FEATURES) -> list[tuple[float, float]]:
    """Prints the k-fold CV figures (threshold chosen on the training folds) and the weights fitted on all pairs.

    With seeds > 1 the CV is repeated over that many fold shuffles and the mean and spread are printed: on
    ~1,300 pairs one split's F1 moves by about +-0.005, which is as large as most feature changes.
    """
    x = _matrix(feats, names)
    y = np.clip((4.0 - overall) / 3.0, 0.0, 1.0)
    runs = [_cv_once(x, y, overall, folds, seed) for seed in range(seeds)]
    f1s, pearsons = np.array([r[0] for r in runs]), np.array([r[1] for r in runs])
    spread = f" (mean of {seeds} shuffles; F1 sd {f1s.std():.3f}, range {f1s.min():.3f}-{f1s.max():.3f})" if seeds > 1 else ""
    print(f"CV({folds}-fold): F1={f1s.mean():.3f} Pearson={pearsons.mean():.3f}{spread}")
    beta = fit_logistic(x, y)
    s_all = 1 / (1 + np.exp(-x @ beta))
    # "related" (same topic, another event) is what annotators rated 3 at most: the threshold that best
    # separates Overall <= 3 from 4 (unrelated)
    related = (overall <= 3.0).astype(float)
    grid = np.quantile(s_all, np.linspace(0.05, 0.95, 181))
    rel_thr = max(grid, key=lambda t: _binary_f1(s_all >= t, related > 0))
    print("fitted on all:", {"bias": round(float(beta[0]), 3), **{k: round(float(b), 3) for k, b in zip(names, beta[1:])}},
          "same-story threshold:", round(_threshold(s_all, overall), 3), "related threshold:", round(float(rel_thr), 3))
    return runs


def _binary_f1(pred: np.ndarray, truth: np.ndarray) -> float:
    tp = np.sum(pred & truth)
    return float(2 * tp / max(1, np.sum(pred) + np.sum(truth)))
