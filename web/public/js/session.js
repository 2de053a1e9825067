// Who is signed in: {token, userId, role}. Kept in sessionStorage, which is per tab, so that two
// windows of one browser can be two different users (a buyer and a seller side by side) and a
// reload keeps the tab signed in.
const KEY = 'cz-messenger-session';
export const ROLES = ['BUYER', 'SELLER'];

export function normalizeRole(role) {
  const upper = String(role || '').toUpperCase();
  return ROLES.includes(upper) ? upper : null;
}

function validSession(s) {
  return s && typeof s.token === 'string' && s.token && typeof s.userId === 'string' && s.userId &&
    normalizeRole(s.role) ? { token: s.token, userId: s.userId, role: normalizeRole(s.role) } : null;
}

export function loadSession() {
  try {
    return validSession(JSON.parse(sessionStorage.getItem(KEY) || 'null'));
  } catch {
    return null;
  }
}

export function saveSession(session) {
  sessionStorage.setItem(KEY, JSON.stringify(session));
}

export function clearSession() {
  sessionStorage.removeItem(KEY);
}

// The claims of a JWT, read without verifying it (the server verifies): fills in the user id and
// role of a pasted token.
export function tokenClaims(token) {
  try {
    const part = token.trim().split('.')[1];
    const base64 = part.replace(/-/g, '+').replace(/_/g, '/');
    const json = decodeURIComponent(
      [...atob(base64)].map((c) => '%' + c.charCodeAt(0).toString(16).padStart(2, '0')).join(''),
    );
    const claims = JSON.parse(json);
    return claims && typeof claims === 'object' ? claims : {};
  } catch {
    return {};
  }
}

// A session from the URL fragment (#token=...&user_id=...&role=...), which is never sent to any
// server; the fragment is removed from the address bar at once so it is not copied around.
export function sessionFromFragment(location, history) {
  if (!location.hash || location.hash.length < 2) return null;
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get('token');
  if (!token) return null;
  history.replaceState(null, '', location.pathname + location.search);
  const claims = tokenClaims(token);
  return {
    token,
    userId: params.get('user_id') || (claims.sub != null ? String(claims.sub) : ''),
    role: normalizeRole(params.get('role') || claims.role),
  };
}

// Whether the server mints development tokens (--dev-tokens): GET /dev/token answers 200 then.
export async function devTokensEnabled() {
  try {
    const res = await fetch('/dev/token', { headers: { accept: 'application/json' } });
    return res.ok;
  } catch {
    return false;
  }
}

// POST /dev/token {user_id, role} -> a session; refusals become errors with the server's code.
export async function mintDevToken(userId, role) {
  const res = await fetch('/dev/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user_id: userId, role }),
  });
  const body = await res.json().catch(() => null);
  if (!res.ok || !body || !body.token) {
    const error = new Error((body && body.error && body.error.message) || `HTTP ${res.status}`);
    error.code = (body && body.error && body.error.code) || `HTTP_${res.status}`;
    throw error;
  }
  return { token: body.token, userId: body.user_id, role: body.role };
}
