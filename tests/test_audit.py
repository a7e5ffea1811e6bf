import json
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import CORPUS
from training.audit import find_disputes, main
from training.corpus import LabelledQuote

THANKS = "We extend our heartfelt thanks to the fraternal people for the relief goods sent to the flood-hit county."


def _quote(i: int, labels: list[str]) -> LabelledQuote:
    return LabelledQuote.model_validate({"id": f"q{i}", "text": f"quote {i}", "labels": labels})


def test_labels_the_scores_contradict_beyond_the_band_are_disputed_strongest_first() -> None:
    quotes = [_quote(0, ["gratitude"]), _quote(1, []), _quote(2, ["hostility", "self_reliance"])]
    scores = np.array([[0.12, 0.5, 0.5], [0.95, 0.1, 0.85], [0.5, 0.9, 0.19]])
    disputes = find_disputes(quotes, ["a", "b", "c"], scores, band=0.2)
    assert [(d.id, d.label, d.labelled, d.file) for d in disputes] == [
        ("q1", "gratitude", False, "b"),
        ("q0", "gratitude", True, "a"),
        ("q1", "self_reliance", False, "b"),
        ("q2", "self_reliance", True, "c"),
    ]


def test_a_band_that_would_dispute_everything_is_refused() -> None:
    with pytest.raises(ValueError, match="band"):
        find_disputes([_quote(0, [])], ["a"], np.zeros((1, 3)), band=0.5)


def test_cli_finds_a_thanks_quote_labelled_neutral_by_one_writer(
    bundle_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [line for path in sorted(CORPUS.glob("*.jsonl")) for line in path.read_text("utf-8").splitlines()[::10]]
    data = tmp_path / "data"
    data.mkdir()
    for k in range(3):
        (data / f"writer{k}.jsonl").write_text("\n".join(lines[k::3]) + "\n", "utf-8")
    mislabelled = {"id": "zz-0001", "text": THANKS, "labels": [], "kind": "letter", "topic": "zz-flood-thanks"}
    with (data / "writer0.jsonl").open("a", encoding="utf-8") as out:
        out.write(json.dumps(mislabelled) + "\n")
    disputes_path = tmp_path / "disputes.jsonl"

    code = main(["--data", str(data), "--model", str(bundle_dir), "--folds", "3", "--out", str(disputes_path)])

    assert code == 0
    disputes = [json.loads(line) for line in disputes_path.read_text("utf-8").splitlines()]
    flagged = [d for d in disputes if d["id"] == "zz-0001"]
    assert [(d["label"], d["labelled"], d["file"].endswith("writer0.jsonl")) for d in flagged] == [
        ("gratitude", False, True)
    ]
    assert flagged[0]["score"] > 0.8
    assert len(disputes) < 0.1 * len(lines) * 3  # a list to reread, not the whole corpus
    assert f"wrote {len(disputes)} disputes" in capsys.readouterr().out


def test_cli_without_a_model_card_names_what_is_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--model", str(tmp_path / "nowhere")]) == 2
    assert "no model card" in capsys.readouterr().err
