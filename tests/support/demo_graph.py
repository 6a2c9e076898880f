"""The demo graph (synthetic: `mmrare demo`'s release, runs and judgements on the bundled Orphanet
fixtures), built once per test process and handed out as copies of its file. Building it takes about
three seconds; a copy takes milliseconds, and each copy is its caller's to change."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

from mmrare.cli.demo import load_demo
from mmrare.core.blobs import FolderBlobStore
from mmrare.graph.embedded import EmbeddedStore


class DemoGraphs:
    def __init__(self, root: Path) -> None:
        self.root = root
        # the images are content-addressed: copies share them, and a put of the same bytes changes nothing
        self.blobs = FolderBlobStore(root / "blobs")
        self._file = root / "demo.db"
        self._lock = threading.Lock()

    def copy(self, folder: Path) -> tuple[EmbeddedStore, FolderBlobStore]:
        """A new graph file in `folder` holding the demo, and the blob store of its images."""
        with self._lock:
            if not self._file.exists():
                built = EmbeddedStore(self.root / "building.db")
                load_demo(built, self.blobs, self.root / "work", echo=lambda _: None)
                built.close()  # the last connection closed: every commit is in the main file
                (self.root / "building.db").rename(self._file)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / "graph.db"
        shutil.copyfile(self._file, target)
        return EmbeddedStore(target), self.blobs
