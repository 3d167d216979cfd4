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


def test_a_request_from_a_refused_origin_creates_nothing():
    created = []
    settings = Settings(project_id="demo-x", allow_origins=("http://app.example",))
    api = SessionApi(settings, verify_token=lambda token: "u1", create_session=lambda uid: created.append(uid) or "s1")
    refused = api.handle("POST", "/api/v1/sessions", {"Authorization": "Bearer t", "Origin": "https://evil.example"})
    assert refused.status == 403
    assert refused.body == {"error": {"code": "origin_not_allowed", "message": "Origin not allowed"}}
    assert "Access-Control-Allow-Origin" not in refused.headers and created == []
    assert api.handle("POST", "/api/v1/sessions", {"Authorization": "Bearer t", "Origin": "http://app.example"}).status == 200
    assert api.handle("POST", "/api/v1/sessions", {"Authorization": "Bearer t"}).status == 200  # curl: no Origin
    assert created == ["u1", "u1"]
