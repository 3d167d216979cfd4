"""Mission Commander's shared package: protocol, document schema, interview
and mission planning (pure), plus the Firestore/Auth edges used by the Cloud
Functions in ``functions/main.py`` and by the WebSocket gateway."""
