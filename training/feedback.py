"""Turn analysts' corrections into corpus lines.

    python -m training.feedback export --out feedback/export.jsonl [--database URL | --sqlite PATH]

Each text keeps only its latest correction. The lines follow the corpus schema (kind "feedback"),
so they can be checked with training.check_corpus and passed to training.train with --data, or
read live with training.train --feedback.
"""

import argparse
import hashlib
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from rhetoric.feedback import Feedback, FeedbackStore, database_url
from rhetoric.text import normalise
from training.corpus import CorpusQuote, latest_per_text


def latest_corrections(records: Iterable[Feedback]) -> list[Feedback]:
    """One record per text: its latest correction."""
    return latest_per_text(records, lambda record: record.text)


def as_corpus_quotes(records: Iterable[Feedback]) -> list[CorpusQuote]:
    return [
        CorpusQuote(
            id=f"fb-{record.id:06d}",
            text=record.text,
            labels=record.labels,
            kind="feedback",
            speaker=None,
            target=None,
            # Each corrected text is its own topic: corrections are not near-copies of one another.
            topic="fb-" + hashlib.sha256(normalise(record.text).encode()).hexdigest()[:10],
        )
        for record in latest_corrections(records)
    ]


def corpus_lines(quotes: Sequence[CorpusQuote]) -> str:
    return "".join(json.dumps(q.model_dump(), ensure_ascii=False) + "\n" for q in quotes)


def open_store(database: str | None, sqlite: Path) -> FeedbackStore:
    store = FeedbackStore(database_url(database, sqlite))
    store.migrate()
    return store


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.feedback", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="write the latest correction of each text as corpus JSONL")
    export.add_argument("--out", type=Path, required=True)
    export.add_argument("--database", help="PostgreSQL URL (default: the SQLite file)")
    export.add_argument("--sqlite", type=Path, default=Path("feedback/feedback.sqlite3"))
    args = parser.parse_args(argv)
    store = open_store(args.database, args.sqlite)
    try:
        quotes = as_corpus_quotes(store.all())
    finally:
        store.close()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(corpus_lines(quotes), encoding="utf-8")
    print(f"wrote {len(quotes)} corrections to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
