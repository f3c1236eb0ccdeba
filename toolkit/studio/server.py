"""A local ``label-studio`` server on loopback with its own data dir (``toolkit studio start``, the tests)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import StudioError


@dataclass
class LocalServer:
    """A ``label-studio`` server on loopback with its own data dir (for users and tests)."""

    data_dir: Path
    port: int = 8080
    username: str = "admin@example.com"
    password: str = field(default="", repr=False)
    token: str = field(default="", repr=False)
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        """The server's root URL on loopback."""
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        """The ``label-studio start`` command line: the server installed beside this Python (a
        venv) first, then whatever is on PATH; :class:`StudioError` if there is none."""
        beside = Path(sys.executable).with_name("label-studio")
        exe = str(beside) if beside.exists() else shutil.which("label-studio")
        if exe is None:
            raise StudioError("the label-studio server is not installed: pip install 'toolkit[studio]'")
        return [
            exe,
            "start",
            "--no-browser",
            "--internal-host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--data-dir",
            str(self.data_dir),
            "--enable-legacy-api-token",
        ]  # fmt: skip  (credentials go through the environment, not argv, which `ps` shows)

    def start(self, timeout: float = 240.0, log: Path | None = None) -> LocalServer:
        """Start the server and wait until ``/health`` answers; raise :class:`StudioError` on failure.

        The port must be free first: otherwise another server's ``/health`` would answer for ours.
        """
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", self.port))
            except OSError:
                raise StudioError(f"port {self.port} on 127.0.0.1 is already in use: pass another --port") from None
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        env.update(
            LABEL_STUDIO_BASE_DATA_DIR=str(self.data_dir),
            LABEL_STUDIO_USERNAME=self.username,
            LABEL_STUDIO_PASSWORD=self.password,
            LABEL_STUDIO_USER_TOKEN=self.token,
            # Label Studio 1.2x answers 401 to legacy tokens unless they are enabled.
            LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN="true",
            LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK="true",
            SENTRY_DSN="",
            FRONTEND_SENTRY_DSN="",
            COLLECT_ANALYTICS="false",
        )
        out = open(log or self.data_dir / "server.log", "ab")  # noqa: SIM115 - owned by the process
        self.process = subprocess.Popen(self.command(), env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise StudioError(f"label-studio exited with code {self.process.returncode}; see {out.name}")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(1)
        self.stop()
        raise StudioError(f"label-studio did not answer {self.url}/health within {timeout:.0f} s")

    def wait(self) -> int:
        """Block until the started server exits; its exit code."""
        if self.process is None:
            raise StudioError("label-studio was not started")
        return self.process.wait()

    def stop(self) -> None:
        """Stop the server (terminate, then kill after 20 s)."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
