"""The weight fitting behind the same-story score (benchmarks/eval_similarity.py --fit), on synthetic pairs."""
import numpy as np

from consumers.matching.fitting import cross_validate, fit_logistic, same_story_f1


def _pairs(n: int, informative: bool, seed: int = 0) -> tuple[list[dict[str, float]], np.ndarray]:
    """Ratings 1..4 like the labelled pairs; feature "x" follows the rating when informative, else it is noise."""
    rng = np.random.default_rng(seed)
    overall = rng.choice([1.0, 2.0, 3.0, 4.0], size=n)
    signal = (4.0 - overall) / 3.0 if informative else rng.random(n)
    x = signal + rng.normal(0.0, 0.1, n)
    return [{"x": float(v), "noise": float(rng.random())} for v in x], overall


def test_fit_logistic_weights_the_feature_that_carries_the_label():
    feats, overall = _pairs(600, informative=True)
    x = np.array([[1.0, f["x"], f["noise"]] for f in feats])
    beta = fit_logistic(x, np.clip((4.0 - overall) / 3.0, 0.0, 1.0))
    assert beta[1] > 5.0 and abs(beta[2]) < 1.0


def test_cross_validation_repeats_over_shuffles_and_separates_signal_from_noise(capsys):
    feats, overall = _pairs(600, informative=True)
    runs = cross_validate(feats, overall, seeds=3, names=("x", "noise"))
    assert len(runs) == 3
    assert all(f1 > 0.95 and pearson > 0.9 for f1, pearson in runs)
    assert "mean of 3 shuffles" in capsys.readouterr().out

    feats, overall = _pairs(600, informative=False)
    (f1, pearson), = cross_validate(feats, overall, seeds=1, names=("x", "noise"))
    assert f1 < 0.8 and abs(pearson) < 0.2


def test_same_story_f1_leaves_out_the_pairs_rated_between_2_and_3():
    overall = np.array([1.0, 2.0, 2.5, 3.0, 4.0])
    scores = np.array([0.9, 0.2, 0.9, 0.1, 0.9])  # one hit, one miss, one false alarm; 2.5 is not counted
    assert same_story_f1(scores, overall, 0.5) == 0.5
    assert same_story_f1(np.array([0.9, 0.9, 0.0, 0.1, 0.1]), overall, 0.5) == 1.0
