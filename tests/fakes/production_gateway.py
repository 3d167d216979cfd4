"""The real gateway (``python -m ws_gateway``), for tests only, with firebase-admin's two Google
endpoints (ID-token certificates, Identity Toolkit) pointed at a local :mod:`google_auth_server`.

    MC_TEST_GOOGLE_AUTH_URL=http://127.0.0.1:PORT python -m tests.fakes.production_gateway

Nothing else changes: settings come from the environment as in production, so without
``FIREBASE_AUTH_EMULATOR_HOST`` every token's signature is checked against that server's keys.
"""

from __future__ import annotations

import os
import sys

from firebase_admin import _token_gen, _user_mgt


def main() -> int:
    base = os.environ["MC_TEST_GOOGLE_AUTH_URL"].rstrip("/")
    _token_gen.ID_TOKEN_CERT_URI = f"{base}/certs"
    _user_mgt.UserManager.ID_TOOLKIT_URL = f"{base}/v1"
    from ws_gateway.__main__ import main as gateway_main

    return gateway_main()


if __name__ == "__main__":
    sys.exit(main())
