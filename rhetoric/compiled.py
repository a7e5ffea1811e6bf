"""A fitted pipeline compiled into a compact scorer for the latency of a single quote.

scikit-learn spends most of a one-quote call on input checks and sparse-matrix set-up; the model
itself is a dot product over a few hundred n-grams. The compiled scorer keeps, for each TF-IDF
block, the fitted vocabulary and a table of idf and idf-scaled weights per label, and repeats
exactly the fitted transforms: the same normalisation, tokens, n-grams and word pairs, sublinear term
frequency, L2 norm per block, intercepts and sigmoid calibration. Character n-grams never cross a
word boundary (char_wb), so the n-gram ids of each distinct word are computed once and cached.
"""

import math
import re
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import count, pairwise, repeat
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion, Pipeline

from rhetoric.model import PAIR_WINDOW, content_word_pairs, content_words

#: Distinct words whose character n-gram ids are kept; a quote has a few dozen.
WORD_CACHE_SIZE = 200_000
#: Content-word counts up to which pair positions are precomputed; a quote has a few dozen words.
PAIR_CACHE_LENGTH = 512
#: 1 + log(count) for the counts a quote usually has, looked up instead of computed.
_SUBLINEAR_TF = np.log(np.maximum(np.arange(256, dtype=np.float64), 1.0)) + 1.0


@dataclass(frozen=True)
class Contribution:
    """A feature of one text and what it adds to the logit of each label (LABELS order)."""

    kind: str  # "ngram": a word n-gram; "word": a word's character n-grams together; "pair": "a|b"
    term: str
    logit: NDArray[np.float64]


class UnsupportedPipelineError(ValueError):
    """The pipeline has a step the compiler does not reproduce; score with the pipeline instead."""


@dataclass(frozen=True)
class _Block:
    """One TF-IDF vectorizer: the ids of a normalised text's n-grams in the union's id space.

    An n-gram outside the vocabulary gets the id `unknown`, whose table row is all zeros.
    """

    ids: Callable[[str], list[NDArray[np.intp]]]
    size: int
    kind: str  # what its features are reported as, as in Contribution.kind
    per_word: bool  # char_wb: ids() gives one array per word of text.split(); the others: one array in all


def _id_lookup(vocabulary: dict[str, int], offset: int, unknown: int) -> Callable[[list[str]], NDArray[np.intp]]:
    """Ids in the union's id space of a block's n-grams, `unknown` for those outside its vocabulary.

    The fitted vocabulary is read as it is, and the block's offset added afterwards: a shifted
    copy of a vocabulary of a few hundred thousand n-grams would cost tens of megabytes.
    """
    get = vocabulary.get
    if offset == 0:
        return lambda grams: np.fromiter(map(get, grams, repeat(unknown)), dtype=np.intp, count=len(grams))

    def ids(grams: list[str]) -> NDArray[np.intp]:
        local = np.fromiter(map(get, grams, repeat(-1)), dtype=np.intp, count=len(grams))
        shifted: NDArray[np.intp] = np.where(local >= 0, local + offset, unknown)
        return shifted

    return ids


def _word_ngram_ids(vectorizer: TfidfVectorizer, offset: int, unknown: int) -> Callable[[str], list[NDArray[np.intp]]]:
    low, high = vectorizer.ngram_range
    if (low, high) not in ((1, 1), (1, 2)) or vectorizer.stop_words is not None or vectorizer.tokenizer is not None:
        raise UnsupportedPipelineError(f"word n-grams {vectorizer.ngram_range} with stop words or a tokenizer")
    lookup = _id_lookup(vectorizer.vocabulary_, offset, unknown)
    pattern = re.compile(vectorizer.token_pattern)
    if pattern.groups > 1:
        raise UnsupportedPipelineError("token pattern with several groups")
    tokens_of = pattern.findall

    def ids(text: str) -> list[NDArray[np.intp]]:
        tokens = tokens_of(text)
        grams = tokens if high == 1 else tokens + [f"{a} {b}" for a, b in pairwise(tokens)]
        return [lookup(grams)]

    return ids


