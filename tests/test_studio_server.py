"""toolkit/studio/server.py: the local server (the `studio` fixture runs one for all live tests)."""

import socket
import urllib.request

import pytest

from toolkit.errors import StudioError
from toolkit.studio import LocalServer


def test_the_fixture_server_answers_and_keeps_credentials_off_the_command_line(studio):
    with urllib.request.urlopen(f"{studio.url}/health", timeout=10) as response:
        assert response.status == 200
    command = " ".join(studio.command())  # what `ps` shows
    assert studio.password not in command and studio.token not in command
    assert f"--port {studio.port}" in command


def test_a_busy_port_is_refused_before_anything_starts(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        server = LocalServer(data_dir=tmp_path / "never", port=busy.getsockname()[1])
        with pytest.raises(StudioError, match="already in use"):
            server.start()
    assert server.process is None and not (tmp_path / "never").exists()
    with pytest.raises(StudioError, match="not started"):
        server.wait()
    server.stop()  # nothing to stop: no error
