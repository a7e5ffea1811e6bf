"""Run the service: python -m service (settings from RHETORIC_* environment variables)."""

import logging
from typing import Any

import uvicorn

from service.app import create_app
from service.settings import Settings


def main() -> None:
    settings = Settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(levelname)s:     %(name)s: %(message)s")
    common: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "log_level": settings.log_level,
        "loop": "uvloop",
        "http": "httptools",
    }
    if settings.workers == 1:
        uvicorn.run(create_app(settings), **common)
    else:
        # Each worker process builds its own app, reading the same RHETORIC_* environment.
        uvicorn.run("service.app:create_app", factory=True, workers=settings.workers, **common)


if __name__ == "__main__":
    main()
