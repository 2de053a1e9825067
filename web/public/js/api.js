// The REST API under /v1 (docs/openapi.json), with the session's bearer token. Refusals
// ({status: false, message, error: {code, message}}) are thrown as ServerError.
export class ServerError extends Error {
  constructor(code, message, where) {
    super(message);
    this.code = code;
    this.where = where;
  }
}

export class Api {
  constructor(session) {
    this.session = session;
  }

  async request(method, path, { query, body } = {}) {
    const url = new URL(path, window.location.origin);
    for (const [k, v] of Object.entries(query || {})) if (v !== undefined && v !== null) url.searchParams.set(k, v);
    const headers = { authorization: `Bearer ${this.session.token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res;
    try {
      res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (err) {
      throw new ServerError('NETWORK', `cannot reach the server (${err.message})`, `${method} ${path}`);
    }
    const json = await res.json().catch(() => null);
    if (!res.ok) {
      const error = json && json.error;
      throw new ServerError(error ? error.code : `HTTP_${res.status}`, error ? error.message : res.statusText, `${method} ${path}`);
    }
    return json;
  }

  rooms() {
    return this.request('GET', '/v1/rooms', { query: { role: this.session.role } });
  }

  // One page of a room's history, newest first; `cursor` is the previous page's next_cursor.
  messages(roomId, { cursor, limit = 20 } = {}) {
    return this.request('GET', '/v1/messages', { query: { room_id: roomId, created_at: '-1', limit, cursor } });
  }
}