def _word_pair_ids(vectorizer: TfidfVectorizer, offset: int) -> Callable[[str], list[NDArray[np.intp]]]:
    """Ids of the word pairs of a text, as content_word_pairs and the fitted vocabulary give them.

    Forming a quote's hundred or so pair strings in Python costs more than scoring it, so pairs
    are formed as numbers: each word of the vocabulary's pairs gets its rank in alphabetical order,
    so that "a|b" (a < b) is the key rank(a) * size + rank(b), and the keys of a text's pairs
    within the window are found in the sorted keys of the vocabulary at once.
    """
    if vectorizer.tokenizer is not content_word_pairs or vectorizer.ngram_range != (1, 1):
        raise UnsupportedPipelineError("a tokenizer other than content_word_pairs, or n-grams of its tokens")
    vocabulary = vectorizer.vocabulary_
    # One pass that keeps no per-pair Python object: the halves are coded in order of first
    # sight, and the codes mapped to alphabetical ranks after. Lists of ~100,000 split strings
    # would leave tens of megabytes of freed small objects in the worker.
    code_of: dict[str, int] = {}
    codes = array("q")
    code = code_of.setdefault
    for term in vocabulary:
        first, second = term.split("|")
        codes.append(code(first, len(code_of)))
        codes.append(code(second, len(code_of)))
    words = sorted(code_of)
    rank = dict(zip(words, count(), strict=False))
    size = len(rank)
    rank_of_code = np.empty(size, dtype=np.int64)
    rank_of_code[[code_of[word] for word in words]] = np.arange(size)
    halves = rank_of_code[np.frombuffer(codes, dtype=np.int64)].reshape(-1, 2)
    keys = halves[:, 0] * size + halves[:, 1]
    order = np.argsort(keys)
    sorted_keys = keys[order]
    ids_by_key = np.fromiter(vocabulary.values(), dtype=np.intp, count=len(vocabulary))[order] + offset
    # Every (i, j) with 0 < j - i <= PAIR_WINDOW and j < PAIR_CACHE_LENGTH, ordered by j, so that
    # the positions of a text of n content words are the first ends[n] of them.
    by_end = [(i, j) for j in range(PAIR_CACHE_LENGTH) for i in range(max(0, j - PAIR_WINDOW), j)]
    all_firsts = np.array([i for i, _ in by_end], dtype=np.intp)
    all_seconds = np.array([j for _, j in by_end], dtype=np.intp)
    ends = np.searchsorted(all_seconds, np.arange(PAIR_CACHE_LENGTH + 1))

    def window(length: int) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
        """Positions (i, j) of every two content words with 0 < j - i <= PAIR_WINDOW."""
        if length <= PAIR_CACHE_LENGTH:
            end = ends[length]
            return all_firsts[:end], all_seconds[:end]
        starts = [np.arange(length - distance) for distance in range(1, PAIR_WINDOW + 1)]
        return np.concatenate(starts), np.concatenate([start + distance for distance, start in enumerate(starts, 1)])

    get = rank.get
    none = np.zeros(0, dtype=np.intp)

    def ids(text: str) -> list[NDArray[np.intp]]:
        ranks = np.fromiter(map(get, content_words(text), repeat(-1)), dtype=np.int64)
        if ranks.size < 2 or not sorted_keys.size:
            return [none]
        first, second = window(ranks.size)
        a, b = ranks[first], ranks[second]
        known = (a >= 0) & (b >= 0) & (a != b)
        pair_keys = np.unique(np.minimum(a, b)[known] * size + np.maximum(a, b)[known])
        at = np.minimum(np.searchsorted(sorted_keys, pair_keys), sorted_keys.size - 1)
        return [ids_by_key[at[sorted_keys[at] == pair_keys]]]

    return ids


def _char_wb_ngram_ids(
    vectorizer: TfidfVectorizer, offset: int, unknown: int
) -> Callable[[str], list[NDArray[np.intp]]]:
    low, high = vectorizer.ngram_range
    lookup = _id_lookup(vectorizer.vocabulary_, offset, unknown)
    cache: dict[str, NDArray[np.intp]] = {}

    def word_ids(word: str) -> NDArray[np.intp]:
        padded = f" {word} "
        length = len(padded)
        grams: list[str] = []
        for n in range(low, high + 1):
            grams.extend(padded[i : i + n] for i in range(length - n + 1))
            if n >= length:
                break
        every = lookup(grams)
        found: NDArray[np.intp] = every[every != unknown]
        if len(cache) >= WORD_CACHE_SIZE:
            cache.clear()
        cache[word] = found
        return found

    cached = cache.get

    def ids(text: str) -> list[NDArray[np.intp]]:
        return [
            found if (found := cached(word)) is not None else word_ids(word)
            # sklearn collapses white space before splitting; split() alone gives the same words.
            for word in text.split()
        ]

    return ids


