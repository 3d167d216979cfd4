// POST /api/v1/sessions, as in the integration guide.
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export async function createSession(apiUrl, token, fetchFn = fetch) {
  let resp;
  try {
    resp = await fetchFn(`${apiUrl}/api/v1/sessions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
    });
  } catch (err) {
    throw new ApiError(0, 'Unable to reach Mission Commander. Check your connection and try again.');
  }
  let body = {};
  try { body = await resp.json(); } catch (err) { /* non-JSON error page */ }
  if (!resp.ok) {
    const message = (body.error && body.error.message) || `Session creation failed: ${resp.status}`;
    throw new ApiError(resp.status, message);
  }
  return body; // { session_id, user_id }
}
