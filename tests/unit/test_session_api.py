"""The session API's edge behaviour that a live stack cannot easily provoke."""

from mission_commander.session_api import SessionApi
from mission_commander.settings import Settings

SETTINGS = Settings(project_id="demo-x")


def test_unexpected_failures_are_a_generic_500_without_details(caplog):
    def broken(_uid):
        raise RuntimeError("database password is hunter2")

    api = SessionApi(SETTINGS, verify_token=lambda token: "u1", create_session=broken)
    resp = api.handle("POST", "/api/v1/sessions", {"Authorization": "Bearer t"})
    assert resp.status == 500
    assert resp.body == {"error": {"code": "internal", "message": "Internal error"}}
    assert "hunter2" not in resp.encoded().decode()
    assert "hunter2" in caplog.text  # details go to the logs only


def test_health_and_routing():
    api = SessionApi(SETTINGS, verify_token=lambda token: "u1", create_session=lambda uid: "s1")
    assert api.handle("GET", "/health", {}).status == 200
    assert api.handle("POST", "/api/v1/sessions/", {"Authorization": "Bearer t"}).body == \
        {"session_id": "s1", "user_id": "u1"}
    assert api.handle("DELETE", "/api/v1/sessions", {}).status == 405
    assert api.handle("GET", "/nope", {}).status == 404
