"""A local Neo4j 5.26 Community server assembled from Maven Central, for tests and laptops.

No Docker: `graph/neo4j_pom.xml` (package data, so it works from a wheel too) copies the runtime
closure of `org.neo4j:neo4j` into `<home>/lib`; we write `<home>/conf/neo4j.conf` and start the
server class with Java 17. Maven builds in `<home>/build`, never beside the installed package.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
POM = Path(__file__).resolve().parent / "neo4j_pom.xml"
ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
# Neo4j's own launcher opens these JDK internals; the server fails or warns without them.
ADD_OPENS = [
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
]


def default_home() -> Path:
    """Beside the checkout for a development install; in the user's cache for an installed wheel."""
    if (REPO_ROOT / "pyproject.toml").exists():
        return REPO_ROOT / ".neo4j" / "home"
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "mmrare" / "neo4j"


class LocalNeo4jError(RuntimeError):
    """The local server could not be assembled, started or stopped."""


@dataclass(frozen=True)
class LocalNeo4j:
    home: Path
    port: int = 7687

    @classmethod
    def from_env(cls) -> LocalNeo4j:
        home = Path(os.environ.get("MMRARE_NEO4J_HOME", default_home()))
        return cls(home=home.resolve(), port=int(os.environ.get("MMRARE_NEO4J_PORT", "7687")))

    @property
    def uri(self) -> str:
        return f"neo4j://127.0.0.1:{self.port}"

    @property
    def pid_file(self) -> Path:
        return self.home / "run" / "neo4j.pid"

    @property
    def log_file(self) -> Path:
        return self.home / "logs" / "console.log"

    def is_assembled(self) -> bool:
        return any((self.home / "lib").glob("neo4j-server-5.26.*.jar"))

    def assemble(self) -> None:
        """Fetch the server jars with Maven (once; later runs find them in place)."""
        if self.is_assembled():
            return
        if shutil.which("mvn") is None:
            raise LocalNeo4jError("Maven (mvn) is needed to assemble Neo4j: apt-get install maven")
        build = self.home / "build"
        build.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(POM, build / "pom.xml")
        cmd = ["mvn", "-q", "-B", "-f", str(build / "pom.xml"), "package", f"-Dneo4j.home={self.home}"]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0 or not self.is_assembled():
            raise LocalNeo4jError(f"mvn failed to assemble Neo4j in {self.home}:\n{done.stdout}{done.stderr}")

    def write_config(self) -> None:
        conf = self.home / "conf"
        conf.mkdir(parents=True, exist_ok=True)
        for sub in ("data", "logs", "run", "plugins", "import"):
            (self.home / sub).mkdir(exist_ok=True)
        (conf / "neo4j.conf").write_text(
            "\n".join(
                [
                    "# Written by mmrare: a loopback-only test server.",
                    f"server.bolt.listen_address=127.0.0.1:{self.port}",
                    f"server.bolt.advertised_address=127.0.0.1:{self.port}",
                    "server.default_listen_address=127.0.0.1",
                    "server.http.enabled=false",
                    "server.https.enabled=false",
                    "dbms.security.auth_enabled=false",
                    "dbms.usage_report.enabled=false",
                    "server.memory.heap.initial_size=256m",
                    "server.memory.heap.max_size=2g",
                    # room for large import transactions (phenopacket imports are also written in chunks)
                    "dbms.memory.transaction.total.max=1600m",
                    "server.memory.pagecache.size=128m",
                    "db.tx_log.rotation.retention_policy=1 files",
                    "",
                ]
            )
        )

    def running_pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        return pid

    def bolt_answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    def start(self, timeout: float = 120.0) -> None:
        if shutil.which("java") is None:
            raise LocalNeo4jError("Java 17 is needed to run Neo4j 5.26: apt-get install openjdk-17-jre-headless")
        if self.running_pid() is not None and self.bolt_answers():
            return
        if self.bolt_answers():
            raise LocalNeo4jError(f"port {self.port} is taken by another process")
        self.assemble()
        self.write_config()
        classpath = ":".join(str(self.home / d / "*") for d in ("plugins", "conf", "lib"))
        cmd = [
            "java",
            "-Xms256m",
            "-Xmx1g",
            *ADD_OPENS,
            "-cp",
            classpath,
            ENTRY_POINT,
            f"--home-dir={self.home}",
            f"--config-dir={self.home / 'conf'}",
            "--console-mode",
        ]
        with open(self.log_file, "ab") as log:  # the child keeps its own copy of the descriptor
            proc = subprocess.Popen(
                cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
            )
        self.pid_file.write_text(str(proc.pid))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise LocalNeo4jError(f"Neo4j exited with code {proc.returncode}; see {self.log_file}")
            if self.bolt_answers() and self._accepts_queries():
                return
            time.sleep(0.5)
        self.stop()
        raise LocalNeo4jError(f"Neo4j did not answer on Bolt within {timeout:.0f}s; see {self.log_file}")

    def _accepts_queries(self) -> bool:
        import neo4j  # the driver is a core dependency; imported late to keep start-up light

        try:
            with neo4j.GraphDatabase.driver(self.uri, auth=None) as driver:
                driver.verify_connectivity()
                driver.execute_query("RETURN 1")
            return True
        except Exception:
            return False

    def stop(self, timeout: float = 60.0) -> bool:
        pid = self.running_pid()
        if pid is None:
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.3)
        else:
            os.kill(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        return True

    def status(self) -> str:
        pid = self.running_pid()
        if pid is None:
            return f"stopped (home {self.home})"
        state = "answering on Bolt" if self.bolt_answers() else "not answering yet"
        return f"running, pid {pid}, {self.uri}, {state}"
