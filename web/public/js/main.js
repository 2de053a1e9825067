// Entry point: sign-in (development token, pasted token or URL fragment), then the chat.
import { Chat } from './chat.js';
import { loadSession, saveSession, clearSession, sessionFromFragment, tokenClaims, normalizeRole,
  devTokensEnabled, mintDevToken } from './session.js';

window.czMessengerStarted = true;

let chat = null;

function showSignIn(error) {
  document.getElementById('signin').hidden = false;
  const line = document.getElementById('signin-error');
  line.hidden = !error;
  line.textContent = error ? `${error.code || 'ERROR'}: ${error.message}` : '';
  if (error) line.dataset.code = error.code || 'ERROR';
}

function startChat(session) {
  saveSession(session);
  document.getElementById('signin').hidden = true;
  chat = new Chat(session, {
    onSessionEnded: (error) => {
      chat = null;
      clearSession();
      showSignIn(error);
    },
  });
  chat.start();
}

function wireSignIn() {
  document.getElementById('dev-signin').addEventListener('submit', async (e) => {
    e.preventDefault();
    const form = e.target;
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      startChat(await mintDevToken(form.elements.user_id.value.trim(), form.elements.role.value));
    } catch (err) {
      showSignIn(err);
    } finally {
      button.disabled = false;
    }
  });

  const tokenForm = document.getElementById('token-signin');
  tokenForm.elements.token.addEventListener('input', () => {
    const claims = tokenClaims(tokenForm.elements.token.value);
    if (claims.sub != null && !tokenForm.elements.user_id.value) tokenForm.elements.user_id.value = String(claims.sub);
    if (normalizeRole(claims.role)) tokenForm.elements.role.value = normalizeRole(claims.role);
  });
  tokenForm.addEventListener('submit', (e) => {
    e.preventDefault();
    startChat({
      token: tokenForm.elements.token.value.trim(),
      userId: tokenForm.elements.user_id.value.trim(),
      role: tokenForm.elements.role.value,
    });
  });

  document.getElementById('signout').addEventListener('click', () => {
    if (chat) chat.stop();
    chat = null;
    clearSession();
    showSignIn(null);
  });
}

// A sign-in link (#token=...): true when the fragment held one (used, or refused with a reason).
function signInFromLink() {
  const fromLink = sessionFromFragment(window.location, window.history);
  if (!fromLink) return false;
  if (chat) chat.stop();
  chat = null;
  if (!fromLink.userId) showSignIn({ code: 'VALIDATION_ERROR', message: 'the link has a token but no user_id' });
  else if (!fromLink.role) showSignIn({ code: 'VALIDATION_ERROR', message: 'the link needs role=BUYER or role=SELLER' });
  else startChat(fromLink);
  return true;
}

async function boot() {
  wireSignIn();
  devTokensEnabled().then((enabled) => {
    document.getElementById('dev-signin').hidden = !enabled;
  });
  // A link opened in a tab that already shows the page changes only the fragment.
  window.addEventListener('hashchange', signInFromLink);
  if (signInFromLink()) return;
  const session = loadSession();
  if (session) startChat(session);
  else showSignIn(null);
}

boot();
