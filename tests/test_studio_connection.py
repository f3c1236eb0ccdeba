"""toolkit/studio/connection.py against a real Label Studio: every failure is one line without
the token or a password, and a server that is not Label Studio's API is refused."""

import pytest
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.errors import StudioError
from toolkit.studio import connect, ensure_project

runner = CliRunner()


def test_wrong_token_and_unreachable_server_are_one_line(studio):
    wrong = "wrong-" + studio.token[::-1]
    with pytest.raises(StudioError, match="401") as info:
        connect(studio.url, wrong)
    assert wrong not in str(info.value)
    with pytest.raises(StudioError, match="cannot reach"):
        connect("http://127.0.0.1:9", "x")
    result = runner.invoke(app, ["studio", "setup", "--url", studio.url, "--token", wrong])
    assert result.exit_code == 1
    assert wrong not in result.output and result.stderr.strip().count("\n") == 0


def test_personal_access_token_works_too(client, studio):
    jwt = client.tokens.create().token  # a personal access token (JWT refresh token)
    assert jwt.count(".") == 2 and jwt != studio.token
    assert connect(studio.url, jwt).users.whoami().email == studio.username
    result = runner.invoke(app, ["studio", "setup", "--title", "pat project", "--url", studio.url, "--token", jwt])
    assert result.exit_code == 0, result.output
    assert jwt not in result.output and "created" in result.output


def test_a_wrong_url_path_is_refused(studio, client):
    with pytest.raises(StudioError, match="not Label Studio's API"):
        connect(f"{studio.url}/health", studio.token)
    result = runner.invoke(
        app, ["studio", "setup", "--title", "never made", "--url", f"{studio.url}/health", "--token", studio.token]
    )
    assert result.exit_code == 1 and "None" not in result.output
    assert result.stderr.strip().count("\n") == 0 and "not Label Studio's API" in result.stderr
    assert not [p for p in client.projects.list() if p.title == "never made"]


def test_passwords_in_urls_and_echoed_tokens_are_masked(studio, proxy):
    secret = "s3cret-pw-123"
    for url in (f"http://user:{secret}@127.0.0.1:9", f"http://user:{secret}@{studio.url[7:]}"):
        with pytest.raises(StudioError) as info:
            connect(url, studio.token)
        assert secret not in str(info.value) and "user:***@" in str(info.value)
        result = runner.invoke(app, ["studio", "setup", "--url", url, "--token", studio.token])
        assert result.exit_code == 1 and secret not in result.output and studio.token not in result.output
    proxy.add("echo_500", method="GET", path="/api/projects/", times=None)  # echoes the Authorization header
    with pytest.raises(StudioError, match="answered 500") as info:
        ensure_project(connect(proxy.url, studio.token), "echo", "<View/>")
    assert studio.token not in str(info.value)
