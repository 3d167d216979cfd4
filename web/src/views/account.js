import { h } from '../dom.js';
import { linkGuestToEmail } from '../firebase.js';

// Keep a guest's missions: turn the anonymous account into an email account
// (Firebase Auth account linking). The uid stays the same, so every session,
// mission and enrollment stays the learner's own.
export function renderAccount(root, { auth, navigate, refreshNav }) {
  const user = auth.currentUser;
  if (!user.isAnonymous) {
    root.append(h('section', { class: 'card', 'aria-labelledby': 'account-title' },
      h('h1', { id: 'account-title' }, 'Your account'),
      h('p', { id: 'account-email' }, `Signed in as ${user.email}. Your missions are saved to this account.`)));
    return;
  }
  const error = h('p', { class: 'form-error', role: 'alert', id: 'account-error', hidden: true });
  const email = h('input', { id: 'account-email-input', type: 'email', autocomplete: 'email', required: true });
  const password = h('input', { id: 'account-password', type: 'password', autocomplete: 'new-password', required: true, minlength: 6 });
  const submit = h('button', { type: 'submit', id: 'save-account' }, 'Save my account');
  const form = h('form', { class: 'card signin', 'aria-labelledby': 'account-title', onsubmit: async (e) => {
    e.preventDefault();
    error.hidden = true;
    if (!email.value || password.value.length < 6) {
      error.hidden = false;
      error.textContent = 'Enter an email and a password of at least 6 characters.';
      return;
    }
    submit.disabled = true;
    try {
      await linkGuestToEmail(auth, email.value, password.value);
      refreshNav();
      form.replaceWith(h('section', { class: 'card', 'aria-labelledby': 'account-title' },
        h('h1', { id: 'account-title', tabindex: -1 }, 'Your account is saved'),
        h('p', { id: 'account-saved', role: 'status' },
          `You can now sign in as ${email.value}, on any device. Your missions are kept.`),
        h('button', { type: 'button', onclick: () => navigate('/missions') }, 'Go to My missions')));
      document.getElementById('account-title').focus();
    } catch (err) {
      submit.disabled = false;
      error.hidden = false;
      const code = (err && err.code) || '';
      error.textContent = code.includes('email-already-in-use') || code.includes('credential-already-in-use')
        ? 'That email already has an account. Use another email to keep these missions.'
        : code.includes('weak-password') ? 'Choose a password of at least 6 characters.'
          : 'Your account could not be saved. Please try again.';
    }
  } },
  h('h1', { id: 'account-title' }, 'Keep your missions'),
  h('p', {}, 'You are using a guest account. Add an email and a password to keep your missions and sign in again later.'),
  h('label', { for: 'account-email-input' }, 'Email'), email,
  h('label', { for: 'account-password' }, 'Password (6+ characters)'), password,
  error,
  h('div', { class: 'row' }, submit));
  root.append(form);
  email.focus();
}
