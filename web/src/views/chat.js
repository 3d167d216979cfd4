import { createSession } from '../api.js';
import { clear, h } from '../dom.js';
import { readTurns } from '../firebase.js';
import { MissionSocket } from '../mission_socket.js';

const SESSION_KEY = 'mc.session';
const STATUS_TEXT = {
  connecting: 'Connecting…', connected: 'Connected', reconnecting: 'Reconnecting…',
  disconnected: 'Disconnected', closed: 'Mission ready',
};

// The chat screen: messages, status, typing indicator with streamed text,
// error banner with "Try again", export, and the mission when it arrives.
export function renderChat(root, { config, auth, db, navigate }) {
  const user = auth.currentUser;
  const getToken = (force) => user.getIdToken(force);
  const state = { messages: [], waiting: false, lastSent: null, socket: null, sessionId: null, version: 0 };

  const status = h('p', { class: 'status', role: 'status', id: 'status', 'data-state': 'connecting' }, 'Connecting…');
  const log = h('div', { class: 'messages', id: 'messages', role: 'log', 'aria-live': 'polite', 'aria-label': 'Conversation' });
  const typing = h('div', { class: 'message message-agent typing', id: 'typing', hidden: true, 'aria-live': 'off' });
  const banner = h('div', { class: 'error-banner', id: 'error-banner', role: 'alert', hidden: true });
  const input = h('input', { id: 'message-input', type: 'text', autocomplete: 'off', maxlength: 4000,
    placeholder: 'Type your message…', disabled: true });
  const send = h('button', { type: 'submit', id: 'send', disabled: true }, 'Send');
  const form = h('form', { class: 'input-area', onsubmit: (e) => { e.preventDefault(); submit(); } },
    h('label', { for: 'message-input', class: 'visually-hidden' }, 'Your message'), input, send);
  const exportButton = h('button', { type: 'button', class: 'secondary small', id: 'export', onclick: exportConversation },
    'Export conversation');
  root.append(h('section', { class: 'chat card', 'aria-labelledby': 'chat-title' },
    h('div', { class: 'chat-head' }, h('h1', { id: 'chat-title' }, 'Plan your mission'), status, exportButton),
    banner, log, typing, form));

  function setStatus(s) {
    status.dataset.state = s;
    status.textContent = STATUS_TEXT[s] || s;
    updateInput();
  }

  function updateInput() {
    const open = state.socket && state.socket.open;
    input.disabled = !open || state.waiting;
    send.disabled = !open || state.waiting;
    if (!input.disabled && document.activeElement === document.body) input.focus();
  }

  function render() {
    clear(log);
    if (!state.messages.length) {
      log.append(h('div', { class: 'message message-system', id: 'hint' },
        'Tell me what you would like to learn, for example "I want to learn Python for data analysis".'));
    }
    for (const m of state.messages) {
      log.append(h('div', { class: `message message-${m.from}` },
        h('span', { class: 'visually-hidden' }, m.from === 'user' ? 'You: ' : m.from === 'agent' ? 'Coach: ' : ''),
        m.text));
    }
    log.scrollTop = log.scrollHeight;
  }

  function add(from, text) {
    state.messages.push({ from, text });
    state.version += 1;
    render();
  }

  function setWaiting(waiting, streamed = '') {
    state.version += 1;
    state.waiting = waiting;
    typing.hidden = !waiting;
    typing.textContent = streamed || 'Coach is typing…';
    typing.classList.toggle('streaming', Boolean(streamed));
    if (waiting) log.scrollTop = log.scrollHeight;
    updateInput();
  }

  function showError(message, retry) {
    banner.hidden = false;
    clear(banner).append(h('p', {}, message),
      h('button', { type: 'button', id: 'try-again', onclick: () => { banner.hidden = true; retry(); } }, 'Try again'));
  }

  function submit() {
    const text = input.value.trim();
    if (!text || !state.socket || !state.socket.open || state.waiting) return;
    if (state.socket.sendMessage(text)) {
      state.lastSent = text;
      add('user', text);
      input.value = '';
      banner.hidden = true;
      setWaiting(true);
    }
  }

  function onMessage({ detail: { data } }) {
    switch (data.type) {
      case 'connected':
        syncFromFirestore();
        break;
      case 'agent_message_delta':
        setWaiting(true, data.content);
        break;
      case 'agent_message':
        setWaiting(false);
        add('agent', data.content);
        break;
      case 'mission_created':
        setWaiting(false);
        add('system', data.message);
        sessionStorage.removeItem(SESSION_KEY);
        navigate(`/missions/${encodeURIComponent(data.mission.id)}`);
        break;
      case 'error':
        setWaiting(false);
        if (data.code === 'agent_error' || data.code === 'agent_busy') {
          showError(data.message, () => {
            if (state.lastSent && state.socket.sendMessage(state.lastSent)) setWaiting(true);
          });
        } else {
          showError(data.message, () => banner.hidden = true);
        }
        break;
      default:
        break; // pong and future message types
    }
  }

  // After a (re)connect, Firestore holds the truth: replies that arrived while
  // the socket was down are read back with the client SDK (through the rules).
  async function syncFromFirestore() {
    const seen = state.version;
    try {
      const turns = await readTurns(db, state.sessionId);
      if (state.version !== seen) return; // the live socket moved on meanwhile: it is newer
      const done = turns.filter((t) => t.status === 'complete' && t.kind !== 'error');
      if (done.length >= state.messages.filter((m) => m.from !== 'system').length) {
        state.messages = done.map((t) => ({ from: t.role === 'user' ? 'user' : 'agent', text: t.content }));
        render();
      }
      const last = turns[turns.length - 1];
      const waiting = Boolean(last && (last.role === 'user' || last.status === 'pending'));
      setWaiting(waiting, last && last.status === 'pending' ? last.content : '');
    } catch (err) {
      console.warn('could not read the conversation back', err);
    }
  }

  function exportConversation() {
    const text = state.messages.map((m) => `${m.from === 'user' ? 'You' : m.from === 'agent' ? 'Agent' : 'System'}: ${m.text}`).join('\n\n');
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    const a = h('a', { href: url, download: `mission-conversation-${Date.now()}.txt` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  async function start() {
    setStatus('connecting');
    banner.hidden = true;
    try {
      const saved = JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null');
      if (saved && saved.uid === user.uid) {
        state.sessionId = saved.sessionId;
      } else {
        const token = await getToken(false);
        state.sessionId = (await createSession(config.apiUrl, token)).session_id;
        sessionStorage.setItem(SESSION_KEY, JSON.stringify({ uid: user.uid, sessionId: state.sessionId }));
      }
    } catch (err) {
      setStatus('disconnected');
      showError(err.message || 'Unable to start a session.', start);
      return;
    }
    const socket = new MissionSocket({ wsUrl: config.wsUrl, sessionId: state.sessionId, getToken, ...(config.reconnect || {}) });
    state.socket = socket;
    socket.addEventListener('status', (e) => setStatus(e.detail.state));
    socket.addEventListener('message', onMessage);
    socket.addEventListener('fatal', (e) => {
      if (!e.detail.retryable) {
        // The session is used up or unknown: start a fresh one.
        sessionStorage.removeItem(SESSION_KEY);
        showError(`${e.detail.reason}. Start a new conversation?`, () => { socket.close(); start(); });
      } else {
        showError(e.detail.reason, () => socket.retryNow());
      }
    });
    socket.connect();
  }

  start();
  return () => state.socket && state.socket.close();
}
