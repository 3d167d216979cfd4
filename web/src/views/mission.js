import { h } from '../dom.js';
import { readMission } from '../firebase.js';

export async function renderMission(root, { auth, db, navigate }, missionId) {
  const section = h('section', { class: 'card mission', 'aria-busy': 'true' }, h('p', {}, 'Loading your mission…'));
  root.append(section);
  let result;
  try {
    result = await readMission(db, auth.currentUser.uid, missionId);
  } catch (err) {
    section.replaceChildren(h('h1', {}, 'Mission unavailable'),
      h('p', { role: 'alert' }, 'You do not have access to this mission, or it could not be loaded.'));
    return;
  }
  if (!result) {
    section.replaceChildren(h('h1', {}, 'Mission not found'), h('p', {}, 'Check the link, or start a new chat.'));
    return;
  }
  const { mission, enrollment } = result;
  const progress = Math.round(((enrollment && enrollment.progress) || 0) * 100);
  const started = h('p', { class: 'started', role: 'status', id: 'started', hidden: true });
  section.removeAttribute('aria-busy');
  section.replaceChildren(
    h('p', { class: 'badge', id: 'mission-level' }, mission.level),
    h('h1', { id: 'mission-title' }, mission.title),
    h('p', { class: 'lead', id: 'mission-short' }, mission.short_description),
    h('p', { id: 'mission-description' }, mission.description),
    h('h2', {}, 'Your goal'), h('p', { id: 'mission-goal' }, mission.learning_goal),
    h('h2', {}, 'Progress'),
    h('div', { class: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100,
      'aria-valuenow': progress, 'aria-label': 'Mission progress', id: 'mission-progress' },
    h('span', { style: `width: ${progress}%` })),
    h('p', {}, `${progress}% complete${enrollment && enrollment.completed ? ' — finished!' : ''}`),
    h('h2', {}, 'Checkpoints'),
    h('ol', { class: 'checkpoints', id: 'mission-checkpoints' }, mission.byte_size_checkpoints.map((c) => h('li', {}, c))),
    h('h2', {}, 'Topics'),
    h('ul', { class: 'chips', id: 'mission-topics' }, mission.topics_to_cover.map((t) => h('li', {}, t))),
    h('h2', {}, 'Skills you will gain'),
    h('ul', { class: 'chips', id: 'mission-skills' }, mission.skills.map((s) => h('li', {}, s))),
    h('div', { class: 'row' },
      h('button', { type: 'button', id: 'start-mission', onclick: () => {
        started.hidden = false;
        started.textContent = `Mission started! First checkpoint: ${mission.byte_size_checkpoints[0]}`;
      } }, 'Start mission'),
      h('button', { type: 'button', class: 'secondary', onclick: () => navigate('/missions') }, 'My missions')),
    started);
  document.title = `${mission.title} · Mission Commander`;
}
