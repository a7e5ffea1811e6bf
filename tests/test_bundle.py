import json
import pickle
import shutil
from pathlib import Path

import pytest

from rhetoric.bundle import ARTIFACT_FILE, CARD_FILE, BundleError, load_bundle, sha256_file, verify_bundle


@pytest.fixture
def bundle_copy(bundle_dir: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(bundle_dir, tmp_path / "copy"))


def _edit_card(directory: Path, **changes: object) -> None:
    card_path = directory / CARD_FILE
    card = json.loads(card_path.read_text())
    for dotted, value in changes.items():
        node = card
        *parents, leaf = dotted.split("__")
        for key in parents:
            node = node[key]
        node[leaf] = value
    card_path.write_text(json.dumps(card))


class _RunsOnLoad:
    """A pickle that would create a file if it were ever unpickled."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (Path.write_text, (str(self.marker), "code ran"))


def test_a_verified_bundle_loads_with_its_card(bundle_dir: Path) -> None:
    bundle = load_bundle(bundle_dir)
    assert bundle.card.artifact.sha256 == sha256_file(bundle_dir / ARTIFACT_FILE)
    assert bundle.pipeline.predict_proba(["We thank you."]).shape == (1, 3)


def test_a_swapped_artifact_is_refused_before_it_is_unpickled(bundle_copy: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    (bundle_copy / ARTIFACT_FILE).write_bytes(pickle.dumps(_RunsOnLoad(marker)))
    with pytest.raises(BundleError, match=r"bytes, its card says|SHA-256"):
        load_bundle(bundle_copy)
    assert not marker.exists()


def test_an_artifact_changed_in_place_is_refused_by_its_hash(bundle_copy: Path) -> None:
    artifact = bundle_copy / ARTIFACT_FILE
    data = bytearray(artifact.read_bytes())
    data[len(data) // 2] ^= 0xFF
    artifact.write_bytes(bytes(data))
    with pytest.raises(BundleError, match=r"SHA-256 .* refusing to load it; build it with `python -m training.train"):
        load_bundle(bundle_copy)


def test_a_truncated_artifact_is_refused(bundle_copy: Path) -> None:
    artifact = bundle_copy / ARTIFACT_FILE
    artifact.write_bytes(artifact.read_bytes()[:1000])
    with pytest.raises(BundleError, match="has 1000 bytes"):
        verify_bundle(bundle_copy)


def test_a_missing_bundle_says_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match=r"no model card at .*python -m training.train --out"):
        load_bundle(tmp_path / "nothing")


def test_a_missing_artifact_is_refused(bundle_copy: Path) -> None:
    (bundle_copy / ARTIFACT_FILE).unlink()
    with pytest.raises(BundleError, match="is missing"):
        load_bundle(bundle_copy)


def test_a_card_that_is_not_json_is_refused(bundle_copy: Path) -> None:
    (bundle_copy / CARD_FILE).write_text("{not json")
    with pytest.raises(BundleError, match=r"model card .* is invalid"):
        load_bundle(bundle_copy)


def test_a_card_pointing_outside_the_bundle_is_refused(bundle_copy: Path) -> None:
    _edit_card(bundle_copy, artifact__file="../elsewhere/model.joblib")
    with pytest.raises(BundleError, match="is missing"):
        load_bundle(bundle_copy)


def test_a_card_with_other_labels_is_refused(bundle_copy: Path) -> None:
    _edit_card(bundle_copy, labels=["gratitude", "hostility"])
    with pytest.raises(BundleError, match="labels"):
        load_bundle(bundle_copy)


def test_a_bundle_from_other_library_versions_is_refused(bundle_copy: Path) -> None:
    card = json.loads((bundle_copy / CARD_FILE).read_text())
    card["environment"]["libraries"]["scikit-learn"] = "0.1"
    (bundle_copy / CARD_FILE).write_text(json.dumps(card))
    with pytest.raises(BundleError, match=r"scikit-learn 0.1 \(bundle\)"):
        load_bundle(bundle_copy)


def test_a_bundle_of_another_text_normalisation_is_refused(bundle_copy: Path) -> None:
    _edit_card(bundle_copy, normalisation_version=999)
    with pytest.raises(BundleError, match="normalisation v999"):
        load_bundle(bundle_copy)
