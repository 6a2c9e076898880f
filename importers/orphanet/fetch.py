"""Downloads the current official Orphadata XML products (for users with internet; tests never call it)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx

BASE_URL = "https://www.orphadata.com/data/xml/"
OFFICIAL_FILES = (
    "en_product1.xml",
    "en_product4.xml",
    "en_product6.xml",
    "en_product9_prev.xml",
    "en_product9_ages.xml",
)


def fetch_files(
    out: Path, classification_ids: tuple[int, ...] = (), echo: Callable[[str], None] = print, base_url: str = BASE_URL
) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    names = [*OFFICIAL_FILES, *(f"en_product3_{i}.xml" for i in classification_ids)]
    done = []
    with httpx.Client(timeout=120, follow_redirects=True) as client:
        for name in names:
            target = out / name
            tmp = target.with_suffix(".part")
            echo(f"fetching {base_url}{name}")
            with client.stream("GET", base_url + name) as response:
                response.raise_for_status()
                with open(tmp, "wb") as fh:
                    for chunk in response.iter_bytes():
                        fh.write(chunk)
            tmp.replace(target)  # never leave a half file under the real name
            done.append(target)
    return done
