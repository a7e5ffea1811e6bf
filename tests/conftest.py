from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service import Settings, create_app
from training.train import train

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "data"
#: One grid point and three folds: the full search is exercised by the CLI, not by every test run.
FAST_SEARCH: dict[str, list[Any]] = {
    "classifier__estimator__C": [8.0],
    "classifier__estimator__class_weight": ["balanced"],
}


@pytest.fixture(scope="session")
def bundle_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bundle") / "model"
    train([CORPUS], out, seed=13, search_space=FAST_SEARCH, folds=3)
    return out


@pytest.fixture
def settings(bundle_dir: Path, tmp_path: Path) -> Settings:
    return Settings(model_dir=bundle_dir, feedback_db=tmp_path / "feedback.sqlite3")


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client
