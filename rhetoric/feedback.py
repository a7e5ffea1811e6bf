"""Analysts' corrections, stored durably: embedded SQLite by default, PostgreSQL when a URL is given.

One data layer (SQLAlchemy Core) serves both; the schema is created and upgraded by numbered
migrations recorded in the database itself. Every write is its own transaction, committed before
the caller hears back, so an acknowledged correction survives a crash.
"""

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    func,
    insert,
    select,
)
from sqlalchemy.engine import Connection, Engine

from rhetoric.labels import LABELS, Label

metadata = MetaData()
migrations_table = Table(
    "rhetoric_migrations",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("applied", DateTime(timezone=True), nullable=False),
)
feedback_table = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("text", Text, nullable=False),
    Column("labels", Text, nullable=False),
    Column("model_version", String(100)),
    Column("scores", Text),
    Column("annotator", String(100)),
    Column("created", DateTime(timezone=True), nullable=False),
)


def _create_feedback(connection: Connection) -> None:
    feedback_table.create(connection)


#: (version, name, step) in order; a database records which it has applied.
MIGRATIONS: list[tuple[int, str, Callable[[Connection], None]]] = [
    (1, "create feedback", _create_feedback),
]


@dataclass(frozen=True)
class Feedback:
    id: int
    text: str
    labels: list[Label]
    model_version: str | None
    scores: dict[Label, float] | None
    annotator: str | None
    created: datetime


def database_url(url: str | None, sqlite_path: Path) -> str:
    """The configured URL, or the embedded SQLite file."""
    if url:
        return url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url
    sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{sqlite_path}"


def _sqlite_durability(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(connection: object, _: object) -> None:
        cursor = connection.cursor()  # type: ignore[attr-defined]
        # WAL lets readers run beside the writer; synchronous=FULL makes each commit reach the disk.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


class FeedbackStore:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_engine(url, pool_pre_ping=True)
        if self.engine.dialect.name == "sqlite":
            _sqlite_durability(self.engine)

    def migrate(self) -> list[int]:
        """Apply the migrations this database lacks, each in its own transaction; returns them."""
        with self.engine.begin() as connection:
            migrations_table.create(connection, checkfirst=True)
        applied = []
        for version, name, step in MIGRATIONS:
            with self.engine.begin() as connection:
                done = connection.execute(
                    select(migrations_table.c.version).where(migrations_table.c.version == version)
                ).first()
                if done:
                    continue
                step(connection)
                connection.execute(
                    insert(migrations_table).values(version=version, name=name, applied=datetime.now(UTC))
                )
                applied.append(version)
        return applied

    def schema_version(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(select(func.max(migrations_table.c.version))).scalar() or 0)

    def add(
        self,
        text: str,
        labels: list[Label],
        model_version: str | None = None,
        scores: dict[Label, float] | None = None,
        annotator: str | None = None,
    ) -> Feedback:
        created = datetime.now(UTC)
        ordered = [label for label in LABELS if label in labels]
        with self.engine.begin() as connection:
            new_id = connection.execute(
                insert(feedback_table)
                .values(
                    text=text,
                    labels=json.dumps(ordered),
                    model_version=model_version,
                    scores=json.dumps(scores) if scores is not None else None,
                    annotator=annotator,
                    created=created,
                )
                .returning(feedback_table.c.id)
            ).scalar_one()
        return Feedback(int(new_id), text, ordered, model_version, scores, annotator, created)

    def page(self, after: int = 0, limit: int = 100) -> list[Feedback]:
        """Records with id above after, oldest first: pass the last id back for the next page."""
        query = select(feedback_table).where(feedback_table.c.id > after).order_by(feedback_table.c.id).limit(limit)
        with self.engine.connect() as connection:
            return [_record(row._mapping) for row in connection.execute(query)]

    def all(self, batch: int = 1000) -> Iterator[Feedback]:
        after = 0
        while page := self.page(after, batch):
            yield from page
            after = page[-1].id

    def count(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(feedback_table)).scalar_one())

    def close(self) -> None:
        self.engine.dispose()


def _record(row: object) -> Feedback:
    values = dict(row)  # type: ignore[call-overload]
    created = values["created"]
    if created.tzinfo is None:  # SQLite keeps no offset; every value was written in UTC
        created = created.replace(tzinfo=UTC)
    return Feedback(
        id=int(values["id"]),
        text=values["text"],
        labels=json.loads(values["labels"]),
        model_version=values["model_version"],
        scores=json.loads(values["scores"]) if values["scores"] else None,
        annotator=values["annotator"],
        created=created,
    )
