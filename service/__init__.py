"""HTTP API of the rhetoric classifier."""

from service.app import create_app
from service.settings import Settings

__all__ = ["Settings", "create_app"]
