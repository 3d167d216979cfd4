import { h } from '../dom.js';
import { readMyMissions } from '../firebase.js';
import { progressBar } from './mission.js';

// Date and time: two missions on one subject made the same day still tell apart.
const dateText = (iso) => (iso ? new Date(iso).toLocaleString(undefined, {
  year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }) : '');

// My missions: one card per enrollment (title, short description, level,
// created date, progress), most recently used first; a real empty state.
export async function renderMyMissions(root, { auth, db, navigate }) {
  const section = h('section', { class: 'card', 'aria-labelledby': 'missions-title' },
    h('h1', { id: 'missions-title' }, 'My missions'), h('p', {}, 'Loading…'));
  root.append(section);
  let rows = [];
  try {
    rows = await readMyMissions(db, auth.currentUser.uid);
  } catch (err) {
    section.lastChild.replaceWith(h('p', { role: 'alert' }, 'Your missions could not be loaded. Reload the page to try again.'));
    return;
  }
  const guestNote = auth.currentUser.isAnonymous
    ? h('p', { class: 'guest-note', id: 'guest-note' }, 'You are using a guest account: these missions are lost if you sign out. ',
      h('a', { href: '/account', id: 'keep-account', onclick: (e) => { e.preventDefault(); navigate('/account'); } },
        'Save your account to keep them'), '.')
    : null;
  if (guestNote) section.insertBefore(guestNote, section.lastChild);
  const planNew = h('button', { type: 'button', id: 'plan-new', onclick: () => navigate('/', { fresh: true }) },
    rows.length ? 'Plan a new mission' : 'Plan your first mission');
  if (!rows.length) {
    section.lastChild.replaceWith(h('div', { class: 'empty', id: 'mission-list-empty' },
      h('h2', {}, 'No missions yet'),
      h('p', {}, 'Chat with your coach for a few minutes and you will get a personal learning mission, with checkpoints to tick off as you go.'),
      planNew));
    return;
  }
  const list = h('ul', { class: 'mission-list', id: 'mission-list' }, rows.map(({ mission, enrollment }) => {
    const href = `/missions/${encodeURIComponent(mission.id)}`;
    const value = Math.round((enrollment.progress || 0) * 100);
    const titleId = `mission-${mission.id}-title`;
    return h('li', { class: 'mission-item' },
      h('article', { 'aria-labelledby': titleId },
        h('h2', { id: titleId }, h('a', { href, onclick: (e) => { e.preventDefault(); navigate(href); } }, mission.title)),
        h('p', { class: 'mission-short' }, mission.short_description),
        h('p', { class: 'meta' }, h('span', { class: 'badge' }, mission.level),
          ` Created ${dateText(mission.created_at)}`),
        progressBar(value, null, `${mission.title}: progress`),
        h('p', { class: 'meta progress-label' }, `${value}% complete${enrollment.completed ? ': done' : ''}`)));
  }));
  section.lastChild.replaceWith(list, planNew);
}
