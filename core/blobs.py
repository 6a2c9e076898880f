"""Content-addressed blob storage for image bytes (the graph keeps only metadata and the sha256).

`BlobStore` is the interface; `FolderBlobStore` keeps `<root>/ab/<sha256>`. An S3-compatible store
can implement the same methods. `AddedBlobs` remembers what one import added, so an import that is
refused takes its blobs back and leaves the store as it found it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Protocol


class BlobStore(Protocol):
    def put(self, data: bytes) -> str: ...

    def get(self, sha256: str) -> bytes: ...

    def has(self, sha256: str) -> bool: ...

    def delete(self, sha256: str) -> None: ...

    def ready(self) -> bool:
        """Whether blobs can be read and written now (for the health check)."""
        ...


class FolderBlobStore:
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def ready(self) -> bool:
        """The folder exists, or its parent does so it can be made, and can be written to."""
        folder = self.root if self.root.exists() else self.root.parent
        return folder.is_dir() and os.access(folder, os.W_OK)

    def path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a sha256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256

    def put(self, data: bytes) -> str:
        """Store once; identical bytes map to the same file. Written atomically."""
        sha = hashlib.sha256(data).hexdigest()
        target = self.path(sha)
        if target.exists():
            return sha
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return sha

    def get(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def has(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    def delete(self, sha256: str) -> None:
        self.path(sha256).unlink(missing_ok=True)


class AddedBlobs:
    """A blob store that writes through and remembers the blobs it added (not those already there)."""

    def __init__(self, inner: BlobStore) -> None:
        self.inner = inner
        self.added: list[str] = []

    def put(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        if not self.inner.has(sha):
            self.added.append(sha)
        return self.inner.put(data)

    def get(self, sha256: str) -> bytes:
        return self.inner.get(sha256)

    def has(self, sha256: str) -> bool:
        return self.inner.has(sha256)

    def delete(self, sha256: str) -> None:
        self.inner.delete(sha256)

    def ready(self) -> bool:
        return self.inner.ready()

    def take_back(self) -> None:
        """Remove every blob this store added."""
        for sha in self.added:
            self.inner.delete(sha)
        self.added = []
