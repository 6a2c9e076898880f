"""The files that deploy the service: docker compose, the Dockerfile and the wheel's contents."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
# The official image passes these through as they are; every other NEO4J_* becomes a setting.
IMAGE_VARIABLES = {"NEO4J_AUTH", "NEO4J_ACCEPT_LICENSE_AGREEMENT", "NEO4J_PLUGINS", "NEO4J_DEBUG"}
SETTING_NAMESPACES = ("server.", "dbms.", "db.", "initial.", "browser.", "client.")


def setting_of(variable: str) -> str:
    """The image's rule: drop NEO4J_, '__' stands for '_' and '_' for '.'."""
    body = variable.removeprefix("NEO4J_")
    return ".".join(part.replace("\0", "_") for part in body.replace("__", "\0").split("_"))


def test_the_setting_rule_as_the_image_applies_it() -> None:
    assert setting_of("NEO4J_server_memory_heap_max__size") == "server.memory.heap.max_size"
    assert setting_of("NEO4J_PASSWORD") == "PASSWORD"


def test_compose_gives_neo4j_only_variables_it_understands() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    environment = compose["services"]["neo4j"]["environment"]
    for variable in environment:
        if variable.startswith("NEO4J_") and variable not in IMAGE_VARIABLES:
            setting = setting_of(variable)
            assert setting.startswith(SETTING_NAMESPACES) and setting == setting.lower(), (variable, setting)
    assert "NEO4J_PASSWORD" not in environment
    app = compose["services"]["mmrare"]
    assert app["depends_on"]["neo4j"]["condition"] == "service_healthy" and "healthcheck" in app
    assert "/health" in " ".join(app["healthcheck"]["test"])


def test_the_image_and_the_wheel_hold_every_package_under_one_namespace() -> None:
    """Every folder package ships as mmrare.<folder> and nothing else does; the image copies them."""
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(setuptools["packages"])
    folders = setuptools["package-dir"]  # installed name -> folder
    on_disk = {p.parent.relative_to(ROOT).as_posix().replace("/", ".") for p in ROOT.glob("*/**/__init__.py")}
    outside = ("tests", "bench", "tools", "examples", ".venv", "build", "dist", "test-")  # not shipped
    shipped = {p for p in on_disk if not p.startswith(outside)}
    installed = {p if p.split(".")[0] == "mmrare" else f"mmrare.{p}" for p in shipped}
    assert installed == listed, installed ^ listed  # every package ships, and nothing else
    assert all(name == "mmrare" or name.startswith("mmrare.") for name in listed)
    assert {f"mmrare.{folder}" for folder in folders.values() if folder != "mmrare"} == {
        p for p in listed if p.count(".") == 1
    }
    copied = set(re.findall(r"^COPY (\w+) \1$", (ROOT / "Dockerfile").read_text(), re.MULTILINE))
    assert set(folders.values()) <= copied
    data = setuptools["package-data"]
    assert data["mmrare.cli"] == ["demo_data/*"] and data["mmrare.graph"] == ["neo4j_pom.xml"]
    assert (ROOT / "cli/demo_data/orphanet_demo.jsonl.gz").exists() and (ROOT / "graph/neo4j_pom.xml").exists()
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", ".neo4j", ".git"} <= set(ignored)