def _block(vectorizer: Any, offset: int, unknown: int) -> _Block:
    """The block of a vectorizer whose features start at column offset of the union."""
    if not isinstance(vectorizer, TfidfVectorizer):
        raise UnsupportedPipelineError(f"feature step {type(vectorizer).__name__}")
    if vectorizer.norm != "l2" or not vectorizer.use_idf or vectorizer.binary or vectorizer.lowercase is not True:
        raise UnsupportedPipelineError("TF-IDF without l2 norm and idf, or binary")
    if vectorizer.analyzer == "word":
        if vectorizer.tokenizer is not None:
            return _Block(_word_pair_ids(vectorizer, offset), len(vectorizer.vocabulary_), "pair", per_word=False)
        return _Block(
            _word_ngram_ids(vectorizer, offset, unknown), len(vectorizer.vocabulary_), "ngram", per_word=False
        )
    if vectorizer.analyzer == "char_wb":
        return _Block(
            _char_wb_ngram_ids(vectorizer, offset, unknown), len(vectorizer.vocabulary_), "word", per_word=True
        )
    raise UnsupportedPipelineError(f"analyzer {vectorizer.analyzer!r}")


def _linear_parts(estimator: Any) -> tuple[NDArray[np.float64], float, tuple[float, float] | None]:
    """coef, intercept and, when calibrated, the sigmoid's (a, b) of one label's classifier."""
    calibration = None
    if isinstance(estimator, CalibratedClassifierCV):
        if len(estimator.calibrated_classifiers_) != 1 or estimator.method != "sigmoid":
            raise UnsupportedPipelineError("calibration must be one sigmoid (ensemble=False)")
        calibrated = estimator.calibrated_classifiers_[0]
        sigmoid = calibrated.calibrators[0]
        calibration = (float(sigmoid.a_), float(sigmoid.b_))
        estimator = calibrated.estimator
    if not isinstance(estimator, LogisticRegression) or estimator.coef_.shape[0] != 1:
        raise UnsupportedPipelineError(f"classifier {type(estimator).__name__}")
    return np.asarray(estimator.coef_[0], dtype=np.float64), float(estimator.intercept_[0]), calibration


