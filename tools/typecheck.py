"""Type-check the installed namespace with mypy: `mmrare.<folder>` maps onto the repository's
top-level folders (pyproject's package-dir), which mypy cannot follow from an editable install, so
the namespace is laid out, as that mapping says, in symlinks in a temporary folder and checked there
as `-p mmrare`.

    python tools/typecheck.py      # mypy's own output; exit status 1 on any error
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        namespace = Path(tmp) / "mmrare"
        namespace.mkdir()
        (namespace / "__init__.py").write_text((ROOT / "mmrare" / "__init__.py").read_text())
        mapping = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]
        for package, folder in mapping.items():
            if package != "mmrare":  # mmrare.<name> = "<folder>"
                (namespace / package.split(".", 1)[1]).symlink_to(ROOT / folder, target_is_directory=True)
        command = [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml")]
        command += ["--cache-dir", str(ROOT / ".mypy_cache"), "-p", "mmrare"]
        return subprocess.run(command, cwd=tmp, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
