"""toolkit/studio/client.py: the SDK's client with the toolkit's attributes, from a real server."""

from label_studio_sdk import LabelStudio
from label_studio_sdk.actions.client import ActionsClient
from label_studio_sdk.annotations.client import AnnotationsClient
from label_studio_sdk.predictions.client import PredictionsClient
from label_studio_sdk.users.client import UsersClient

from toolkit.studio import close, connect


def test_the_client_is_the_sdks_with_the_url_the_token_and_the_users_id(studio):
    client = connect(studio.url, studio.token)
    try:
        assert isinstance(client, LabelStudio)
        assert (client.toolkit_url, client.toolkit_secret) == (studio.url, studio.token)
        assert client.toolkit_user == client.users.whoami().id
        typed = (client.annotations, client.predictions, client.users, client.actions)
        assert list(map(type, typed)) == [AnnotationsClient, PredictionsClient, UsersClient, ActionsClient]
        assert client.annotations is client.annotations  # the SDK's own, made once
    finally:
        close(client)
