"""In-process speed of the scikit-learn pipeline and the compiled scorer on the same quotes.

python -m bench.inprocess [--model models/default] [--data data/] [--quotes 1000]
"""

import argparse
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from bench.common import load_texts, median, percentile, table, verdict
from rhetoric.bundle import load_bundle
from rhetoric.scoring import Scorer

BATCH_SIZES = (1, 10, 100, 1000)


def per_quote_latency(score: Callable[[list[str]], object], texts: Sequence[str]) -> list[float]:
    timings = []
    for text in texts:
        start = time.perf_counter()
        score([text])
        timings.append(time.perf_counter() - start)
    return timings


def throughput(score: Callable[[list[str]], object], texts: Sequence[str], size: int, seconds: float) -> float:
    """Quotes per second scoring batches of size, cycling through texts for about seconds."""
    batches = [list(texts[i : i + size]) for i in range(0, max(len(texts) - size + 1, 1), size)] or [list(texts)]
    done, start = 0, time.perf_counter()
    while True:
        for batch in batches:
            score(batch)
            done += len(batch)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return done / elapsed


def run(model: Path, data: Path, quotes: int, seconds: float) -> dict[str, float]:
    bundle = load_bundle(model)
    scorer = Scorer(bundle.pipeline, bundle.card.thresholds, pipeline_from_batch_size=None)
    assert scorer.compiled is not None, "the bundle's pipeline did not compile"
    compiled = scorer.compiled.scores
    pipeline = scorer.pipeline_scores
    texts = load_texts(data, quotes)
    print(f"{len(texts)} quotes from {data}, model {bundle.card.name} {bundle.card.version}")

    cold = per_quote_latency(compiled, texts)  # first sight of every word: the n-gram cache is empty
    difference = float(np.abs(compiled(texts) - pipeline(texts)).max())
    slow = per_quote_latency(pipeline, texts)
    fast = per_quote_latency(compiled, texts)
    ratio = median(slow) / median(fast)
    print()
    print(
        table(
            ["path, one quote per call", "median µs", "p99 µs"],
            [
                ["scikit-learn pipeline", f"{median(slow) * 1e6:.0f}", f"{percentile(slow, 0.99) * 1e6:.0f}"],
                ["compiled scorer", f"{median(fast) * 1e6:.0f}", f"{percentile(fast, 0.99) * 1e6:.0f}"],
                [
                    "compiled scorer, cold word cache",
                    f"{median(cold) * 1e6:.0f}",
                    f"{percentile(cold, 0.99) * 1e6:.0f}",
                ],
            ],
        )
    )
    print(f"\nlargest difference between the two paths: {difference:.1e}")
    print(f"single quote: compiled scorer {ratio:.1f}x faster than the pipeline (target 20x: {verdict(ratio >= 20)})")

    rows, crossover = [], None
    results: dict[str, float] = {"single_ratio": ratio}
    for size in BATCH_SIZES:
        slow_rate = throughput(pipeline, texts, size, seconds)
        fast_rate = throughput(compiled, texts, size, seconds)
        if crossover is None and slow_rate > fast_rate:
            crossover = size
        rows.append([size, f"{slow_rate:,.0f}", f"{fast_rate:,.0f}", f"{fast_rate / slow_rate:.1f}x"])
        results[f"batch_{size}"] = max(slow_rate, fast_rate)
    print()
    print(table(["batch size", "pipeline quotes/s", "compiled quotes/s", "compiled vs pipeline"], rows))
    print(f"\npipeline faster from batch size: {crossover or 'never, up to ' + str(BATCH_SIZES[-1])}")
    return results


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.inprocess", description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=Path("models/default"))
    parser.add_argument("--data", type=Path, default=Path("data"), help="corpus folder or JSONL(.gz) with 'text'")
    parser.add_argument("--quotes", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=2.0, help="time per throughput measurement")
    args = parser.parse_args(argv)
    run(args.model, args.data, args.quotes, args.seconds)


if __name__ == "__main__":
    main()
