import { h } from '../dom.js';
import { readMyMissions } from '../firebase.js';

export async function renderMyMissions(root, { auth, db, navigate }) {
  const section = h('section', { class: 'card', 'aria-labelledby': 'missions-title' },
    h('h1', { id: 'missions-title' }, 'My missions'), h('p', {}, 'Loading…'));
  root.append(section);
  let rows = [];
  try {
    rows = await readMyMissions(db, auth.currentUser.uid);
  } catch (err) {
    section.lastChild.replaceWith(h('p', { role: 'alert' }, 'Your missions could not be loaded.'));
    return;
  }
  const list = rows.length
    ? h('ul', { class: 'mission-list', id: 'mission-list' }, rows.map(({ mission, enrollment }) => h('li', {},
      h('a', { href: `/missions/${encodeURIComponent(mission.id)}`,
        onclick: (e) => { e.preventDefault(); navigate(`/missions/${encodeURIComponent(mission.id)}`); } }, mission.title),
      h('span', { class: 'meta' }, ` ${mission.level} · ${Math.round((enrollment.progress || 0) * 100)}%`))))
    : h('p', { id: 'mission-list-empty' }, 'No missions yet. Start a chat to create your first one.');
  section.lastChild.replaceWith(list,
    h('button', { type: 'button', onclick: () => navigate('/') }, 'Plan a new mission'));
}
