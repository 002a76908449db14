// Query API client of the explorer: adds the bearer token, asks for it once when the
// collector answers 401, and keeps it in sessionStorage (this tab only, gone when it closes).

const TOKEN_KEY = 'logq.token';

/** An answer of the API that is not 2xx; `param` names the bad filter when the API says. */
export class ApiError extends Error {
  constructor(status, message, param) {
    super(message);
    this.status = status;
    this.param = param;
  }
}

let asking = null;

/** Shows the token dialog (once, however many requests wait on it) and resolves with the token. */
function askToken(rejected) {
  asking ??= new Promise((resolve) => {
    const dialog = document.getElementById('auth');
    const form = document.getElementById('auth-form');
    const input = document.getElementById('auth-token');
    document.getElementById('auth-message').textContent = rejected
      ? 'The token was not accepted. Enter a valid bearer token.'
      : 'This collector requires a bearer token to read logs.';
    input.value = '';
    const done = (event) => {
      event.preventDefault();
      const token = input.value.trim();
      if (!token) return;
      form.removeEventListener('submit', done);
      dialog.removeEventListener('cancel', keep);
      dialog.close();
      sessionStorage.setItem(TOKEN_KEY, token);
      asking = null;
      resolve(token);
    };
    // Escape would leave the page without data: keep the dialog until a token is given.
    const keep = (event) => event.preventDefault();
    form.addEventListener('submit', done);
    dialog.addEventListener('cancel', keep);
    dialog.showModal();
    input.focus();
  });
  return asking;
}

/** GET `path` with `params` (URLSearchParams or object); resolves with the JSON body. */
export async function apiGet(path, params, signal) {
  const query = params ? new URLSearchParams(params).toString() : '';
  const url = query ? `${path}?${query}` : path;
  for (let attempt = 0; ; attempt++) {
    const token = sessionStorage.getItem(TOKEN_KEY);
    let res;
    try {
      res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal });
    } catch (error) {
      if (error.name === 'AbortError') throw error;
      throw new ApiError(0, `cannot reach the collector (${error.message}): is it running?`);
    }
    if (res.status === 401 && attempt < 5) {
      if (token) sessionStorage.removeItem(TOKEN_KEY);
      await askToken(Boolean(token));
      continue;
    }
    let body;
    try {
      body = await res.json();
    } catch {
      throw new ApiError(res.status, `the collector answered ${res.status} without JSON`);
    }
    if (!res.ok) throw new ApiError(res.status, body.error ?? `the collector answered ${res.status}`, body.param);
    return body;
  }
}

/**
 * A cursor meaning "records from `ms` on", for live tail before any record is shown. It has the
 * query API's cursor layout (base64url of "<ns>.<row hash>", hash 0 = before every record of that instant).
 */
export function cursorAtMs(ms) {
  return btoa(`${BigInt(Math.floor(ms)) * 1000000n}.0`).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
