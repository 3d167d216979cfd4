import { ConfigError, loadConfig } from './config.js';
import { clear, h } from './dom.js';
import { initFirebase, logOut, watchUser } from './firebase.js';
import { renderAccount } from './views/account.js';
import { renderChat, SESSION_KEY } from './views/chat.js';
import { renderConversation } from './views/conversation.js';
import { renderMission } from './views/mission.js';
import { renderMyMissions } from './views/missions.js';
import { renderSignIn } from './views/signin.js';

const root = document.getElementById('app');
const nav = document.getElementById('nav');
let cleanup = null;
let ctx = null;

// `fresh`: leave a finished conversation behind and plan a new mission.
function navigate(path, { fresh = false } = {}) {
  if (fresh) {
    try {
      const saved = JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null');
      if (saved && saved.done) sessionStorage.removeItem(SESSION_KEY);
    } catch (err) { sessionStorage.removeItem(SESSION_KEY); }
  }
  if (window.location.pathname !== path) window.history.pushState({}, '', path);
  route();
}

async function signOutNow() {
  sessionStorage.clear();
  await logOut(ctx.auth);
  navigate('/');
}

// A guest's missions belong to an anonymous account that is gone once signed
// out: say so first, and offer to keep them by saving the account.
function confirmGuestSignOut() {
  const dialog = h('dialog', { id: 'signout-dialog', 'aria-labelledby': 'signout-title', 'aria-describedby': 'signout-text' },
    h('h2', { id: 'signout-title' }, 'Sign out of the guest account?'),
    h('p', { id: 'signout-text' }, 'You are signed in as a guest. If you sign out now, your missions and conversations '
      + 'will be lost: a guest account cannot be signed into again. Save your account with an email to keep them.'),
    h('div', { class: 'row' },
      h('button', { type: 'button', id: 'keep-missions', onclick: () => { dialog.close(); navigate('/account'); } },
        'Keep my missions'),
      h('button', { type: 'button', class: 'secondary', id: 'signout-anyway', onclick: async () => { dialog.close(); await signOutNow(); } },
        'Sign out and lose them'),
      h('button', { type: 'button', class: 'secondary', id: 'signout-cancel', onclick: () => dialog.close() }, 'Cancel')));
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}

function renderNav(user) {
  clear(nav);
  if (!user) return;
  const link = (path, text, id, opts) => h('a', { href: path, id,
    onclick: (e) => { e.preventDefault(); navigate(path, opts); } }, text);
  nav.append(link('/', 'New chat', 'nav-chat', { fresh: true }), link('/missions', 'My missions', 'nav-missions'),
    h('span', { class: 'who', id: 'who' }, user.isAnonymous ? 'Guest' : user.email),
    h('button', { type: 'button', class: 'secondary small', id: 'sign-out',
      onclick: () => (user.isAnonymous ? confirmGuestSignOut() : signOutNow()) }, 'Sign out'));
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
  let match;
  if ((match = path.match(/^\/missions\/([^/]+)\/conversation\/?$/))) renderConversation(root, ctx, decodeURIComponent(match[1]));
  else if ((match = path.match(/^\/missions\/([^/]+)\/?$/))) renderMission(root, ctx, decodeURIComponent(match[1]));
  else if (/^\/missions\/?$/.test(path)) renderMyMissions(root, ctx);
  else if (/^\/account\/?$/.test(path)) renderAccount(root, ctx);
  else cleanup = renderChat(root, ctx);
  const heading = root.querySelector('h1');
  if (heading) heading.setAttribute('tabindex', '-1');
}

function showStartupError(err) {
  console.error(err);
  const reason = err instanceof ConfigError ? err.message : 'an unexpected error stopped it';
  clear(root).append(h('section', { class: 'card', 'aria-labelledby': 'startup-title' },
    h('h1', { id: 'startup-title' }, 'Mission Commander cannot start'),
    h('p', { role: 'alert', id: 'startup-error' }, `Mission Commander cannot start: ${reason}.`),
    h('p', {}, err instanceof ConfigError
      ? 'Nothing was sent anywhere. If you run the app yourself, check that the server serves /config.json; then reload the page.'
      : 'Please reload the page.')));
}

// The brand link starts a new chat, like "New chat" (which phones hide to keep the header on one row).
const brand = document.querySelector('header.top .brand');
if (brand) brand.addEventListener('click', (e) => { if (ctx) { e.preventDefault(); navigate('/', { fresh: true }); } });

// The phone layout sizes the chat to the screen below the header.
const header = document.querySelector('header.top');
if (header && 'ResizeObserver' in window) {
  new ResizeObserver(() => document.documentElement.style.setProperty('--header-height', `${header.offsetHeight}px`))
    .observe(header);
}

async function main() {
  const config = await loadConfig();
  const { auth, db } = initFirebase(config);
  ctx = { config, auth, db, navigate, refreshNav: () => renderNav(auth.currentUser) };
  watchUser(auth, route);
  window.addEventListener('popstate', route);
}

main().catch(showStartupError);
