"""A folder of versioned bundles and a pointer to the one in use.

    models/
      2026.11.22-418916bb/   model.joblib, model.card.json
      2026.11.29-5c01aa2e/   ...
      current                the name of the bundle in use, replaced atomically
      history                'promote NAME' and 'rollback NAME' lines, oldest first

The service is given either a bundle folder or a registry folder; in a registry it serves the
bundle `current` names, and reloading re-reads the pointer.
"""

import os
from pathlib import Path

from rhetoric.bundle import CARD_FILE, BundleError

POINTER = "current"
HISTORY = "history"


def is_registry(path: Path) -> bool:
    return (path / POINTER).is_file()


def _checked_name(name: str, registry: Path) -> str:
    if not name or name in {".", ".."} or "/" in name or "\\" in name:
        raise BundleError(f"{registry / POINTER} names {name!r}, which is not a bundle folder in {registry}")
    return name


def resolve(path: Path) -> Path:
    """The bundle folder to load: path itself, or the bundle its pointer names."""
    if not is_registry(path):
        return path
    return path / _checked_name((path / POINTER).read_text(encoding="utf-8").strip(), path)


def current(registry: Path) -> str | None:
    return resolve(registry).name if is_registry(registry) else None


def versions(registry: Path) -> list[str]:
    """Bundle folders in the registry, oldest first by creation of their card."""
    found = [p for p in registry.iterdir() if p.is_dir() and (p / CARD_FILE).is_file()] if registry.is_dir() else []
    return [p.name for p in sorted(found, key=lambda p: ((p / CARD_FILE).stat().st_mtime, p.name))]


def history(registry: Path) -> list[tuple[str, str]]:
    """(action, name) for every switch of the pointer, oldest first."""
    path = registry / HISTORY
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    return [(action, name) for action, _, name in (line.partition(" ") for line in lines) if name]


def promoted_stack(registry: Path) -> list[str]:
    """Bundles promoted and not rolled back, oldest first: the last one is in use."""
    stack: list[str] = []
    for action, name in history(registry):
        if action == "promote":
            stack.append(name)
        elif action == "rollback" and stack:
            stack.pop()
    return stack


def _switch(registry: Path, name: str, action: str) -> None:
    """Make name the bundle in use. The pointer is replaced in one rename, so a reader sees the
    old name or the new one, never a torn write; the history line follows."""
    _checked_name(name, registry)
    if not (registry / name / CARD_FILE).is_file():
        raise BundleError(f"{registry / name} is not a bundle")
    temporary = registry / f".{POINTER}.{os.getpid()}.tmp"
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write(name + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, registry / POINTER)
    with (registry / HISTORY).open("a", encoding="utf-8") as handle:
        handle.write(f"{action} {name}\n")
        handle.flush()
        os.fsync(handle.fileno())


def promote(registry: Path, name: str) -> None:
    _switch(registry, name, "promote")


def rollback(registry: Path) -> str:
    """Return to the bundle promoted before the current one; returns its name."""
    stack = promoted_stack(registry)
    if len(stack) < 2:
        raise BundleError(f"nothing to roll back to in {registry}: {len(stack)} bundle(s) promoted")
    previous = stack[-2]
    _switch(registry, previous, "rollback")
    return previous
