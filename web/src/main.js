import { loadConfig } from './config.js';
import { clear, h } from './dom.js';
import { initFirebase, logOut, watchUser } from './firebase.js';
import { renderChat } from './views/chat.js';
import { renderMission } from './views/mission.js';
import { renderMyMissions } from './views/missions.js';
import { renderSignIn } from './views/signin.js';

const root = document.getElementById('app');
const nav = document.getElementById('nav');
let cleanup = null;
let ctx = null;

function navigate(path) {
  if (window.location.pathname !== path) window.history.pushState({}, '', path);
  route();
}

function renderNav(user) {
  clear(nav);
  if (!user) return;
  const link = (path, text, id) => h('a', { href: path, id, onclick: (e) => { e.preventDefault(); navigate(path); } }, text);
  nav.append(link('/', 'New chat', 'nav-chat'), link('/missions', 'My missions', 'nav-missions'),
    h('span', { class: 'who' }, user.isAnonymous ? 'Guest' : user.email),
    h('button', { type: 'button', class: 'secondary small', id: 'sign-out',
      onclick: async () => { sessionStorage.clear(); await logOut(ctx.auth); navigate('/'); } }, 'Sign out'));
}

function route() {
  if (cleanup) { cleanup(); cleanup = null; }
  clear(root);
  document.title = 'Mission Commander';
  const user = ctx.auth.currentUser;
  renderNav(user);
  if (!user) {
    renderSignIn(root, ctx);
    return;
  }
  const path = window.location.pathname;
  const match = path.match(/^\/missions\/([^/]+)\/?$/);
  if (match) renderMission(root, ctx, decodeURIComponent(match[1]));
  else if (/^\/missions\/?$/.test(path)) renderMyMissions(root, ctx);
  else cleanup = renderChat(root, ctx);
  const heading = root.querySelector('h1');
  if (heading) heading.setAttribute('tabindex', '-1');
}

async function main() {
  const config = await loadConfig();
  const { auth, db } = initFirebase(config);
  ctx = { config, auth, db, navigate };
  let first = true;
  watchUser(auth, () => {
    if (first) { first = false; route(); return; }
    route();
  });
  window.addEventListener('popstate', route);
}

main().catch((err) => {
  console.error(err);
  root.textContent = 'Mission Commander could not start. Please reload the page.';
});
