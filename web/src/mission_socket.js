// The WebSocket connection of one chat session: heartbeat, automatic
// reconnect with exponential backoff, token refresh on "Invalid token", and
// the one resume mechanism, by sequence: it remembers the highest `seq` it
// has shown, reconnects with `?last_seq=N` (0 on a session's first connect)
// and drops any frame whose seq it already showed.
// Emits: 'status' {state}, 'message' {data}, 'ack' {seq}, 'fatal' {reason}.

export const HEARTBEAT_MS = 30000;
const FINAL_TYPES = new Set(['agent_message', 'mission_created', 'error']);

export class MissionSocket extends EventTarget {
  constructor({ wsUrl, sessionId, getToken, lastSeq = 0, heartbeatMs = HEARTBEAT_MS, maxRetries = 6, baseDelayMs = 1000 }) {
    super();
    this.wsUrl = wsUrl;
    this.sessionId = sessionId;
    this.getToken = getToken;
    this.lastSeq = lastSeq;
    this.heartbeatMs = heartbeatMs;
    this.maxRetries = maxRetries;
    this.baseDelayMs = baseDelayMs;
    this.retries = 0;
    this.ws = null;
    this.finished = false;
    this.stopped = false;
    this.heartbeat = null;
    this.retryTimer = null;
    this.refreshedToken = false;
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  async connect({ forceRefresh = false } = {}) {
    clearTimeout(this.retryTimer);
    this.stopped = false;
    this.emit('status', { state: 'connecting' });
    let token;
    try {
      token = await this.getToken(forceRefresh);
    } catch (err) {
      this.scheduleRetry();
      return;
    }
    const url = `${this.wsUrl}/api/v1/mission-commander/ws?session_id=${encodeURIComponent(this.sessionId)}`
      + `&token=${encodeURIComponent(token)}&last_seq=${this.lastSeq}`;
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onopen = () => {
      this.retries = 0;
      this.emit('status', { state: 'connected' });
      clearInterval(this.heartbeat);
      this.heartbeat = setInterval(() => this.sendJson({ type: 'ping' }), this.heartbeatMs);
    };
    ws.onmessage = (event) => {
      let data;
      try { data = JSON.parse(event.data); } catch (err) { return; }
      this.receive(data);
    };
    ws.onclose = (event) => {
      clearInterval(this.heartbeat);
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.finished || this.stopped) {
        this.emit('status', { state: 'closed' });
        return;
      }
      if (event.code === 1008) {
        if (event.reason.startsWith('Invalid token') && !this.refreshedToken) {
          this.refreshedToken = true;
          this.connect({ forceRefresh: true });
          return;
        }
        this.emit('status', { state: 'disconnected' });
        this.emit('fatal', { reason: event.reason || 'Connection refused' });
        return;
      }
      this.scheduleRetry();
    };
  }

  // One frame from the server. Frames with a seq already shown are dropped;
  // a final frame (agent_message, mission_created, error about a turn) moves
  // the resume point. An ack confirms a learner message was stored.
  receive(data) {
    if (data.type === 'ack') {
      if (Number.isInteger(data.seq)) this.emit('ack', { seq: data.seq });
      return;
    }
    const seq = Number.isInteger(data.seq) ? data.seq : null;
    if (seq !== null && seq <= this.lastSeq) return;
    if (seq !== null && FINAL_TYPES.has(data.type)) this.lastSeq = seq;
    if (data.type === 'connected') this.refreshedToken = false;
    if (data.type === 'mission_created') this.finished = true;
    this.emit('message', { data });
  }

  scheduleRetry() {
    if (this.stopped) return;
    if (this.retries >= this.maxRetries) {
      this.emit('status', { state: 'disconnected' });
      this.emit('fatal', { reason: 'Unable to connect. Please try again.', retryable: true });
      return;
    }
    // Exponential backoff with jitter (half to all of the step): when a gateway instance restarts,
    // its learners do not all reconnect in the same instant.
    const step = Math.min(this.baseDelayMs * 2 ** this.retries, 30000);
    const delay = Math.round(step / 2 + Math.random() * (step / 2));
    this.retries += 1;
    this.emit('status', { state: 'reconnecting', delay, attempt: this.retries });
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  retryNow() {
    this.retries = 0;
    this.connect();
  }

  get open() {
    return Boolean(this.ws && this.ws.readyState === WebSocket.OPEN);
  }

  sendJson(message) {
    if (!this.open) return false;
    this.ws.send(JSON.stringify(message));
    return true;
  }

  sendMessage(content) {
    return this.sendJson({ type: 'user_message', content });
  }

  close() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.heartbeat);
    if (this.ws) this.ws.close();
  }
}
