"""What both benchmarks share: the quotes they score and how they print."""

import gzip
import json
import statistics
from collections.abc import Sequence
from pathlib import Path


def load_texts(path: Path, limit: int) -> list[str]:
    """Quotes from a corpus folder or JSONL(.gz) file; long texts are split into their lines."""
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    texts: list[str] = []
    for file in files:
        opener = gzip.open if file.suffix == ".gz" else open
        with opener(file, "rt", encoding="utf-8") as handle:
            for line in handle:
                texts += [part for part in json.loads(line)["text"].split("\n") if part.strip()]
                if len(texts) >= limit:
                    return texts[:limit]
    if not texts:
        raise SystemExit(f"no texts in {path}")
    return texts


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table, so the output can be pasted into the README as it is."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(cells[0], widths, strict=True)) + " |"]
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    lines += ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |" for row in cells[1:]]
    return "\n".join(lines)


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"
