"""Promote a trained bundle to the one in use, or roll back, in a registry folder.

    python -m training.registry list     [--models models]
    python -m training.registry promote  VERSION [--models models] [--eval PATH ...] [--tolerance 0.0]
    python -m training.registry rollback [--models models]

A candidate is promoted only if its macro-F1 is not worse than the current bundle's, beyond the
tolerance, on cross-validation (from the cards) and on every --eval set (scored now). Promotion
and rollback switch the pointer atomically; a running service picks the change up on reload.
"""

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rhetoric import registry
from rhetoric.bundle import BundleError, read_card, verify_bundle
from training.evaluate import evaluate_bundle


@dataclass(frozen=True)
class Comparison:
    measure: str
    current: float
    candidate: float


def compare(models: Path, candidate: str, eval_paths: Sequence[Path]) -> list[Comparison]:
    """Macro-F1 of the bundle in use and of the candidate, measure by measure."""
    in_use = registry.current(models)
    if in_use is None:
        return []
    rows = [
        Comparison(
            "cross-validation macro-F1",
            read_card(models / in_use).metrics["cross_validation"].macro_f1,
            read_card(models / candidate).metrics["cross_validation"].macro_f1,
        )
    ]
    for path in eval_paths:
        rows.append(
            Comparison(
                f"{path.name} macro-F1",
                evaluate_bundle(models / in_use, path).model.metrics.macro_f1,
                evaluate_bundle(models / candidate, path).model.metrics.macro_f1,
            )
        )
    return rows


def promote_if_not_worse(
    models: Path, candidate: str, eval_paths: Sequence[Path] = (), tolerance: float = 0.0
) -> tuple[bool, list[Comparison]]:
    verify_bundle(models / candidate)
    rows = compare(models, candidate, eval_paths)
    worse = [row for row in rows if row.candidate < row.current - tolerance]
    if not worse:
        registry.promote(models, candidate)
    return not worse, rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.registry", description=__doc__.split("\n")[0])
    parser.add_argument("--models", type=Path, default=Path("models"), help="registry folder")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="bundles, and which one is in use")
    promote = commands.add_parser("promote", help="make a bundle the one in use if it is not worse")
    promote.add_argument("version")
    promote.add_argument("--eval", action="append", type=Path, default=[], help="labelled JSONL to compare on")
    promote.add_argument("--tolerance", type=float, default=0.0, help="macro-F1 the candidate may lose")
    commands.add_parser("rollback", help="return to the bundle promoted before the current one")
    args = parser.parse_args(argv)
    models: Path = args.models
    try:
        if args.command == "list":
            in_use = registry.current(models)
            for name in registry.versions(models):
                card = read_card(models / name)
                cv = card.metrics["cross_validation"].macro_f1
                marker = "*" if name == in_use else " "
                print(f"{marker} {name}  created {card.created:%Y-%m-%d %H:%M}  CV macro-F1 {cv:.3f}")
            return 0
        if args.command == "rollback":
            print(f"now in use: {registry.rollback(models)}")
            return 0
        promoted, rows = promote_if_not_worse(models, args.version, args.eval, args.tolerance)
    except BundleError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for row in rows:
        print(f"{row.measure}: current {row.current:.4f}, candidate {row.candidate:.4f}")
    print(f"promoted {args.version}" if promoted else f"kept {registry.current(models)}: {args.version} is worse")
    return 0 if promoted else 1


if __name__ == "__main__":
    sys.exit(main())
