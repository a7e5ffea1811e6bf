import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression

from rhetoric.model import PAIR_WINDOW, NaiveBayesLogisticRegression, content_word_pairs, log_count_ratio


def test_word_pairs_are_unordered_and_skip_stop_words_and_short_words() -> None:
    assert set(content_word_pairs("we need no help of the others")) == {"help|need", "help|others", "need|others"}
    assert content_word_pairs("others help") == content_word_pairs("help others")


def test_word_pairs_reach_only_as_far_as_the_window() -> None:
    filler = [f"word{i:02d}" for i in range(PAIR_WINDOW)]
    pairs = content_word_pairs(" ".join(["independence", *filler, "countries"]))
    assert f"independence|{filler[-1]}" in pairs
    assert "countries|independence" not in pairs
    assert "countries|independence" in content_word_pairs(" ".join(["independence", *filler[1:], "countries"]))


def test_word_pairs_name_each_pair_once() -> None:
    pairs = content_word_pairs("sincere thanks, sincere thanks and sincere thanks")
    assert pairs == ["sincere|thanks"]
    assert content_word_pairs("thanks thanks thanks") == []


def _toy_problem() -> tuple[sp.csr_matrix, np.ndarray]:
    generator = np.random.default_rng(0)
    features = sp.random(200, 30, density=0.2, format="csr", random_state=1)
    labels = (features[:, 0].toarray().ravel() + features[:, 1].toarray().ravel() > 0.3).astype(int)
    labels[generator.choice(200, 10, replace=False)] ^= 1
    return features, labels


def test_the_scaled_fit_scores_unscaled_features_as_the_plain_fit_scores_scaled_ones() -> None:
    features, labels = _toy_problem()
    model = NaiveBayesLogisticRegression(C=4.0, solver="liblinear", random_state=0).fit(features, labels)
    scaled = features @ sp.diags(log_count_ratio(features, labels == 1))
    plain = LogisticRegression(C=4.0, solver="liblinear", random_state=0).fit(scaled, labels)
    np.testing.assert_allclose(model.decision_function(features), plain.decision_function(scaled), atol=1e-10)
    np.testing.assert_allclose(model.predict_proba(features), plain.predict_proba(scaled), atol=1e-10)


def test_a_feature_seen_only_with_the_label_gets_a_positive_ratio_and_one_never_seen_with_it_a_negative() -> None:
    features = sp.csr_matrix(np.array([[1.0, 0.0, 1.0], [1.0, 0.0, 1.0], [0.0, 1.0, 1.0], [0.0, 1.0, 1.0]]))
    only_with_label, never_with_label, everywhere = log_count_ratio(features, np.array([True, True, False, False]))
    assert only_with_label > 0 > never_with_label
    assert everywhere == pytest.approx(0.0)


def test_the_scaled_model_clones_with_its_parameters() -> None:
    model = NaiveBayesLogisticRegression(C=32.0, class_weight="balanced", solver="liblinear")
    copy = clone(model)
    assert isinstance(copy, NaiveBayesLogisticRegression)
    assert copy.get_params()["C"] == 32.0
    assert copy.get_params()["class_weight"] == "balanced"


def test_one_class_is_refused() -> None:
    with pytest.raises(ValueError, match="two classes"):
        NaiveBayesLogisticRegression().fit(sp.csr_matrix(np.eye(3)), np.array([1, 1, 1]))
