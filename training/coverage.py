"""How well the corpus covers the vocabulary of real state-media text.

    python -m training.coverage --real ../shared/corpus/kcna-2011-2012.jsonl.gz [--data data/] [--ngram 2]

Reads unlabelled stories (JSON Lines with a "text" field, gzipped or not), splits them into
sentences and compares how many sentences hold each word (or, with --ngram N, each run of N words)
there with how many quotes hold it in the corpus. It prints the terms real text uses that the corpus
lacks, which the model cannot weigh, and the terms the corpus uses far more than real text does,
which are its writers' habits; beside each, how the corpus labels the quotes that hold it. Phrases
matter because a frame is often carried by common words in a fixed order ("own hands", "by dint of").
Only counts and terms of at most a few words are printed, never sentences.
"""

import argparse
import gzip
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from rhetoric.labels import LABELS
from training.check_corpus import corpus_files
from training.corpus import LabelledQuote, read_labelled

_WORD = re.compile(r"[a-z][a-z'-]*[a-z]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
#: Feeds mix in stories in other languages; a story is read as English when at least this share
#: of its words are these.
_ENGLISH_MARKERS = frozenset({"the", "of", "and", "to", "is", "was", "with", "for", "that", "by"})
ENGLISH_SHARE = 0.08
NEUTRAL = "neutral"


@dataclass(frozen=True)
class TermCoverage:
    term: str
    real_sentences: int
    corpus_quotes: int
    #: How much more often (per sentence) real text uses the term than the corpus (per quote).
    ratio: float
    #: Corpus quotes holding the term, by label and "neutral".
    corpus_labels: dict[str, int]


@dataclass(frozen=True)
class CoverageReport:
    real_stories: int
    skipped_stories: int
    real_sentences: int
    corpus_quotes: int
    #: Words per term: 1 compares words, N compares runs of N words.
    ngram: int
    missing: list[TermCoverage]
    overused: list[TermCoverage]


def terms_of(text: str, ngram: int = 1) -> set[str]:
    """The distinct words of text, or with ngram above one its distinct runs of that many words."""
    words = _WORD.findall(text.lower())
    return {" ".join(words[i : i + ngram]) for i in range(len(words) - ngram + 1)}


def is_english(text: str) -> bool:
    tokens = _WORD.findall(text.lower())
    return bool(tokens) and sum(t in _ENGLISH_MARKERS for t in tokens) / len(tokens) >= ENGLISH_SHARE


def read_stories(path: Path) -> Iterator[str]:
    """The "text" of each line of a JSONL file, gzipped when its name ends in .gz."""
    with gzip.open(path, "rt", encoding="utf-8") if path.suffix == ".gz" else path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                text = json.loads(line)["text"]
            except (json.JSONDecodeError, KeyError, TypeError) as error:
                raise ValueError(f"{path}:{number}: expected a JSON object with a text field ({error})") from error
            yield str(text)


def compare_vocabulary(
    stories: Iterable[str],
    quotes: Sequence[LabelledQuote],
    min_count: int = 30,
    gap: float = 5.0,
    top: int = 60,
    ngram: int = 1,
) -> CoverageReport:
    """Terms whose per-sentence rate in real text and per-quote rate in the corpus differ by gap or more.

    A term (a word, or a run of ngram words) is listed when it is in at least min_count real
    sentences (missing) or corpus quotes (overused); the corpus count is smoothed by one so that
    absent terms get a finite ratio.
    """
    if ngram < 1:
        raise ValueError(f"ngram must be at least 1, not {ngram}")
    real: Counter[str] = Counter()
    stories_read = skipped = sentences = 0
    for story in stories:
        if not is_english(story):
            skipped += 1
            continue
        stories_read += 1
        for sentence in _SENTENCE_END.split(story):
            if sentence.strip():
                sentences += 1
                real.update(terms_of(sentence, ngram))
    corpus: Counter[str] = Counter()
    by_label: dict[str, Counter[str]] = {name: Counter() for name in (*LABELS, NEUTRAL)}
    for quote in quotes:
        held = terms_of(quote.text, ngram)
        corpus.update(held)
        for name in quote.labels or (NEUTRAL,):
            by_label[name].update(held)
    if not sentences or not quotes:
        raise ValueError("need at least one English sentence of real text and one corpus quote")

    def entry(term: str) -> TermCoverage:
        ratio = (real[term] / sentences) / ((corpus[term] + 1) / len(quotes))
        labels = {name: counts[term] for name, counts in by_label.items()}
        return TermCoverage(term, real[term], corpus[term], round(ratio, 2), labels)

    missing = [entry(t) for t in real if real[t] >= min_count]
    missing = sorted((e for e in missing if e.ratio >= gap), key=lambda e: (-e.real_sentences, e.term))
    overused = [entry(t) for t in corpus if corpus[t] >= min_count]
    overused = sorted((e for e in overused if e.ratio <= 1 / gap), key=lambda e: (e.ratio, e.term))
    return CoverageReport(stories_read, skipped, sentences, len(quotes), ngram, missing[:top], overused[:top])


def format_report(report: CoverageReport) -> str:
    noun = "words" if report.ngram == 1 else f"{report.ngram}-word phrases"
    label_columns = " | ".join((*LABELS, NEUTRAL))
    term = "word" if report.ngram == 1 else "phrase"
    header = f"| {term} | real sentences | corpus quotes | real/corpus rate | {label_columns} |"
    rule = "|---|---:|---:|---:|" + "---:|" * (len(LABELS) + 1)

    def table(entries: list[TermCoverage]) -> list[str]:
        rows = [
            f"| {e.term} | {e.real_sentences:,} | {e.corpus_quotes:,} | {e.ratio:.2f} | "
            + " | ".join(str(e.corpus_labels[name]) for name in (*LABELS, NEUTRAL))
            + " |"
            for e in entries
        ]
        return [header, rule, *rows] if rows else ["(none)"]

    return "\n".join(
        [
            f"real text: {report.real_stories:,} stories ({report.skipped_stories:,} not in English, skipped), "
            f"{report.real_sentences:,} sentences; corpus: {report.corpus_quotes:,} quotes",
            "",
            f"## {noun.capitalize()} real text uses that the corpus lacks",
            "",
            *table(report.missing),
            "",
            f"## {noun.capitalize()} the corpus overuses",
            "",
            *table(report.overused),
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.coverage", description=__doc__.splitlines()[0])
    parser.add_argument("--real", type=Path, action="append", required=True, help="unlabelled JSONL(.gz) stories")
    parser.add_argument("--data", type=Path, action="append", help="corpus file or folder (default data/)")
    parser.add_argument("--ngram", type=int, default=1, help="compare runs of this many words (default 1: words)")
    parser.add_argument("--min-count", type=int, default=30, help="sentences or quotes a term needs to be listed")
    parser.add_argument("--gap", type=float, default=5.0, help="rate ratio that counts as a gap")
    parser.add_argument("--top", type=int, default=60, help="rows per table")
    args = parser.parse_args(argv)
    try:
        quotes = [q for path in corpus_files(args.data or [Path("data")]) for q in read_labelled(path).quotes]
        stories = (story for path in args.real for story in read_stories(path))
        report = compare_vocabulary(stories, quotes, args.min_count, args.gap, args.top, args.ngram)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(format_report(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
