import { setCheckpoint, startMission } from '../api.js';
import { h } from '../dom.js';
import { readMission } from '../firebase.js';

const percent = (enrollment) => Math.round(((enrollment && enrollment.progress) || 0) * 100);

export function progressBar(value, id, label) {
  return h('div', { class: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100,
    'aria-valuenow': value, 'aria-label': label, id }, h('span', { style: `width: ${value}%` }));
}

function backLink(navigate, text = 'Back to My missions') {
  return h('p', {}, h('a', { href: '/missions', id: 'back-to-missions',
    onclick: (e) => { e.preventDefault(); navigate('/missions'); } }, text));
}

// The mission page: details, progress, checkpoints to tick (saved through the
// progress API), Start mission, and the conversation that created it.
export async function renderMission(root, { config, auth, db, navigate }, missionId) {
  const section = h('section', { class: 'card mission', 'aria-busy': 'true' }, h('p', {}, 'Loading your mission…'));
  root.append(section);
  let result;
  try {
    result = await readMission(db, auth.currentUser.uid, missionId);
  } catch (err) {
    section.removeAttribute('aria-busy');
    section.replaceChildren(h('h1', {}, 'Mission unavailable'),
      h('p', { role: 'alert' }, 'The mission could not be loaded. Check your connection and reload the page.'),
      backLink(navigate));
    return;
  }
  section.removeAttribute('aria-busy');
  if (result.status === 'not_found') {
    section.replaceChildren(h('h1', { id: 'mission-missing' }, 'Mission not found'),
      h('p', {}, 'There is no mission at this address. Check the link, or pick one of yours.'), backLink(navigate));
    document.title = 'Mission not found · Mission Commander';
    return;
  }
  if (result.status === 'private') {
    section.replaceChildren(h('h1', { id: 'mission-private' }, 'This mission is private'),
      h('p', {}, 'It belongs to another learner, who has not made it public.'), backLink(navigate));
    document.title = 'Private mission · Mission Commander';
    return;
  }
  const { mission } = result;
  let enrollment = result.enrollment;
  const token = () => auth.currentUser.getIdToken();
  const announce = h('p', { class: 'started', role: 'status', id: 'progress-status' });
  const bar = progressBar(percent(enrollment), 'mission-progress', 'Mission progress');
  const summary = h('p', { id: 'progress-text' });
  const started = h('p', { id: 'started', class: 'meta' });
  const startButton = h('button', { type: 'button', id: 'start-mission' });

  const boxes = mission.byte_size_checkpoints.map((text, index) => h('input', {
    type: 'checkbox', id: `checkpoint-${index}`, disabled: !enrollment,
    onchange: (e) => tick(index, e.target.checked) }));
  const list = h('ol', { class: 'checkpoints', id: 'mission-checkpoints' }, mission.byte_size_checkpoints.map((text, index) =>
    h('li', {}, boxes[index], h('label', { for: `checkpoint-${index}` }, text))));

  function show() {
    const done = new Set((enrollment && enrollment.completed_checkpoints) || []);
    boxes.forEach((box, index) => { box.checked = done.has(index); });
    const value = percent(enrollment);
    bar.setAttribute('aria-valuenow', value);
    bar.firstChild.style.width = `${value}%`;
    summary.textContent = `${value}% complete${enrollment && enrollment.completed ? ': mission accomplished!' : ''}`;
    const startedAt = enrollment && enrollment.started_at;
    started.textContent = startedAt ? `Started ${new Date(startedAt).toLocaleDateString()}` : 'Not started yet';
    startButton.textContent = startedAt ? 'Continue mission' : 'Start mission';
    startButton.disabled = !enrollment;
    const next = startedAt ? boxes.findIndex((b) => !b.checked) : -1;
    boxes.forEach((box, index) => box.closest('li').classList.toggle('next', index === next));
  }

  function firstOpen(next) {
    return Number.isInteger(next) ? next : boxes.findIndex((b) => !b.checked);
  }

  async function tick(index, done) {
    boxes[index].disabled = true;
    try {
      enrollment = { ...enrollment, ...(await setCheckpoint(config.apiUrl, await token(), enrollment.id, index, done)) };
      announce.textContent = `${done ? 'Ticked' : 'Unticked'}: ${mission.byte_size_checkpoints[index]}. ${percent(enrollment)}% complete.`;
    } catch (err) {
      announce.textContent = `Not saved: ${err.message}`;
    }
    boxes[index].disabled = false;
    show();
  }

  async function start() {
    startButton.disabled = true;
    try {
      const answer = await startMission(config.apiUrl, await token(), enrollment.id);
      enrollment = { ...enrollment, ...answer };
      show();
      const next = firstOpen(answer.next_checkpoint);
      if (next >= 0) {
        announce.textContent = `Mission started. Next checkpoint: ${mission.byte_size_checkpoints[next]}`;
        boxes[next].focus();
        boxes[next].scrollIntoView({ block: 'center' });
      } else {
        announce.textContent = 'Every checkpoint is done: mission accomplished!';
      }
    } catch (err) {
      announce.textContent = `Not saved: ${err.message}`;
      startButton.disabled = false;
    }
  }
  startButton.addEventListener('click', start);

  const conversationHref = `/missions/${encodeURIComponent(mission.id)}/conversation`;
  section.replaceChildren(...[
    h('p', { class: 'badge', id: 'mission-level' }, mission.level),
    h('h1', { id: 'mission-title' }, mission.title),
    h('p', { class: 'lead', id: 'mission-short' }, mission.short_description),
    h('p', { id: 'mission-description' }, mission.description),
    h('h2', {}, 'Your goal'), h('p', { id: 'mission-goal' }, mission.learning_goal),
    h('h2', {}, 'Progress'), bar, summary, started,
    h('div', { class: 'row' }, startButton), announce,
    h('h2', {}, 'Checkpoints'),
    enrollment ? null : h('p', { class: 'meta' }, 'You are not enrolled in this mission, so it has no progress to track.'),
    list,
    h('h2', {}, 'Topics'),
    h('ul', { class: 'chips', id: 'mission-topics' }, mission.topics_to_cover.map((t) => h('li', {}, t))),
    h('h2', {}, 'Skills you will gain'),
    h('ul', { class: 'chips', id: 'mission-skills' }, mission.skills.map((s) => h('li', {}, s))),
    h('div', { class: 'row' },
      enrollment ? h('a', { class: 'button secondary', href: conversationHref, id: 'open-conversation',
        onclick: (e) => { e.preventDefault(); navigate(conversationHref); } }, 'Read the conversation') : null,
      h('a', { class: 'button secondary', href: '/missions',
        onclick: (e) => { e.preventDefault(); navigate('/missions'); } }, 'My missions')),
  ].filter(Boolean));
  show();
  document.title = `${mission.title} · Mission Commander`;
}
