"""Connecting to Label Studio, and how every call through the SDK fails: as one token-free line.

:func:`connect` gives a checked :class:`~toolkit.studio.client.Client`; :func:`_call` runs one
SDK call and turns any failure into a :class:`StudioError` naming what was being done;
:func:`_get_json` reads a large listing as plain JSON. Writes pass :data:`_NO_RETRY` (see
:mod:`toolkit.studio`); reads keep the SDK's retries.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, ParamSpec, TypeGuard, TypeVar
from urllib.parse import urlsplit, urlunsplit

from ..errors import StudioError

if TYPE_CHECKING:
    from label_studio_sdk.core.request_options import RequestOptions
    from pydantic import BaseModel

    from .client import Client

DEFAULT_URL = "http://127.0.0.1:8080"
_NO_RETRY: RequestOptions = {"max_retries": 0}  # a write is never re-sent blindly: it may have been committed

P = ParamSpec("P")
R = TypeVar("R")


def safe_url(url: str) -> str:
    """``url`` for messages: a password in it masked, query and fragment dropped."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        netloc = f"{userinfo.split(':', 1)[0]}:***@{host}" if ":" in userinfo else f"***@{host}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _describe(exc: Exception, url: str) -> str:
    """A one-line, token-free description of an SDK or network failure."""
    status = getattr(exc, "status_code", None)
    if isinstance(status, int):
        return _describe_status(status, getattr(exc, "body", None), url)
    return _describe_transport(exc, url)


def _describe_status(status: int, body: object, url: str) -> str:
    """The server answered ``status`` (an SDK ``ApiError``); ``body`` is its decoded answer."""
    if status == 401:
        return f"Label Studio at {url} refused the API token (401): check --token / LABEL_STUDIO_API_KEY"
    if status == 403:
        return f"Label Studio at {url} denied access (403)"
    if 200 <= status < 300:
        return f"{url} answered {status} with something that is not Label Studio's API (is --url the server's root?)"
    detail = ""
    if isinstance(body, dict):
        detail = str(body.get("detail") or "")
        if body.get("validation_errors"):
            detail = f"{detail}: {json.dumps(body['validation_errors'])}"
    return f"Label Studio at {url} answered {status} {detail[:300]}".strip()


def _describe_transport(exc: Exception, url: str) -> str:
    """No status: the network failed, or the answer was not what the SDK could read."""
    import httpx

    if isinstance(exc, httpx.TimeoutException):
        return f"no answer from Label Studio at {url} in time ({exc.__class__.__name__})"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"Label Studio at {url} closed the connection without a complete answer"
    if isinstance(exc, (httpx.TransportError, OSError)):
        return f"cannot reach Label Studio at {url} ({exc.__class__.__name__})"
    return f"{url} answered something that is not Label Studio's API ({exc.__class__.__name__})"


def connect(url: str | None = None, token: str | None = None, timeout: float = 60.0) -> Client:
    """A checked ``label_studio_sdk.LabelStudio`` client; URL and token default to the env.

    Both legacy API tokens and personal access tokens (JWT refresh tokens) work: the SDK
    exchanges the latter for access tokens itself. The server must answer who the token's
    user is (a wrong path such as ``…/health`` answers 200 with no user and is refused).
    """
    from .client import Client

    url = (url or os.environ.get("LABEL_STUDIO_URL") or DEFAULT_URL).rstrip("/")
    token = token or os.environ.get("LABEL_STUDIO_API_KEY")
    if not token:
        raise StudioError("no Label Studio API token: pass --token or set LABEL_STUDIO_API_KEY")
    shown = safe_url(url)
    if urlsplit(url).password is not None:
        raise StudioError(
            f"{shown}: a user and password in the URL would be sent instead of the API token "
            "(HTTP Basic auth); give the URL without them"
        )
    client = None
    try:
        client = Client(url, token, timeout, shown)
        me = client.users.whoami()
    except Exception as exc:  # noqa: BLE001 - the SDK and the network fail in many ways; told as one line
        close(client)
        raise StudioError(_scrub(_describe(exc, shown), token)) from None
    user_id = me.id  # the SDK does not validate its answers: any JSON value, or missing (None)
    if not isinstance(user_id, int):
        close(client)
        raise StudioError(
            f"{shown} did not say who the token's user is: it is not Label Studio's API (is --url the server's root?)"
        )
    client.toolkit_user = user_id
    return client


def close(client: Client | None) -> None:
    """Close the client's connections. The SDK has no close of its own, and connections left to
    the garbage collector make Python warn (ResourceWarning) at whatever runs at that moment."""
    if client is not None:
        client._client_wrapper.httpx_client.httpx_client.close()


def _scrub(message: str, secret: str | None) -> str:
    return message.replace(secret, "***") if secret and len(secret) >= 4 else message


def _call(client: Client, what: str, fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
    """``fn(*args, **kwargs)``; any failure becomes a one-line :class:`StudioError` naming ``what``."""
    try:
        return fn(*args, **kwargs)
    except StudioError:
        raise
    except Exception as exc:  # noqa: BLE001 - the SDK and the network fail in many ways; told as one line
        raise _failed(client, what, exc) from None


def _failed(client: Client, what: str, exc: Exception) -> StudioError:
    """The one-line, token-free :class:`StudioError` for ``exc`` while doing ``what``."""
    return StudioError(_scrub(f"{what}: {_describe(exc, client.toolkit_url)}", client.toolkit_secret))


def _get_json(client: Client, what: str, path: str, params: dict[str, object]) -> object:
    """GET ``path`` with the SDK's own HTTP client (its base URL, token, timeout and read retries)
    and return the decoded JSON as plain lists and dicts (whatever the server sent: the caller
    checks it).

    For the large listings of a push: the SDK's typed pager builds a model object per task,
    which costs more than a third of a 10,000-task listing's time on the client.
    """
    from label_studio_sdk.core.api_error import ApiError

    def get() -> object:
        response = client._client_wrapper.httpx_client.request(path, method="GET", params=params)
        if not 200 <= response.status_code < 300:
            try:
                body = response.json()
            except ValueError:
                body = None
            raise ApiError(status_code=response.status_code, headers=dict(response.headers), body=body)
        return response.json()

    return _call(client, what, get)


def _is_id(value: object) -> TypeGuard[int]:
    """Is ``value`` an id (an int, not a bool)?"""
    return isinstance(value, int) and not isinstance(value, bool)


def _as_dict(item: BaseModel | dict) -> dict:
    """An SDK object (or a dict) as a plain JSON-ready dict."""
    return item if isinstance(item, dict) else item.model_dump(mode="json")


def _need_id(client: Client, what: str, answer: object) -> int:
    """The integer ``id`` of a server answer; a :class:`StudioError` if there is none."""
    value = getattr(answer, "id", None)
    if not _is_id(value):
        raise StudioError(f"{what}: {client.toolkit_url} answered without an id (is --url the server's root?)")
    return value
