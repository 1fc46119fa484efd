"""The local object store standing in for Swift: `<root>/<container>/<name>` plus a
`<name>.meta.json` sidecar holding Trove's object metadata and the MD5 (Swift's etag)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from trovemock.dataplane.protocol import ObjectCorrupt, ObjectMissing

CONTAINER = "database_backups"  # Trove's default backup container
SCHEME = "local://"  # an object's location: local://<container>/<name>


def md5_of(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class ObjectStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, location: str) -> Path:
        if not location.startswith(SCHEME):
            raise ValueError(f"not a local object location: {location}")
        relative = Path(location[len(SCHEME):])
        if relative.is_absolute() or ".." in relative.parts:
            raise ValueError(f"not a local object location: {location}")
        return self.root / relative

    def new_location(self, name: str, container: str = CONTAINER) -> str:
        (self.root / container).mkdir(parents=True, exist_ok=True)
        return f"{SCHEME}{container}/{name}"

    def seal(self, location: str, meta: dict[str, Any]) -> tuple[str, int]:
        """Record an object written at `location`: its MD5 and metadata in the sidecar.
        Returns (checksum, size in bytes)."""
        path = self.path_of(location)
        checksum = md5_of(path)
        sidecar = {**meta, "checksum": checksum}
        _meta_path(path).write_text(json.dumps(sidecar, indent=1, sort_keys=True))
        return checksum, path.stat().st_size

    def meta(self, location: str) -> dict[str, Any]:
        return json.loads(_meta_path(self.path_of(location)).read_text())

    def verify(self, backup_id: str, location: str, checksum: str) -> Path:
        """The object's path when it is there and still matches `checksum`."""
        path = self.path_of(location)
        if not path.is_file():
            raise ObjectMissing(location)
        if md5_of(path) != checksum:
            raise ObjectCorrupt(backup_id)
        return path

    def remove(self, location: str) -> None:
        path = self.path_of(location)
        for victim in (path, _meta_path(path)):
            try:
                victim.unlink()
            except FileNotFoundError:
                pass

    def corrupt(self, location: str, how: str) -> None:
        """A fault for tests: "flip" one byte in the middle, "truncate" to half, "delete"."""
        path = self.path_of(location)
        if how == "delete":
            path.unlink(missing_ok=True)
            return
        size = path.stat().st_size
        if how == "truncate":
            os.truncate(path, size // 2)
        elif how == "flip":
            with path.open("r+b") as stream:
                stream.seek(size // 2)
                byte = stream.read(1)
                stream.seek(size // 2)
                stream.write(bytes([(byte[0] if byte else 0) ^ 0xFF]))
        else:
            raise ValueError(f"corruption must be flip, truncate or delete, not {how!r}")

    def total_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.root.rglob("*") if p.is_file())


def _meta_path(path: Path) -> Path:
    return path.with_name(path.name + ".meta.json")
