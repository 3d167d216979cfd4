"""One real local stack for the integration tests: the Firebase emulators
(auth, firestore, functions, hosting), the gateway and the nginx front door,
on ports shifted by 10000 so a running `make dev` does not collide."""

from __future__ import annotations

import os

import pytest

from tools.local_stack import LocalStack, Ports

from .support import StackClient

TEST_PORTS = Ports().shifted(10000)
ALLOWED_ORIGIN = "http://localhost:5000"


@pytest.fixture(scope="session")
def stack():
    local = LocalStack(TEST_PORTS, name="test", dev_tokens="test-token=user123,other-token=user456",
                       extra_env={"ALLOW_ORIGINS": ALLOWED_ORIGIN, "MAX_CONTENT_CHARS": "2000",
                                  "LOG_LEVEL": "INFO", **_passthrough()},
                       web_overrides={"reconnect": {"baseDelayMs": 250, "maxRetries": 3}})
    local.start()
    try:
        yield local
    finally:
        local.stop()


def _passthrough() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k.startswith("MC_TEST_")}


@pytest.fixture(scope="session")
def client(stack) -> StackClient:
    return StackClient(stack)
