import pytest

from mission_commander.settings import Settings, SettingsError

EMULATORS = {"GOOGLE_CLOUD_PROJECT": "demo-x", "FIRESTORE_EMULATOR_HOST": "127.0.0.1:8080",
             "FIREBASE_AUTH_EMULATOR_HOST": "127.0.0.1:9099"}


def test_defaults():
    s = Settings.from_env({"GOOGLE_CLOUD_PROJECT": "prod-project"})
    assert s.dev_tokens == () and s.allow_origins == () and s.max_content_chars == 4000
    assert not s.uses_emulators


def test_dev_tokens_against_the_emulators():
    s = Settings.from_env({**EMULATORS, "DEV_AUTH_TOKENS": "test-token=user123, t2=u2"})
    assert s.dev_user("test-token") == "user123" and s.dev_user("t2") == "u2" and s.dev_user("x") is None


@pytest.mark.parametrize("env", [
    {"GOOGLE_CLOUD_PROJECT": "prod-project", "DEV_AUTH_TOKENS": "test-token=user123"},
    {**EMULATORS, "GOOGLE_CLOUD_PROJECT": "prod-project", "DEV_AUTH_TOKENS": "test-token=user123"},
    {**EMULATORS, "FIRESTORE_EMULATOR_HOST": "", "DEV_AUTH_TOKENS": "test-token=user123"},
    {**EMULATORS, "FIREBASE_AUTH_EMULATOR_HOST": "", "DEV_AUTH_TOKENS": "test-token=user123"},
])
def test_dev_tokens_refuse_to_start_against_a_real_project(env):
    with pytest.raises(SettingsError, match="emulators only"):
        Settings.from_env(env)


def test_auth_emulator_variable_never_reaches_a_real_project():
    with pytest.raises(SettingsError, match="unsigned token"):
        Settings.from_env({"GOOGLE_CLOUD_PROJECT": "prod", "FIREBASE_AUTH_EMULATOR_HOST": "127.0.0.1:9099"})


@pytest.mark.parametrize("env, words", [
    ({}, "GOOGLE_CLOUD_PROJECT"),
    ({"GOOGLE_CLOUD_PROJECT": "p", "MAX_CONTENT_CHARS": "lots"}, "whole number"),
    ({"GOOGLE_CLOUD_PROJECT": "p", "PORT": "0"}, "at least"),
    ({**EMULATORS, "DEV_AUTH_TOKENS": "no-equals-sign"}, "DEV_AUTH_TOKENS must look like"),
])
def test_malformed_settings_are_refused_clearly(env, words):
    with pytest.raises(SettingsError, match=words):
        Settings.from_env(env)


def test_origins():
    s = Settings.from_env({"GOOGLE_CLOUD_PROJECT": "p", "ALLOW_ORIGINS": "https://a.com/, http://localhost:5000"})
    assert s.origin_allowed("https://a.com") and s.origin_allowed("http://localhost:5000")
    assert not s.origin_allowed("https://evil.com") and not s.origin_allowed(None)
