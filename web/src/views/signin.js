import { h } from '../dom.js';
import { signInAsGuest, signInWithEmail } from '../firebase.js';

export function renderSignIn(root, { auth }) {
  const error = h('p', { class: 'form-error', role: 'alert', id: 'signin-error', hidden: true });
  const email = h('input', { id: 'email', type: 'email', autocomplete: 'email', required: true });
  const password = h('input', { id: 'password', type: 'password', autocomplete: 'current-password', required: true, minlength: 6 });
  const busy = (on) => root.querySelectorAll('button').forEach((b) => { b.disabled = on; });
  const fail = (err) => {
    busy(false);
    error.hidden = false;
    error.textContent = friendlyAuthError(err);
  };
  const submit = async (create) => {
    error.hidden = true;
    if (!email.value || password.value.length < 6) {
      fail({ code: 'auth/invalid-input' });
      return;
    }
    busy(true);
    try { await signInWithEmail(auth, email.value, password.value, create); } catch (err) { fail(err); }
  };
  const form = h('form', { class: 'card signin', 'aria-labelledby': 'signin-title',
    onsubmit: (e) => { e.preventDefault(); submit(false); } },
  h('h1', { id: 'signin-title' }, 'Welcome to Mission Commander'),
  h('p', {}, 'Chat with your AI coach and get a personal learning mission.'),
  h('label', { for: 'email' }, 'Email'), email,
  h('label', { for: 'password' }, 'Password (6+ characters)'), password,
  error,
  h('div', { class: 'row' },
    h('button', { type: 'submit', id: 'signin' }, 'Sign in'),
    h('button', { type: 'button', id: 'signup', class: 'secondary', onclick: () => submit(true) }, 'Create account')),
  h('hr'),
  h('button', { type: 'button', id: 'guest', class: 'secondary',
    onclick: async () => { busy(true); try { await signInAsGuest(auth); } catch (err) { fail(err); } } },
  'Just try it (no account)'));
  root.append(form);
  email.focus();
}

function friendlyAuthError(err) {
  const code = (err && err.code) || '';
  if (code === 'auth/invalid-input') return 'Enter an email and a password of at least 6 characters.';
  if (code.includes('email-already-in-use')) return 'That email already has an account: sign in instead.';
  if (code.includes('invalid-credential') || code.includes('wrong-password') || code.includes('user-not-found')) {
    return 'Email or password is not right.';
  }
  if (code.includes('network')) return 'Cannot reach the sign-in service. Check your connection.';
  return 'Sign-in failed. Please try again.';
}
