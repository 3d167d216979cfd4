// Per-environment configuration, read at run time from /config.json so one
// build serves every environment. Locally the front door serves a config
// that points at the emulators; in production web/public/config.json holds
// the real values (wss:// for the WebSocket). There is no built-in fallback:
// a config that cannot be loaded is an error shown on the page, never a
// silent switch to some other Firebase project.

const DEFAULTS = {
  apiUrl: '',            // '' = same origin as the page
  wsUrl: '',             // '' = same origin, ws:// or wss:// to match the page
  emulators: null,       // { auth: 'http://127.0.0.1:9099', firestore: { host, port } } locally
  reconnect: { baseDelayMs: 1000, maxRetries: 6 },  // exponential backoff: 1 s, 2 s, 4 s ... (30 s cap)
};

export class ConfigError extends Error {}

export function sameOriginWsUrl(location) {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;
}

export async function loadConfig(fetchFn = fetch, location = window.location) {
  let resp;
  try {
    resp = await fetchFn('/config.json', { cache: 'no-store' });
  } catch (err) {
    throw new ConfigError('its configuration (/config.json) could not be reached');
  }
  if (!resp.ok) throw new ConfigError(`its configuration (/config.json) could not be loaded: HTTP ${resp.status}`);
  let loaded;
  try {
    loaded = await resp.json();
  } catch (err) {
    throw new ConfigError('its configuration (/config.json) is not valid JSON');
  }
  const firebase = loaded && loaded.firebase;
  if (!firebase || !firebase.apiKey || !firebase.projectId) {
    throw new ConfigError('its configuration (/config.json) has no Firebase project (firebase.apiKey, firebase.projectId)');
  }
  const config = {
    ...DEFAULTS, ...loaded,
    reconnect: { ...DEFAULTS.reconnect, ...(loaded.reconnect || {}) },
  };
  config.apiUrl = (config.apiUrl || location.origin).replace(/\/$/, '');
  config.wsUrl = (config.wsUrl || sameOriginWsUrl(location)).replace(/\/$/, '');
  return config;
}
