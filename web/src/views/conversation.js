import { h } from '../dom.js';
import { readMissionConversation } from '../firebase.js';

// A past conversation, read-only: the learner's own session's turns and
// replies, read with the client SDK under the security rules.
export async function renderConversation(root, { auth, db, navigate }, missionId) {
  const missionHref = `/missions/${encodeURIComponent(missionId)}`;
  const back = h('p', {}, h('a', { href: missionHref, id: 'back-to-mission',
    onclick: (e) => { e.preventDefault(); navigate(missionHref); } }, 'Back to the mission'));
  const section = h('section', { class: 'card', 'aria-labelledby': 'conversation-title' },
    h('h1', { id: 'conversation-title' }, 'The conversation'), h('p', {}, 'Loading…'));
  root.append(section);
  let turns;
  try {
    turns = await readMissionConversation(db, auth.currentUser.uid, missionId);
  } catch (err) {
    section.lastChild.replaceWith(h('p', { role: 'alert' }, 'This conversation could not be loaded.'), back);
    return;
  }
  if (!turns) {
    section.lastChild.replaceWith(h('p', { id: 'conversation-missing' },
      'There is no conversation of yours for this mission.'), back);
    return;
  }
  const shown = turns.filter((t) => t.role === 'user' || (t.status === 'complete' && t.kind !== 'error'));
  section.lastChild.replaceWith(
    h('p', { class: 'meta' }, 'Read-only: this conversation is finished.'),
    h('ol', { class: 'transcript', id: 'transcript' }, shown.map((t) => h('li', {
      class: `message message-${t.role === 'user' ? 'user' : 'agent'}` },
    h('span', { class: 'visually-hidden' }, t.role === 'user' ? 'You: ' : 'Coach: '),
    t.kind === 'mission_created' ? `${t.content || 'Mission created!'}` : t.content))),
    back);
  document.title = 'Conversation · Mission Commander';
}
