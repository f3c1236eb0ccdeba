"""Shared fixtures. The Label Studio fixture starts the real, pinned server on loopback."""

from __future__ import annotations

import secrets
import socket
from pathlib import Path

import pytest

from toolkit.schema import load_schema

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def schema():
    return load_schema()


@pytest.fixture(scope="session")
def studio(tmp_path_factory):
    """A running Label Studio (the pinned `label-studio` package) with a fresh data dir."""
    from toolkit.studio import LocalServer

    server = LocalServer(
        data_dir=tmp_path_factory.mktemp("label-studio"),
        port=_free_port(),
        username="admin@example.com",
        password=secrets.token_hex(8),
        token=secrets.token_hex(20),
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture
def studio_env(studio, monkeypatch):
    """URL and token in the environment, as a user would set them."""
    monkeypatch.setenv("LABEL_STUDIO_URL", studio.url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", studio.token)
    return studio


@pytest.fixture(scope="module")
def client(studio):
    """A label-studio-sdk client of the test server (one per test module), closed after it: a
    dropped client's socket would be closed by the garbage collector, with a ResourceWarning
    that a later CLI command in the same process would print."""
    from toolkit.studio import connect
    from toolkit.studio.connection import close

    client = connect(studio.url, studio.token)
    yield client
    close(client)


@pytest.fixture
def proxy(studio):
    """A fault-injecting proxy on loopback in front of the test server (tests/faultproxy.py)."""
    from studio_helpers import fault_proxy

    with fault_proxy(studio.url) as running:
        yield running
