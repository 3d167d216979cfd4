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

// The progress API (beyond the guide): start a mission, tick or untick a checkpoint.
// Answers the enrollment's progress fields plus `next_checkpoint`.
async function progressCall(url, init, fetchFn) {
  let resp;
  try {
    resp = await fetchFn(url, init);
  } catch (err) {
    throw new ApiError(0, 'Unable to reach Mission Commander. Check your connection and try again.');
  }
  let body = {};
  try { body = await resp.json(); } catch (err) { /* non-JSON error page */ }
  if (!resp.ok) throw new ApiError(resp.status, (body.error && body.error.message) || `Saving failed: ${resp.status}`);
  return body;
}

export function startMission(apiUrl, token, enrollmentId, fetchFn = fetch) {
  return progressCall(`${apiUrl}/api/v1/enrollments/${encodeURIComponent(enrollmentId)}/start`,
    { method: 'POST', headers: { Authorization: `Bearer ${token}` } }, fetchFn);
}

export function setCheckpoint(apiUrl, token, enrollmentId, index, done, fetchFn = fetch) {
  return progressCall(`${apiUrl}/api/v1/enrollments/${encodeURIComponent(enrollmentId)}/checkpoints/${index}`,
    { method: 'PATCH', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ done }) }, fetchFn);
}
