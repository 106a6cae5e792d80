"""A real two-node Ray cluster on this machine for the cluster tests: ``ray start --head`` and
a second ``ray start --address`` node process, each with one CPU, a small object store and
no dashboard, on ports picked here. (Not on the loopback interface: Ray replaces
127.0.0.1 by the machine's own address, and refuses a multi-node cluster that stays on
loopback. The driver reaches the head as 127.0.0.1:PORT.) Stopped by :meth:`LoopbackCluster.stop`: every process
the two ``ray start --block`` commands started, and nothing else (no ``ray stop``, which
stops every Ray cluster of the user on this machine)."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OBJECT_STORE_BYTES = 80 * 1024 * 1024  # Ray's floor is 75 MiB; a test-shape proof is ~15 KiB
NODE_MEMORY_BYTES = 2 * 1024**3  # a scheduling limit: 2 nodes on a 24 GiB CI machine
_RAY = "import sys; from ray.scripts.scripts import main; sys.exit(main())"


# Every port handed out in this process, worker ranges included: Ray refuses to start a
# node when one of its component ports falls inside its worker-port range (seen in CI:
# "worker_ports is trying to use a port number ... used by other components").
_TAKEN: set[int] = set()
WORKER_PORTS = 200


def _os_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_port() -> int:
    """A free port never handed out before, and outside every reserved worker range."""
    while True:
        p = _os_port()
        if p not in _TAKEN:
            _TAKEN.add(p)
            return p


def worker_port_range() -> int:
    """The first port of ``WORKER_PORTS + 1`` ports that hold no port handed out so far."""
    while True:
        lo = _os_port()
        span = range(lo, lo + WORKER_PORTS + 1)
        if span.stop <= 65536 and not _TAKEN.intersection(span):
            _TAKEN.update(span)
            return lo


def _node_args(temp_dir: str) -> list[str]:
    lo = worker_port_range()
    return [
        "--num-cpus=1",
        "--num-gpus=0",
        f"--memory={NODE_MEMORY_BYTES}",
        f"--object-store-memory={OBJECT_STORE_BYTES}",
        f"--node-manager-port={free_port()}",
        f"--object-manager-port={free_port()}",
        f"--dashboard-agent-grpc-port={free_port()}",
        f"--dashboard-agent-listen-port={free_port()}",
        f"--metrics-export-port={free_port()}",
        f"--runtime-env-agent-port={free_port()}",
        f"--min-worker-port={lo}",
        f"--max-worker-port={lo + WORKER_PORTS}",
        f"--temp-dir={temp_dir}",
        f"--dashboard-port={free_port()}",  # the minimal dashboard head still starts: no fixed 8265
        "--disable-usage-stats",
        "--block",
    ]


class LoopbackCluster:
    """Head and worker node of one Ray cluster on 127.0.0.1 (see the module docstring)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.temp_dir = tempfile.mkdtemp(prefix="psyc-ray-")  # short: Ray's socket paths are long
        self.procs: list[subprocess.Popen] = []
        self.env = {
            **os.environ,
            "RAY_USAGE_STATS_ENABLED": "0",
            # a token of this cluster's own for every node and driver (Ray otherwise reads
            # or makes ~/.ray/auth_token, which another cluster of the user may share)
            "RAY_AUTH_MODE": "token",
            "RAY_AUTH_TOKEN": secrets.token_hex(32),
        }

    def _start(self, args: list[str], log: str) -> None:
        out = open(Path(self.temp_dir) / log, "wb")  # noqa: SIM115 - kept open for the process
        self.procs.append(
            subprocess.Popen(
                [sys.executable, "-c", _RAY, "start", *args],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=self.env,
                start_new_session=True,  # its own process group: stopped as a whole
            )
        )

    def start(self, timeout_s: float = 120) -> LoopbackCluster:
        """Start both nodes and wait until the cluster has 2 CPUs. The head alone has the
        custom resource ``head`` (1 unit)."""
        self._start(
            [
                "--head",
                '--resources={"head": 1}',
                f"--port={self.port}",
                "--include-dashboard=false",
                *_node_args(self.temp_dir),
            ],
            "head.log",
        )
        self._wait(lambda: self._gcs_up(), timeout_s, "the head node")
        self._start([f"--address={self.address}", *_node_args(self.temp_dir)], "node2.log")
        self._wait(lambda: self.cpus() >= 2, timeout_s, "the second node")
        return self

    def _gcs_up(self) -> bool:
        with socket.socket() as s:
            s.settimeout(0.5)
            return s.connect_ex(("127.0.0.1", self.port)) == 0

    def cpus(self) -> int:
        """CPUs of the live nodes, asked through a short-lived driver."""
        code = (
            "import ray, logging;"
            f"ray.init(address='{self.address}', logging_level=logging.ERROR);"
            "print(int(ray.cluster_resources().get('CPU', 0)))"
        )
        r = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=self.env, timeout=60
        )
        return int(r.stdout.strip().splitlines()[-1]) if r.returncode == 0 and r.stdout.strip() else 0

    def _wait(self, ready, timeout_s: float, what: str) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in self.procs):
                raise RuntimeError(f"ray start exited while waiting for {what}:\n{self.logs()}")
            if ready():
                return
            time.sleep(0.5)
        raise TimeoutError(f"{what} did not come up in {timeout_s} s:\n{self.logs()}")

    def logs(self) -> str:
        return "\n".join(
            f"--- {f.name}\n{f.read_text(errors='replace')[-3000:]}"
            for f in sorted(Path(self.temp_dir).glob("*.log"))
        )

    def raylet_pids(self) -> list[int]:
        """The raylets of this cluster (their command line names its GCS address)."""
        pids = []
        for d in Path("/proc").iterdir():
            if d.name.isdigit():
                with contextlib.suppress(OSError):
                    cmd = (d / "cmdline").read_bytes().split(b"\0")
                    if (
                        cmd
                        and cmd[0].endswith(b"raylet")
                        and any(
                            a.startswith(b"--gcs-address=") and a.endswith(f":{self.port}".encode())
                            for a in cmd
                        )
                    ):
                        pids.append(int(d.name))
        return pids

    def worker_pids(self, title_prefix: str) -> list[int]:
        """Worker processes of this cluster whose process title starts with ``title_prefix``
        (Ray titles a worker ``ray::TASK_NAME`` while it runs a task)."""
        raylets = set(self.raylet_pids())
        pids = []
        for d in Path("/proc").iterdir():
            if not d.name.isdigit():
                continue
            with contextlib.suppress(OSError, ValueError, IndexError):
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
                if ppid in raylets and (d / "cmdline").read_bytes().startswith(title_prefix.encode()):
                    pids.append(int(d.name))
        return pids

    def stop(self) -> None:
        """Stop everything the two ``ray start`` commands started (SIGTERM to each process
        group, then SIGKILL to what is left, workers included: they run in groups of their
        own), and remove the temporary directory."""
        raylets = self.raylet_pids()
        workers = self.worker_pids("ray::")
        for p in reversed(self.procs):  # the worker node first, then the head
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGTERM)
        deadline = time.monotonic() + 3  # a temporary cluster: what has not exited by then is killed
        for p in self.procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                p.wait(max(0.1, deadline - time.monotonic()))
        for p in self.procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                p.wait(5)
        for pid in [*raylets, *workers]:
            with contextlib.suppress(OSError):  # still one of ours (not a reused pid)?
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
                if cmd.startswith(b"ray::") or b"raylet" in cmd.split(b"\0")[0]:
                    os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self.temp_dir, ignore_errors=True)
