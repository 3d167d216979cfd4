// Per-environment configuration, read at run time from /config.json so one
// build serves every environment. Locally the front door serves a config
// that points at the emulators; in production web/public/config.json holds
// the real values (wss:// for the WebSocket).

const DEFAULTS = {
  apiUrl: '',            // '' = same origin as the page
  wsUrl: '',             // '' = same origin, ws:// or wss:// to match the page
  firebase: { apiKey: 'demo-key', projectId: 'demo-mission-commander', authDomain: 'localhost' },
  emulators: null,       // { auth: 'http://127.0.0.1:9099', firestore: { host, port } } locally
  reconnect: { baseDelayMs: 1000, maxRetries: 6 },  // exponential backoff: 1 s, 2 s, 4 s ... (30 s cap)
};

export function sameOriginWsUrl(location) {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;
}

export async function loadConfig(fetchFn = fetch, location = window.location) {
  let loaded = {};
  try {
    const resp = await fetchFn('/config.json', { cache: 'no-store' });
    if (resp.ok) loaded = await resp.json();
  } catch (err) {
    console.warn('config.json not available, using defaults', err);
  }
  const config = {
    ...DEFAULTS, ...loaded,
    firebase: { ...DEFAULTS.firebase, ...(loaded.firebase || {}) },
    reconnect: { ...DEFAULTS.reconnect, ...(loaded.reconnect || {}) },
  };
  config.apiUrl = (config.apiUrl || location.origin).replace(/\/$/, '');
  config.wsUrl = (config.wsUrl || sameOriginWsUrl(location)).replace(/\/$/, '');
  return config;
}
