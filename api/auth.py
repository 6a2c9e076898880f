"""API keys and roles. Keys are stored hashed (sha256) in MMRARE_DATA_DIR/api_keys.json; the plain
key is shown once, when it is made. No key: the public role (questions, images, public reports).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROLES = ("maintainer", "evaluator")


@dataclass(frozen=True)
class Principal:
    name: str | None
    role: str  # "public", "evaluator" or "maintainer"

    @property
    def is_maintainer(self) -> bool:
        return self.role == "maintainer"

    @property
    def can_write(self) -> bool:
        return self.role in ROLES


PUBLIC = Principal(None, "public")


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class KeyStore:
    def __init__(self, path: Path) -> None:
        self.path = path

    def _load(self) -> dict[str, dict[str, str]]:
        if not self.path.exists():
            return {}
        return json.loads(self.path.read_text())

    def create(self, name: str, role: str) -> str:
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        if not name.strip():
            raise ValueError("a key needs a name")
        key = "mmr_" + secrets.token_urlsafe(32)
        keys = self._load()
        if any(entry["name"] == name for entry in keys.values()):
            raise ValueError(f"a key named {name!r} exists already: key names are unique (they own runs)")
        keys[_digest(key)] = {"name": name, "role": role}
        self._save(keys)
        return key

    def _save(self, keys: dict[str, dict[str, str]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".keys-")
        with os.fdopen(fd, "w") as fh:
            json.dump(keys, fh, indent=1)
        os.replace(tmp, self.path)

    def entries(self) -> list[dict[str, str]]:
        """Every key's name and role (the keys themselves are not kept, only their hashes)."""
        return sorted(self._load().values(), key=lambda e: e["name"])

    def revoke(self, name: str) -> None:
        """The named key stops working at once; its runs stay, owned by that name."""
        keys = self._load()
        kept = {digest: entry for digest, entry in keys.items() if entry["name"] != name}
        if len(kept) == len(keys):
            raise ValueError(f"no key named {name!r} (see `mmrare apikey list`)")
        self._save(kept)

    def authenticate(self, key: str | None) -> Principal | None:
        """The key's principal; None for a key that is not known (no key at all is PUBLIC)."""
        if not key:
            return PUBLIC
        entry = self._load().get(_digest(key))
        return Principal(entry["name"], entry["role"]) if entry else None
