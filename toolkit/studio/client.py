"""The label-studio-sdk client the toolkit talks through.

Imported by :func:`toolkit.studio.connection.connect` only: the SDK's client takes seconds to
load, which ``toolkit studio start`` and the rest of :mod:`toolkit.studio` do without. The other
modules name :class:`Client` in annotations only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from label_studio_sdk import LabelStudio

if TYPE_CHECKING:
    from label_studio_sdk.actions.client import ActionsClient
    from label_studio_sdk.annotations.client import AnnotationsClient
    from label_studio_sdk.predictions.client import PredictionsClient
    from label_studio_sdk.users.client import UsersClient


class Client(LabelStudio):
    """``label_studio_sdk.LabelStudio`` plus what the toolkit keeps beside it.

    ``toolkit_url`` is the server's URL for messages (a password in it masked),
    ``toolkit_secret`` the token (kept only to scrub it from messages), ``toolkit_user`` the
    id of the token's user (:func:`~toolkit.studio.connection.connect` asks the server).

    The SDK's base client leaves its ``annotations``, ``predictions``, ``users`` and
    ``actions`` properties unannotated; they are declared here with the SDK's own client
    classes, so calls through them are type-checked.
    """

    def __init__(self, url: str, token: str, timeout: float, shown_url: str) -> None:
        super().__init__(base_url=url, api_key=token, timeout=timeout)
        self.toolkit_url = shown_url
        self.toolkit_secret = token
        self.toolkit_user = 0  # set by connect() once the server has said who the token's user is

    @property
    def annotations(self) -> AnnotationsClient:
        return super().annotations

    @property
    def predictions(self) -> PredictionsClient:
        return super().predictions

    @property
    def users(self) -> UsersClient:
        return super().users

    @property
    def actions(self) -> ActionsClient:
        return super().actions
