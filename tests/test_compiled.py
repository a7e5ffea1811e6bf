from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion, Pipeline

from rhetoric.bundle import load_bundle
from rhetoric.compiled import CompiledScorer, UnsupportedPipelineError
from rhetoric.scoring import Scorer
from tests.conftest import CORPUS, FAST_SEARCH
from training.corpus import read_labelled
from training.train import train

TOLERANCE = 1e-9
WORDS = [
    "puppet",
    "traitors",
    "thank",
    "Juche",
    "own",
    "efforts",
    "the",
    "U.S.",
    "toKim",
    "-0-",
    ",",
    "\u201cwar\u201d",
]


@pytest.fixture(scope="module")
def pipeline(bundle_dir: Path) -> Pipeline:
    return load_bundle(bundle_dir).pipeline


@pytest.fixture(scope="module")
def compiled(pipeline: Pipeline) -> CompiledScorer:
    return CompiledScorer(pipeline)


def _assert_same(pipeline: Pipeline, compiled: CompiledScorer, texts: list[str]) -> None:
    expected = pipeline.predict_proba(texts)
    np.testing.assert_allclose(compiled.scores(texts), expected, rtol=0, atol=TOLERANCE)
    for text, row in zip(texts[:50], expected[:50], strict=False):
        np.testing.assert_allclose(compiled.scores([text])[0], row, rtol=0, atol=TOLERANCE)


def test_compiled_scores_equal_the_pipeline_on_the_whole_corpus(pipeline: Pipeline, compiled: CompiledScorer) -> None:
    texts = [q.text for path in sorted(CORPUS.glob("*.jsonl")) for q in read_labelled(path).quotes]
    _assert_same(pipeline, compiled, texts)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=400))
def test_compiled_scores_equal_the_pipeline_on_arbitrary_unicode(
    pipeline: Pipeline, compiled: CompiledScorer, text: str
) -> None:
    _assert_same(pipeline, compiled, [text])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(WORDS), max_size=300).map(" ".join))
def test_compiled_scores_equal_the_pipeline_on_repeated_vocabulary(
    pipeline: Pipeline, compiled: CompiledScorer, text: str
) -> None:
    _assert_same(pipeline, compiled, [text])


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        ", , , ,",
        "-0-",
        "\u3000\u00a0",
        "?!",
        "the " * 2000,
        "provocation" * 300,
        "a" * 10_000,
        "\U0001f600" * 50,
        "we thank our friends for their sincere help, but we rely on our own efforts " * 80,
    ],
    ids=[
        "empty",
        "spaces",
        "commas",
        "end-mark",
        "unicode-spaces",
        "punctuation",
        "repeated",
        "glued",
        "long",
        "emoji",
        "more-words-than-the-pair-cache",
    ],
)
def test_compiled_scores_equal_the_pipeline_on_edge_cases(
    pipeline: Pipeline, compiled: CompiledScorer, text: str
) -> None:
    _assert_same(pipeline, compiled, [text])


def test_calibrated_pipelines_compile_to_the_same_probabilities(tmp_path: Path) -> None:
    quotes = [line for path in sorted(CORPUS.glob("*.jsonl")) for line in path.read_text().splitlines()]
    small = tmp_path / "small.jsonl"
    small.write_text("\n".join(quotes[::5]) + "\n")
    result = train([small], tmp_path / "m", search_space=FAST_SEARCH, folds=3, calibration="sigmoid")
    calibrated = load_bundle(result.out_dir).pipeline
    texts = [q.text for q in read_labelled(small).quotes[:300]] + ["", "thank you"]
    _assert_same(calibrated, CompiledScorer(calibrated), texts)


def _tiny_pipeline(analyzer: str) -> Pipeline:
    texts = ["we thank you", "puppets will pay", "by our own efforts", "rain fell", "thanks and own efforts"]
    labels = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0], [1, 0, 1]])
    features = FeatureUnion([("char", TfidfVectorizer(analyzer=analyzer, ngram_range=(2, 3)))])
    pipeline = Pipeline([("features", features), ("classifier", OneVsRestClassifier(LogisticRegression()))])
    return pipeline.fit(texts, labels)


def test_a_pipeline_the_compiler_cannot_reproduce_is_refused() -> None:
    with pytest.raises(UnsupportedPipelineError, match="analyzer 'char'"):
        CompiledScorer(_tiny_pipeline("char"))


def test_the_scorer_falls_back_to_the_pipeline_when_it_cannot_compile() -> None:
    pipeline = _tiny_pipeline("char")
    scorer = Scorer(pipeline, {"gratitude": 0.5, "hostility": 0.5, "self_reliance": 0.5})
    assert scorer.compiled is None
    np.testing.assert_array_equal(scorer.scores(["we thank"]), pipeline.predict_proba(["we thank"]))


def test_batches_from_the_crossover_size_go_through_the_pipeline(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    scorer = Scorer(pipeline, {"gratitude": 0.5, "hostility": 0.5, "self_reliance": 0.5}, pipeline_from_batch_size=3)
    calls: list[int] = []
    original = pipeline.predict_proba

    def counting_predict_proba(texts: list[str]) -> object:
        calls.append(len(texts))
        return original(texts)

    monkeypatch.setattr(pipeline, "predict_proba", counting_predict_proba)
    scorer.scores(["a", "b"])
    scorer.scores(["a", "b", "c"])
    assert calls == [3]
