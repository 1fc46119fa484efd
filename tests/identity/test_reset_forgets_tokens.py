"""Both resets (Python and the control API) forget the same tokens, identity's included."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from trovemock import TroveMock


# -- reset ---------------------------------------------------------------------------------------
def _login(client: Client) -> str:
    return client.post("/v3/auth/tokens", json={"auth": {"identity": {
        "methods": ["password"], "password": {"user": {"name": "u", "password": "p"}}}}}
    ).headers["X-Subject-Token"]


@pytest.mark.parametrize("how", ["python", "http"])
def test_both_resets_forget_identity_tokens(how):
    mock = TroveMock()
    client = Client(mock)
    token = _login(client)
    if how == "python":
        mock.reset()
    else:
        assert client.post("/_trovemock/reset").status_code == 204
    again = client.post("/v3/auth/tokens", json={"auth": {"identity": {
        "methods": ["token"], "token": {"id": token}}}})
    assert again.status_code == 401
    assert token not in mock.tokens
