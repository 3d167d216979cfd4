"""Cloud Functions entry points. They translate; the package decides.

Nothing here reads the environment or does I/O at import time: the Firebase
CLI imports this module to discover the functions.
"""

from __future__ import annotations

from firebase_functions import firestore_fn, https_fn, options

options.set_global_options(max_instances=10)


@https_fn.on_request(timeout_sec=60)
def api(req: https_fn.Request) -> https_fn.Response:
    """POST /api/v1/sessions and GET /health."""
    if req.path == "/__/health":  # the functions emulator's worker health check
        return https_fn.Response("ok", status=200)
    from mission_commander.services import internal_error_response, session_api

    try:
        result = session_api().handle(req.method, req.path, req.headers)
    except Exception:  # noqa: BLE001 - the edge: log it, answer a generic JSON 500
        result = internal_error_response()
    body = b"" if result.status == 204 or req.method == "HEAD" else result.encoded()
    return https_fn.Response(body, status=result.status, headers=result.headers,
                             content_type="application/json")


@firestore_fn.on_document_created(document="sessions/{session_id}/turns/{turn_id}", timeout_sec=300)
def on_turn_created(event: firestore_fn.Event[firestore_fn.DocumentSnapshot | None]) -> None:
    """Runs the agent for each new user turn and writes its reply."""
    if event.data is None:
        return
    turn = event.data.to_dict()
    if not turn or turn.get("role") != "user":
        return
    from mission_commander.services import turn_handler

    turn_handler().handle(event.params["session_id"], turn)
