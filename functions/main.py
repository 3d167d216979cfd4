"""Cloud Functions entry points. They translate; the package decides.

Nothing here reads the environment or does I/O at import time: the Firebase
CLI imports this module to discover the functions.
"""

from __future__ import annotations

from firebase_functions import firestore_fn, https_fn, params

# Scaling settings: deploy-time parameters (set them in functions/.env.<project>, or answer the
# CLI's prompt); the defaults and their reasoning are in docs/scaling.md. Declared here, read by
# the Firebase CLI at deploy time: nothing is read from the environment at import.
API_MAX_INSTANCES = params.IntParam("API_MAX_INSTANCES", default=100)
API_CONCURRENCY = params.IntParam("API_CONCURRENCY", default=80)
TURN_MAX_INSTANCES = params.IntParam("TURN_MAX_INSTANCES", default=1000)
TURN_CONCURRENCY = params.IntParam("TURN_CONCURRENCY", default=20)
TURN_MEMORY_MB = params.IntParam("TURN_MEMORY_MB", default=512)
TURN_TIMEOUT_SECONDS = params.IntParam("TURN_TIMEOUT_SECONDS", default=300)
# The Gemini Developer API key, from Cloud Secret Manager (`firebase functions:secrets:set GEMINI_API_KEY`).
# Functions that list it in `secrets=` get it as the environment variable GEMINI_API_KEY at run time,
# which the settings read as before; locally it is an ordinary environment variable (or
# functions/.secret.local for the emulator). With Vertex AI no key is needed.
GEMINI_API_KEY = params.SecretParam("GEMINI_API_KEY")


@https_fn.on_request(timeout_sec=60, max_instances=API_MAX_INSTANCES, concurrency=API_CONCURRENCY, cpu=1,
                     secrets=[GEMINI_API_KEY])  # only so /health can say which agent answers
def api(req: https_fn.Request) -> https_fn.Response:
    """POST /api/v1/sessions, GET /health, and the progress API under /api/v1/enrollments/."""
    if req.path == "/__/health":  # the functions emulator's worker health check
        return https_fn.Response("ok", status=200)
    from mission_commander.progress_api import PREFIX as PROGRESS_PREFIX
    from mission_commander.services import internal_error_response, progress_api, session_api

    try:
        if req.path.startswith(PROGRESS_PREFIX):
            result = progress_api().handle(req.method, req.path, req.headers, req.get_data(cache=False))
        else:
            result = session_api().handle(req.method, req.path, req.headers)
    except Exception:  # noqa: BLE001 - the edge: log it, answer a generic JSON 500
        result = internal_error_response()
    body = b"" if result.status == 204 or req.method == "HEAD" else result.encoded()
    return https_fn.Response(body, status=result.status, headers=result.headers,
                             content_type="application/json")


@firestore_fn.on_document_created(document="sessions/{session_id}/turns/{turn_id}", timeout_sec=TURN_TIMEOUT_SECONDS,
                                  max_instances=TURN_MAX_INSTANCES, concurrency=TURN_CONCURRENCY, cpu=1,
                                  memory=TURN_MEMORY_MB, secrets=[GEMINI_API_KEY])
def on_turn_created(event: firestore_fn.Event[firestore_fn.DocumentSnapshot | None]) -> None:
    """Runs the agent for each new user turn and writes its reply."""
    if event.data is None:
        return
    turn = event.data.to_dict()
    if not turn or turn.get("role") != "user":
        return
    from mission_commander.services import turn_handler

    turn_handler().handle(event.params["session_id"], turn)
