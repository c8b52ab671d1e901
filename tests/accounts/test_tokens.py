"""API tokens: created with the key shown once, listed, revoked; only the user's own."""

from wuyi.accounts.models import ApiToken

TOKENS = "/accounts/tokens/"


def test_a_token_is_created_and_its_key_shown_once(client, world):
    client.force_login(world.users["gate_guard"])
    response = client.post(TOKENS, {"name": "east gate tablet"})
    key = response.context["new_key"]
    assert key.startswith("wy_") and key in response.content.decode()
    token = ApiToken.objects.get(user=world.users["gate_guard"])
    assert token.name == "east gate tablet" and token.digest == ApiToken.digest_of(key)
    again = client.get(TOKENS).content.decode()
    assert "east gate tablet" in again and key not in again


def test_the_key_opens_the_api_until_revoked(client, world):
    client.force_login(world.users["gate_guard"])
    key = client.post(TOKENS, {"name": "tablet"}).context["new_key"]
    token = ApiToken.objects.get()
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    client.logout()
    assert client.get("/api/health", **bearer).status_code == 200
    client.force_login(world.users["gate_guard"])
    response = client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302  # again: no change


def test_a_token_needs_a_name(client, world):
    client.force_login(world.users["community_worker"])
    response = client.post(TOKENS, {"name": "   "})
    assert response.context["form"].errors["name"] and response.context["new_key"] is None
    assert not ApiToken.objects.exists()


def test_no_one_revokes_or_sees_someone_elses_token(client, world):
    theirs, _key = ApiToken.issue(world.users["community_worker@1"], "theirs")
    client.force_login(world.users["community_worker"])
    assert "theirs" not in client.get(TOKENS).content.decode()
    assert client.post(f"/accounts/tokens/{theirs.pk}/revoke/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_revoking_needs_a_post(client, world):
    token, _key = ApiToken.issue(world.users["community_worker"], "mine")
    client.force_login(world.users["community_worker"])
    assert client.get(f"/accounts/tokens/{token.pk}/revoke/").status_code == 405
