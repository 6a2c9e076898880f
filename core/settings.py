"""Where data lives, from the environment (MMRARE_DATA_DIR), beside graph/settings.py's MMRARE_GRAPH."""

from __future__ import annotations

import os
from pathlib import Path

from mmrare.core.blobs import FolderBlobStore


def data_dir() -> Path:
    """MMRARE_DATA_DIR, default ./.mmrare (beside the default embedded graph)."""
    return Path(os.environ.get("MMRARE_DATA_DIR", ".mmrare"))


def blob_store() -> FolderBlobStore:
    return FolderBlobStore(data_dir() / "blobs")