class CompiledScorer:
    """Probabilities equal (to rounding) to pipeline.predict_proba, without scikit-learn on the hot path."""

    def __init__(self, pipeline: Pipeline) -> None:
        steps = dict(pipeline.steps)
        features, classifier = steps.get("features"), steps.get("classifier")
        if not isinstance(features, FeatureUnion) or not isinstance(classifier, OneVsRestClassifier):
            raise UnsupportedPipelineError("expected a FeatureUnion of TF-IDF blocks and a one-vs-rest classifier")
        if features.transformer_weights or not classifier.multilabel_:
            raise UnsupportedPipelineError("weighted features or a single-label classifier")
        parts = [_linear_parts(estimator) for estimator in classifier.estimators_]
        coef = np.column_stack([c for c, _, _ in parts])
        self.intercepts = np.array([i for _, i, _ in parts])
        calibrations = [cal for _, _, cal in parts]
        if any(cal is None for cal in calibrations) and any(cal is not None for cal in calibrations):
            raise UnsupportedPipelineError("calibration on some labels only")
        self.calibration = (
            None if calibrations[0] is None else np.array([cal for cal in calibrations if cal is not None]).T
        )
        self.preprocess = None
        self.blocks: list[_Block] = []
        idf = []
        sublinear = set()
        # One id space for all blocks, in the union's column order; the id after the last column
        # stands for every unknown n-gram and has idf 0 and weight 0, so it adds nothing.
        self.unknown = sum(len(vectorizer.vocabulary_) for _, vectorizer in features.transformer_list)
        offset = 0
        for _, vectorizer in features.transformer_list:
            if self.preprocess is None:
                self.preprocess = vectorizer.preprocessor
            elif vectorizer.preprocessor is not self.preprocess:
                raise UnsupportedPipelineError("blocks with different preprocessors")
            block = _block(vectorizer, offset, self.unknown)
            self.blocks.append(block)
            offset += block.size
            idf.append(np.asarray(vectorizer.idf_, dtype=np.float64))
            sublinear.add(bool(vectorizer.sublinear_tf))
        if len(sublinear) != 1 or self.preprocess is None:
            raise UnsupportedPipelineError("blocks differ in sublinear_tf")
        if offset != coef.shape[0]:
            raise UnsupportedPipelineError("feature count differs from the classifier's")
        self.sublinear = sublinear.pop()
        self.idf = np.append(np.concatenate(idf), 0.0)
        self.weights = np.ascontiguousarray(np.vstack([coef, np.zeros((1, coef.shape[1]))]))
        self.block_ends = [int(end) for end in np.cumsum([block.size for block in self.blocks])]
        self.block_ends[-1] = self.unknown + 1
        self._vectorizers = [vectorizer for _, vectorizer in features.transformer_list]
        self._offsets = [0, *np.cumsum([block.size for block in self.blocks])[:-1].tolist()]
        self._term_list: list[str] | None = None

    def _vector(self, pieces: list[NDArray[np.intp]]) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.float64]]:
        """Distinct feature ids, their counts, and their TF-IDF values (each block L2-normalised),
        as the fitted vectorizers would give them."""
        ids = np.sort(np.concatenate(pieces)) if pieces else np.zeros(0, dtype=np.intp)
        if not ids.size:
            return ids, ids, np.zeros(0)
        # np.unique(return_counts=True), without its overhead on a few hundred ids.
        first = np.flatnonzero(np.concatenate(([True], ids[1:] != ids[:-1])))
        counts = np.diff(np.append(first, ids.size))
        ids = ids[first]
        if not self.sublinear:
            tf = counts.astype(np.float64)
        elif counts.max() < _SUBLINEAR_TF.size:
            tf = _SUBLINEAR_TF[counts]
        else:
            tf = np.log(counts) + 1.0
        values = tf * self.idf[ids]
        # ids are sorted, so each block's terms are one slice; each block is L2-normalised alone.
        low = 0
        for end in self.block_ends:
            high = ids.size if end > self.unknown else int(np.searchsorted(ids, end))
            if high > low:
                segment = values[low:high]
                norm = math.sqrt(segment @ segment)
                if norm > 0.0:
                    segment *= 1.0 / norm
            low = high
        return ids, counts, values

    def _pieces(self, normalised: str) -> list[list[NDArray[np.intp]]]:
        return [block.ids(normalised) for block in self.blocks]

    def logits(self, text: str) -> NDArray[np.float64]:
        """The decision value of each label for one raw text."""
        assert self.preprocess is not None
        pieces: list[NDArray[np.intp]] = []
        for block_pieces in self._pieces(self.preprocess(text)):
            pieces += block_pieces
        ids, _, values = self._vector(pieces)
        logits: NDArray[np.float64] = self.intercepts + values @ self.weights[ids]
        return logits

    def contributions(self, text: str) -> list[Contribution]:
        """Each feature's exact share of every label's logit: word n-grams and word pairs as they
        are, character n-grams summed into the words they come from. They add up to
        logits(text) - intercepts."""
        assert self.preprocess is not None
        normalised = self.preprocess(text)
        by_block = self._pieces(normalised)
        ids, counts, values = self._vector([piece for pieces in by_block for piece in pieces])
        if not ids.size:
            return []
        per_feature = values[:, None] * self.weights[ids]
        row_of = {int(feature): row for row, feature in enumerate(ids)}
        count_of = dict(zip(ids.tolist(), counts.tolist(), strict=True))
        terms = self._terms()
        found: dict[tuple[str, str], NDArray[np.float64]] = {}
        for block, pieces in zip(self.blocks, by_block, strict=True):
            if not block.per_word:
                for feature in {int(f) for piece in pieces for f in piece if f != self.unknown}:
                    found[(block.kind, terms[feature])] = per_feature[row_of[feature]]
                continue
            # Character n-grams are shared out among the words they occur in, by occurrence.
            for word, word_ids in zip(normalised.split(), pieces, strict=True):
                if word_ids.size:
                    share = sum(per_feature[row_of[int(f)]] / count_of[int(f)] for f in word_ids)
                    found[("word", word)] = found.get(("word", word), 0.0) + share
        return [Contribution(kind, term, vector) for (kind, term), vector in found.items()]

    def _terms(self) -> list[str]:
        if self._term_list is None:
            terms = [""] * (self.unknown + 1)
            for vectorizer, offset in zip(self._vectorizers, self._offsets, strict=True):
                for term, index in vectorizer.vocabulary_.items():
                    terms[index + offset] = term
            self._term_list = terms
        return self._term_list

    def probabilities(self, logits: NDArray[np.float64]) -> NDArray[np.float64]:
        if self.calibration is not None:
            a, b = self.calibration
            calibrated: NDArray[np.float64] = 1.0 / (1.0 + np.exp(a * logits + b))
            return calibrated
        plain: NDArray[np.float64] = 1.0 / (1.0 + np.exp(-logits))
        return plain

    def scores(self, texts: Sequence[str]) -> NDArray[np.float64]:
        if len(texts) == 1:
            return self.probabilities(self.logits(texts[0]))[np.newaxis, :]
        if not texts:
            return np.zeros((0, len(self.intercepts)))
        return self.probabilities(np.vstack([self.logits(text) for text in texts]))
