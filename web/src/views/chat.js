import { createSession } from '../api.js';
import { clear, h } from '../dom.js';
import { MissionSocket } from '../mission_socket.js';

export const SESSION_KEY = 'mc.session';
const STATUS_TEXT = {
  connecting: 'Connecting…', connected: 'Connected', reconnecting: 'Reconnecting…',
  disconnected: 'Disconnected', closed: 'Mission ready',
};

// What survives a reload of this tab: the session, what was shown and the
// highest seq shown (the resume point sent as ?last_seq=N on reconnect).
function loadSaved(uid) {
  try {
    const saved = JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null');
    return saved && saved.uid === uid ? saved : null;
  } catch (err) {
    return null;
  }
}

// The chat screen: messages (each learner message marked sent once the server
// acknowledges it, or not sent with a retry), status, typing indicator with
// streamed text, error banner with "Try again", export, and the mission card
// when the mission is created.
export function renderChat(root, { config, auth, navigate }) {
  const user = auth.currentUser;
  const getToken = (force) => user.getIdToken(force);
  const saved = loadSaved(user.uid);
  const state = {
    messages: saved ? saved.messages : [], sessionId: saved ? saved.sessionId : null,
    lastSeq: saved ? saved.lastSeq || 0 : 0, done: Boolean(saved && saved.done),
    waiting: false, socket: null,
  };
  // A message still waiting for its ack when the page was left was not confirmed: offer a retry
  // (its reply, if it was stored after all, marks it sent when it arrives).
  for (const m of state.messages) if (m.from === 'user' && m.status === 'sending') m.status = 'failed';

  const status = h('p', { class: 'status', role: 'status', id: 'status', 'data-state': 'connecting' }, 'Connecting…');
  const log = h('div', { class: 'messages', id: 'messages', role: 'log', 'aria-live': 'polite',
    'aria-label': 'Conversation', tabindex: 0 });
  const typing = h('div', { class: 'message message-agent typing', id: 'typing', hidden: true, 'aria-live': 'off' });
  const banner = h('div', { class: 'error-banner', id: 'error-banner', role: 'alert', hidden: true });
  const input = h('input', { id: 'message-input', type: 'text', autocomplete: 'off', maxlength: 4000,
    placeholder: 'Type your message…', disabled: true });
  const send = h('button', { type: 'submit', id: 'send', disabled: true }, 'Send');
  const form = h('form', { class: 'input-area', onsubmit: (e) => { e.preventDefault(); submit(); } },
    h('label', { for: 'message-input', class: 'visually-hidden' }, 'Your message'), input, send);
  const again = h('button', { type: 'button', id: 'new-conversation', hidden: true,
    onclick: () => { sessionStorage.removeItem(SESSION_KEY); navigate('/'); } }, 'Plan another mission');
  const exportButton = h('button', { type: 'button', class: 'secondary small', id: 'export', onclick: exportConversation },
    'Export conversation');
  root.append(h('section', { class: 'chat card', 'aria-labelledby': 'chat-title' },
    h('div', { class: 'chat-head' }, h('h1', { id: 'chat-title' }, 'Plan your mission'), status, exportButton),
    banner, log, typing, form, again));

  function save() {
    sessionStorage.setItem(SESSION_KEY, JSON.stringify({
      uid: user.uid, sessionId: state.sessionId, lastSeq: state.socket ? state.socket.lastSeq : state.lastSeq,
      messages: state.messages, done: state.done }));
  }

  function setStatus(s) {
    status.dataset.state = s;
    status.textContent = STATUS_TEXT[s] || s;
    if (s === 'reconnecting' || s === 'disconnected') markUnackedAsFailed();
    updateInput();
  }

  function updateInput() {
    const open = state.socket && state.socket.open;
    input.disabled = !open || state.waiting || state.done;
    send.disabled = input.disabled;
    form.hidden = state.done;
    again.hidden = !state.done;
    if (!input.disabled && document.activeElement === document.body) input.focus();
  }

  function missionCard(m) {
    const href = `/missions/${encodeURIComponent(m.mission.id)}`;
    return h('article', { class: 'message message-mission mission-card', id: 'mission-card', 'aria-labelledby': 'mission-card-title' },
      h('p', { class: 'mission-card-kicker' }, m.text),
      h('h2', { id: 'mission-card-title' }, m.mission.title),
      h('p', {}, m.mission.short_description),
      h('p', { class: 'badge' }, m.mission.level),
      h('p', {}, h('a', { href, id: 'open-mission', onclick: (e) => { e.preventDefault(); navigate(href); } },
        'Open your mission')));
  }

  function userMessage(m, index) {
    const failed = m.status === 'failed';
    return h('div', { class: `message message-user${failed ? ' failed' : ''}`, 'data-status': m.status || 'sent' },
      h('span', { class: 'visually-hidden' }, 'You: '), m.text,
      failed ? h('span', { class: 'send-state' }, ' Not sent. ',
        h('button', { type: 'button', class: 'small retry-send', onclick: () => resend(index) }, 'Retry')) : null,
      m.status === 'sending' ? h('span', { class: 'visually-hidden' }, ' (sending)') : null);
  }

  function render() {
    clear(log);
    if (!state.messages.length) {
      log.append(h('div', { class: 'message message-system', id: 'hint' },
        'Tell me what you would like to learn, for example "I want to learn Python for data analysis".'));
    }
    state.messages.forEach((m, index) => {
      if (m.from === 'mission') log.append(missionCard(m));
      else if (m.from === 'user') log.append(userMessage(m, index));
      else {
        log.append(h('div', { class: `message message-${m.from}` },
          h('span', { class: 'visually-hidden' }, m.from === 'agent' ? 'Coach: ' : ''), m.text));
      }
    });
    const card = log.querySelector('#mission-card');
    if (card) card.scrollIntoView({ block: 'nearest' }); // the mission moment is seen whole
    else log.scrollTop = log.scrollHeight;
    save();
  }

  function add(message) {
    state.messages.push(message);
    render();
  }

  function setWaiting(waiting, streamed = '') {
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

  // A learner message not acknowledged before the socket went down may not have
  // been stored: show it as not sent, with a retry. Sending it again is safe: the
  // gateway answers a repeat of the last message with that message's ack, and its
  // reply, if it was stored after all, marks it sent when it arrives.
  function markUnackedAsFailed() {
    let changed = false;
    for (const m of state.messages) {
      if (m.from === 'user' && m.status === 'sending') { m.status = 'failed'; changed = true; }
    }
    if (changed) { setWaiting(false); render(); }
  }

  function sendText(text) {
    if (!state.socket || !state.socket.sendMessage(text)) return false;
    banner.hidden = true;
    setWaiting(true);
    return true;
  }

  function submit() {
    const text = input.value.trim();
    if (!text || !state.socket || !state.socket.open || state.waiting || state.done) return;
    if (sendText(text)) {
      input.value = '';
      add({ from: 'user', text, status: 'sending' });
    }
  }

  function resend(index) {
    const m = state.messages[index];
    if (!m || state.waiting) return;
    if (sendText(m.text)) {
      m.status = 'sending';
      render();
    } else {
      showError('Not connected yet: your message will need to be sent again once the connection is back.',
        () => state.socket && state.socket.retryNow());
    }
  }

  function onAck({ detail: { seq } }) {
    const m = state.messages.find((x) => x.from === 'user' && x.status === 'sending');
    if (m) { m.status = 'sent'; m.seq = seq; render(); }
  }

  function replyArrived() {
    // A reply means the learner's last message was stored, even if its ack was lost.
    const last = [...state.messages].reverse().find((x) => x.from === 'user');
    if (last && last.status !== 'sent') last.status = 'sent';
  }

  function onMessage({ detail: { data } }) {
    switch (data.type) {
      case 'agent_message_delta':
        setWaiting(true, data.content);
        break;
      case 'agent_message':
        setWaiting(false);
        replyArrived();
        add({ from: 'agent', text: data.content });
        break;
      case 'mission_created':
        setWaiting(false);
        replyArrived();
        state.done = true;
        add({ from: 'mission', text: data.message, mission: data.mission });
        updateInput();
        break;
      case 'error':
        setWaiting(false);
        if (data.code === 'agent_error' || data.code === 'agent_busy' || data.code === 'message_not_stored') {
          const last = [...state.messages].reverse().find((x) => x.from === 'user');
          showError(data.message, () => {
            if (last) resend(state.messages.indexOf(last));
          });
        } else {
          showError(data.message, () => { banner.hidden = true; });
        }
        break;
      default:
        break; // connected, pong and future message types
    }
  }

  function exportConversation() {
    const name = { user: 'You', agent: 'Agent' };
    const text = state.messages.map((m) => (m.from === 'mission'
      ? `System: ${m.text} ${m.mission.title}`
      : `${name[m.from] || 'System'}: ${m.text}`)).join('\n\n');
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    const a = h('a', { href: url, download: `mission-conversation-${Date.now()}.txt` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  async function start() {
    if (state.done) { // a finished conversation stays readable (Back from the mission page)
      setStatus('closed');
      render();
      return;
    }
    setStatus('connecting');
    banner.hidden = true;
    if (!state.sessionId) {
      try {
        state.sessionId = (await createSession(config.apiUrl, await getToken(false))).session_id;
        state.lastSeq = 0; // a new session: nothing shown yet
      } catch (err) {
        setStatus('disconnected');
        showError(err.message || 'Unable to start a session.', start);
        return;
      }
    }
    render();
    const socket = new MissionSocket({ wsUrl: config.wsUrl, sessionId: state.sessionId, getToken,
      lastSeq: state.lastSeq, ...(config.reconnect || {}) });
    state.socket = socket;
    socket.addEventListener('status', (e) => setStatus(e.detail.state));
    socket.addEventListener('message', onMessage);
    socket.addEventListener('ack', onAck);
    socket.addEventListener('fatal', (e) => {
      if (!e.detail.retryable) {
        // The session is used up or unknown: start a fresh one.
        sessionStorage.removeItem(SESSION_KEY);
        showError(`${e.detail.reason}. Start a new conversation?`, () => {
          socket.close();
          Object.assign(state, { sessionId: null, lastSeq: 0, messages: [], done: false });
          start();
        });
      } else {
        showError(e.detail.reason, () => socket.retryNow());
      }
    });
    socket.connect();
  }

  start();
  return () => state.socket && state.socket.close();
}
