"""Service settings, read from RHETORIC_* environment variables."""

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RHETORIC_", frozen=True)

    model_dir: Path = Field(
        default=Path("models/default"),
        description="bundle folder to serve, or a registry folder whose 'current' file names the bundle",
    )
    feedback_db: Path = Field(
        default=Path("feedback/feedback.sqlite3"), description="embedded SQLite file for analysts' corrections"
    )
    database_url: SecretStr | None = Field(
        default=None, description="PostgreSQL URL for the corrections instead of SQLite (postgresql://user@host/db)"
    )
    admin_api_key: SecretStr | None = Field(
        default=None, description="key for the admin endpoints (X-API-Key header); unset = admin disabled"
    )
    host: str = Field(default="127.0.0.1", description="address to listen on")
    port: int = Field(default=8000, ge=0, le=65535)
    max_texts: int = Field(default=1_000, ge=1, description="texts per classify request")
    max_text_chars: int = Field(default=10_000, ge=1, description="characters per text")
    max_article_chars: int = Field(default=100_000, ge=1, description="characters per article to analyze")
    max_body_bytes: int = Field(
        default=16 * 1024 * 1024, ge=1024, description="request body size; larger bodies get 413 unread"
    )
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"
    workers: int = Field(default=1, ge=1, le=64, description="server processes, each with its own model copy")
    inline_max_texts: int = Field(
        default=16,
        ge=0,
        description="requests with at most this many texts are scored on the event loop; larger ones in a thread",
    )
