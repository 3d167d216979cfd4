"""``python -m ws_gateway``: run the gateway on $PORT."""

from __future__ import annotations

import asyncio
import sys

from mission_commander.settings import SettingsError, load_settings
from mission_commander.structured_logging import configure_logging

from .server import run


def main() -> int:
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"ws_gateway: refusing to start: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    # The Firestore listener runs on the client library's own thread and hands each inbox event to
    # the event loop: with the default 5 ms GIL switch interval a busy loop delays that hand-off by
    # up to 5 ms each time; 1 ms bounds it (measured in make bench: relay overhead).
    sys.setswitchinterval(0.001)
    asyncio.run(run(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
