// The chat screen: rooms, conversations, presence and typing, kept in memory and drawn into the
// page. Sources of truth: REST /v1 for the room list and history pages, the /messenger socket
// for everything live, and `sync` for what was missed while the connection was down.
import { Api } from './api.js';
import { Connection } from './connection.js';
import { el, formatTime, formatDay, formatWhen, formatLastSeen, previewOf, safeImageUrl, initial, hue } from './view.js';

const EMOJI = ['👍', '❤️', '😂', '😊', '😍', '🙏', '🎉', '👌', '🔥', '😮', '😢', '🤝',
  '✅', '❓', '💰', '📦', '🚚', '⭐', '👋', '😅', '🤔', '👀', '💯', '🙌'];
const PAGE_SIZE = 20;
const TYPING_RESEND_MS = 2000; // a `typing` at most this often while keys are pressed
const TYPING_IDLE_MS = 3000; // `stop_typing` after this long without a key
const TYPING_SHOWN_MS = 8000; // a partner's indicator goes away by itself (a lost stop_typing)
const ERROR_SHOWN_MS = 15000;
const SYNC_PAGE = 200;

function newClientId() {
  if (window.crypto && typeof window.crypto.randomUUID === 'function') return window.crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

function byId(id) {
  return document.getElementById(id);
}

export class Chat {
  constructor(session, { onSessionEnded }) {
    this.session = session;
    this.me = session.userId;
    this.side = session.role === 'BUYER' ? 'buyer' : 'seller';
    this.onSessionEnded = onSessionEnded;
    this.api = new Api(session);
    this.rooms = new Map(); // room id -> {id, partner, name, lastMessage, unread, createdAt}
    this.threads = new Map(); // room id -> {list, byId, pending, cursor, hasOlder, loaded, loading}
    this.presence = new Map(); // user id -> {online, last_seen}
    this.typingIn = new Map(); // room id -> timer of the partner's typing indicator
    this.typingOut = null; // {roomId, sentAt} while we tell the partner we type
    this.activeRoomId = null;
    this.lastMessageId = null; // the newest message id held: the `sync` cursor
    this.startedAt = new Date().toISOString();
    this.messageNodes = new Map();
    this.cleanups = [];
  }

  // --- lifecycle -------------------------------------------------------------------------

  start() {
    byId('chat').hidden = false;
    document.querySelector('[data-testid=me]').textContent = `${this.me} · ${this.session.role.toLowerCase()}`;
    const partnerField = document.querySelector('#new-room [name=partner]');
    partnerField.placeholder = this.side === 'buyer' ? 'seller id' : 'buyer id';
    this.wireForms();
    this.connection = new Connection(this.session, {
      onState: (state, detail) => this.onConnectionState(state, detail),
      onRefused: (error) => this.end(error),
      on: {
        new_message: (m) => this.addStored(m),
        message_updated: (m) => this.addStored(m, { edited: true }),
        create_room: (room) => this.upsertRoom(room),
        typing: (p) => this.onTyping(p, true),
        stop_typing: (p) => this.onTyping(p, false),
        seen_messages: (p) => this.onSeen(p),
        user_status: (s) => this.setPresence(s),
        room_deleted: () => this.reloadRooms(),
        room_enabled: () => this.reloadRooms(),
        verify_user: (reply) => {
          if (reply && reply.status === false) this.end({ code: 'UNAUTHORIZED', message: `session ended: ${reply.reason || 'refused'}` });
        },
        error: (e) => this.showError({ code: e.code, message: e.message, where: e.event }),
      },
    });
    this.reloadRooms();
  }

  // Leaves the chat screen (sign-out, or a session the server refused).
  stop() {
    if (this.connection) this.connection.close();
    for (const cleanup of this.cleanups) cleanup();
    for (const timer of this.typingIn.values()) clearTimeout(timer);
    clearTimeout(this.typingIdleTimer);
    byId('chat').hidden = true;
    byId('rooms').replaceChildren();
    byId('message-list').replaceChildren();
    byId('errors').replaceChildren();
    byId('banner').hidden = true;
    byId('room-view').hidden = true;
    byId('no-conversation').hidden = false;
  }

  end(error) {
    this.stop();
    this.onSessionEnded(error);
  }

  listen(target, event, handler) {
    target.addEventListener(event, handler);
    this.cleanups.push(() => target.removeEventListener(event, handler));
  }

  wireForms() {
    this.listen(byId('new-room'), 'submit', (e) => {
      e.preventDefault();
      this.createRoom(e.target);
    });
    this.listen(byId('composer'), 'submit', (e) => {
      e.preventDefault();
      const input = e.target.elements.text;
      if (this.send('TEXT', input.value)) input.value = '';
    });
    this.listen(byId('composer').elements.text, 'input', (e) => this.onComposerInput(e.target.value));
    this.listen(byId('emoji-toggle'), 'click', () => this.toggle('emoji-picker'));
    this.listen(byId('image-toggle'), 'click', () => this.toggle('image-form'));
    this.listen(byId('image-form'), 'submit', (e) => {
      e.preventDefault();
      const input = e.target.elements.url;
      if (!safeImageUrl(input.value.trim())) {
        this.showError({ code: 'INVALID_URL', message: 'an image is sent as an http(s) URL', where: 'image' });
        return;
      }
      if (this.send('IMAGE', input.value)) {
        input.value = '';
        byId('image-form').hidden = true;
      }
    });
    this.listen(byId('load-older'), 'click', () => this.loadOlder(this.activeRoomId));
    this.listen(byId('messages'), 'scroll', (e) => {
      if (e.target.scrollTop < 40 && this.activeRoomId) {
        const thread = this.thread(this.activeRoomId);
        if (thread.loaded && thread.hasOlder && !thread.loading) this.loadOlder(this.activeRoomId);
      }
    });
    this.listen(document, 'visibilitychange', () => {
      if (document.visibilityState === 'visible' && this.activeRoomId) this.markSeen(this.activeRoomId);
    });
    const picker = byId('emoji-picker');
    picker.replaceChildren(...EMOJI.map((emoji) =>
      el('button', { type: 'button', class: 'emoji', text: emoji, 'data-testid': 'emoji', title: emoji,
        onclick: () => {
          if (this.send('EMOJI', emoji)) picker.hidden = true;
        } })));
  }

  toggle(id) {
    const node = byId(id);
    const show = node.hidden;
    byId('emoji-picker').hidden = true;
    byId('image-form').hidden = true;
    node.hidden = !show;
    if (show && id === 'image-form') node.elements.url.focus();
  }

  // --- connection ------------------------------------------------------------------------

  onConnectionState(state, detail) {
    document.querySelector('[data-testid=connection]').dataset.state = state;
    // Presence is only known while connected: dots and "online" wait for the connection.
    this.renderRooms();
    this.renderRoomHead();
    const banner = byId('banner');
    if (state === 'connected') {
      if (!detail.reconnected) {
        banner.hidden = true;
        this.refreshPresence();
        return;
      }
      banner.textContent = 'Reconnected, catching up…';
      banner.dataset.state = 'catching-up';
      this.catchUp().finally(() => {
        if (this.connection.connected) banner.hidden = true;
      });
      return;
    }
    banner.hidden = false;
    banner.dataset.state = state;
    banner.textContent = state === 'reconnecting'
      ? `Connection lost. Reconnecting (attempt ${detail.attempt})…`
      : `Connection lost (${detail.reason}). Reconnecting…`;
  }

  // After a dropped connection: every message since the newest one held, then the room list
  // (unread counts, rooms created meanwhile) and presence again.
  async catchUp() {
    try {
      let since = this.lastMessageId || this.startedAt;
      for (let page = 0; page < 50; page++) {
        const reply = await this.connection.request('sync', { since, limit: SYNC_PAGE });
        for (const message of reply.messages) this.addStored(message);
        if (!reply.has_more || !reply.next_since) break;
        since = reply.next_since;
      }
      await this.reloadRooms();
      for (const thread of this.threads.values())
        for (const local of thread.pending.values()) if (local.state === 'failed' && local.error.code === 'TIMEOUT') this.deliver(local);
    } catch (err) {
      this.showError(err);
    }
  }

  // --- rooms -----------------------------------------------------------------------------

  async reloadRooms() {
    let reply;
    try {
      reply = await this.api.rooms();
    } catch (err) {
      this.showError(err);
      return;
    }
    const ids = new Set();
    for (const room of reply.rooms) {
      ids.add(room._id);
      this.upsertRoom(room, { render: false });
    }
    for (const id of [...this.rooms.keys()]) if (!ids.has(id)) this.rooms.delete(id);
    this.renderRooms();
    this.refreshPresence();
  }

  upsertRoom(room, { render = true } = {}) {
    const partner = this.side === 'buyer' ? room.seller : room.buyer;
    const details = this.side === 'buyer' ? room.shop : room.buyer_info;
    const lastMessage = room[`${this.side}_last_message`] || null;
    const known = this.rooms.get(room._id);
    const entry = {
      id: room._id,
      partner,
      name: (details && details.name) || partner,
      lastMessage: known && known.lastMessage && (!lastMessage || known.lastMessage._id > lastMessage._id) ? known.lastMessage : lastMessage,
      unread: room[`${this.side}_unseen_messages`] || 0,
      createdAt: room.created_at,
    };
    this.rooms.set(room._id, entry);
    if (lastMessage) this.noteMessageId(lastMessage._id);
    if (render) {
      this.renderRooms();
      if (!this.presence.has(partner)) this.refreshPresence();
    }
    return entry;
  }

  async createRoom(form) {
    const partner = form.elements.partner.value.trim();
    const shopId = form.elements.shop_id.value.trim();
    if (!partner) return;
    const payload = {
      type: 'BS',
      buyer: this.side === 'buyer' ? this.me : partner,
      seller: this.side === 'buyer' ? partner : this.me,
    };
    if (shopId) payload.shop_id = shopId;
    try {
      const reply = await this.connection.request('create_room', payload);
      const room = this.upsertRoom(reply.room);
      form.reset();
      this.openRoom(room.id);
    } catch (err) {
      this.showError(err);
    }
  }

  async refreshPresence() {
    const partners = [...new Set([...this.rooms.values()].map((r) => r.partner))];
    if (!partners.length || !this.connection.connected) return;
    try {
      for (let i = 0; i < partners.length; i += 100) {
        const reply = await this.connection.request('get_user_status', { user_ids: partners.slice(i, i + 100) });
        for (const status of reply.users) this.setPresence(status, { render: false });
      }
      this.renderRooms();
      this.renderRoomHead();
    } catch (err) {
      this.showError(err);
    }
  }

  setPresence(status, { render = true } = {}) {
    this.presence.set(status.user_id, { online: !!status.online, last_seen: status.last_seen });
    if (render) {
      this.renderRooms();
      this.renderRoomHead();
    }
  }

  // --- messages --------------------------------------------------------------------------

  thread(roomId) {
    let thread = this.threads.get(roomId);
    if (!thread) {
      thread = { list: [], byId: new Map(), pending: new Map(), cursor: null, hasOlder: true, loaded: false, loading: false };
      this.threads.set(roomId, thread);
    }
    return thread;
  }

  noteMessageId(id) {
    if (id && (!this.lastMessageId || id > this.lastMessageId)) this.lastMessageId = id;
  }

  // A stored message from any source (ack, broadcast, history page, sync): kept once, by id.
  addStored(message, { edited = false, render = true } = {}) {
    const thread = this.thread(message.room_id);
    if (message.client_message_id && message.from === this.me) thread.pending.delete(message.client_message_id);
    const known = thread.byId.get(message._id);
    if (known) {
      Object.assign(known, message, { is_seen: known.is_seen || message.is_seen });
    } else if (!edited) {
      thread.byId.set(message._id, message);
      thread.list.push(message);
      if (thread.list.length > 1 && thread.list[thread.list.length - 2]._id > message._id)
        thread.list.sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0));
      this.noteMessageId(message._id);
      this.onNewInRoom(message);
    }
    if (render && message.room_id === this.activeRoomId) this.renderMessages();
  }

  // Room list bookkeeping for a message not held before.
  onNewInRoom(message) {
    const room = this.rooms.get(message.room_id);
    if (!room) {
      this.reloadRooms(); // a room created while we were away
      return;
    }
    if (!room.lastMessage || room.lastMessage._id <= message._id) room.lastMessage = message;
    if (message.from === room.partner) {
      this.onTyping({ room_id: message.room_id, from: message.from }, false);
      const reading = message.room_id === this.activeRoomId && document.visibilityState === 'visible';
      if (!message.is_seen && !reading) room.unread += 1;
      if (reading) this.markSeen(message.room_id);
    }
    this.renderRooms();
  }

  async loadOlder(roomId) {
    if (!roomId) return;
    const thread = this.thread(roomId);
    if (thread.loading || (thread.loaded && !thread.hasOlder)) return;
    thread.loading = true;
    const box = byId('messages');
    const heightBefore = box.scrollHeight;
    const first = !thread.loaded;
    try {
      const page = await this.api.messages(roomId, { cursor: thread.cursor, limit: PAGE_SIZE });
      for (const message of page.data) this.addStored(message, { render: false });
      thread.cursor = page.filters.next_cursor;
      thread.hasOlder = !!page.filters.next_cursor;
      thread.loaded = true;
    } catch (err) {
      this.showError(err);
    } finally {
      thread.loading = false;
    }
    if (roomId !== this.activeRoomId) return;
    this.renderMessages({ keepBottom: first });
    if (!first) box.scrollTop += box.scrollHeight - heightBefore; // the same message stays in view
    this.markSeen(roomId);
  }

  // Marks what the partner sent in the open room as seen (all of it: the server knows what is
  // unseen, including messages older than the pages loaded).
  async markSeen(roomId) {
    const room = this.rooms.get(roomId);
    if (!room || roomId !== this.activeRoomId || document.visibilityState !== 'visible') return;
    const thread = this.thread(roomId);
    const unseen = thread.list.some((m) => m.from === room.partner && !m.is_seen);
    if ((!unseen && room.unread === 0) || !this.connection.connected) return;
    if (thread.seenInFlight) {
      thread.seenAgain = true;
      return;
    }
    thread.seenInFlight = true;
    try {
      await this.connection.request('seen_messages', { room_id: roomId, from: this.me, to: room.partner });
      for (const m of thread.list) if (m.from === room.partner) m.is_seen = true;
      room.unread = 0;
      this.renderRooms();
      if (roomId === this.activeRoomId) this.renderMessages();
    } catch (err) {
      this.showError(err);
    } finally {
      thread.seenInFlight = false;
    }
    if (thread.seenAgain) {
      thread.seenAgain = false;
      this.markSeen(roomId);
    }
  }

  // seen_messages: the partner read our messages, or another tab of ours read theirs.
  onSeen({ room_id: roomId, from, message_ids: ids }) {
    const thread = this.thread(roomId);
    const marked = new Set(ids || []);
    for (const m of thread.list) if (marked.has(m._id)) m.is_seen = true;
    const room = this.rooms.get(roomId);
    if (room) {
      if (room.lastMessage && marked.has(room.lastMessage._id)) room.lastMessage.is_seen = true;
      if (from === this.me) room.unread = 0;
      this.renderRooms();
    }
    if (roomId === this.activeRoomId) this.renderMessages();
  }

  send(type, text) {
    const room = this.rooms.get(this.activeRoomId);
    const content = type === 'TEXT' ? text.trim() : text;
    if (!room || !content) return false;
    this.stopTyping();
    const clientId = newClientId();
    const local = {
      clientId,
      state: 'sending',
      error: null,
      payload: { room_id: room.id, from: this.me, to: room.partner, type, content, client_message_id: clientId },
      created_at: new Date().toISOString(),
    };
    this.thread(room.id).pending.set(clientId, local);
    this.renderMessages({ keepBottom: true });
    this.deliver(local);
    return true;
  }

  // Sends (or re-sends: the client_message_id makes a retry idempotent) one message.
  async deliver(local) {
    local.state = 'sending';
    local.error = null;
    const roomId = local.payload.room_id;
    try {
      const stored = await this.connection.request('new_message', local.payload);
      this.addStored(stored);
    } catch (err) {
      local.state = 'failed';
      local.error = err;
      this.showError(err);
    }
    if (roomId === this.activeRoomId) this.renderMessages();
  }

  // --- typing ----------------------------------------------------------------------------

  onComposerInput(value) {
    const room = this.rooms.get(this.activeRoomId);
    if (!room) return;
    if (!value.trim()) return this.stopTyping();
    const now = Date.now();
    if (!this.typingOut || this.typingOut.roomId !== room.id || now - this.typingOut.sentAt > TYPING_RESEND_MS) {
      if (this.typingOut && this.typingOut.roomId !== room.id) this.stopTyping();
      this.connection.send('typing', { room_id: room.id, from: this.me, to: room.partner });
      this.typingOut = { roomId: room.id, to: room.partner, sentAt: now };
    }
    clearTimeout(this.typingIdleTimer);
    this.typingIdleTimer = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  }

  stopTyping() {
    clearTimeout(this.typingIdleTimer);
    if (!this.typingOut) return;
    this.connection.send('stop_typing', { room_id: this.typingOut.roomId, from: this.me, to: this.typingOut.to });
    this.typingOut = null;
  }

  onTyping({ room_id: roomId, from }, typing) {
    if (from === this.me) return;
    clearTimeout(this.typingIn.get(roomId));
    this.typingIn.delete(roomId);
    if (typing) this.typingIn.set(roomId, setTimeout(() => this.onTyping({ room_id: roomId, from }, false), TYPING_SHOWN_MS));
    this.renderRooms();
    this.renderTyping();
  }

  // --- drawing ---------------------------------------------------------------------------

  sortedRooms() {
    const when = (r) => (r.lastMessage && r.lastMessage.created_at) || r.createdAt || '';
    return [...this.rooms.values()].sort((a, b) => (when(a) < when(b) ? 1 : when(a) > when(b) ? -1 : 0));
  }

  avatar(userId, name) {
    const node = el('span', { class: 'avatar', text: initial(name) });
    node.style.setProperty('--hue', hue(userId));
    return node;
  }

  renderRooms() {
    const list = byId('rooms');
    const rooms = this.sortedRooms();
    byId('no-rooms').hidden = rooms.length > 0;
    list.replaceChildren(...rooms.map((room) => {
      const online = this.connection.connected && !!(this.presence.get(room.partner) || {}).online;
      const typing = this.typingIn.has(room.id);
      const preview = typing ? 'typing…' : previewOf(room.lastMessage, this.me);
      return el('li', {
        class: `room${room.id === this.activeRoomId ? ' active' : ''}`,
        'data-testid': 'room', 'data-room-id': room.id, 'data-partner': room.partner,
        tabindex: '0', role: 'button',
        onclick: () => this.openRoom(room.id),
        onkeydown: (e) => { if (e.key === 'Enter') this.openRoom(room.id); },
      },
      el('span', { class: 'avatar-wrap' }, this.avatar(room.partner, room.name),
        el('span', { class: 'dot', 'data-testid': 'online-dot', 'data-online': String(online), title: online ? 'online' : 'offline' })),
      el('span', { class: 'room-main' },
        el('span', { class: 'room-line' },
          el('span', { class: 'partner', 'data-testid': 'room-partner', text: room.name }),
          el('span', { class: 'when', text: room.lastMessage ? formatWhen(room.lastMessage.created_at) : '' })),
        el('span', { class: 'room-line' },
          el('span', { class: `preview${typing ? ' typing-text' : ''}`, 'data-testid': 'room-preview', text: preview }),
          room.unread > 0 ? el('span', { class: 'unread', 'data-testid': 'unread', text: String(room.unread) }) : null)));
    }));
  }

  openRoom(roomId) {
    if (!this.rooms.has(roomId)) return;
    if (this.activeRoomId !== roomId) this.stopTyping();
    this.activeRoomId = roomId;
    byId('no-conversation').hidden = true;
    byId('room-view').hidden = false;
    byId('emoji-picker').hidden = true;
    byId('image-form').hidden = true;
    byId('message-list').replaceChildren();
    this.messageNodes.clear();
    this.renderRooms();
    this.renderRoomHead();
    this.renderTyping();
    const thread = this.thread(roomId);
    this.renderMessages({ keepBottom: true });
    if (!thread.loaded) this.loadOlder(roomId);
    else this.markSeen(roomId);
    byId('composer').elements.text.focus();
  }

  renderRoomHead() {
    const room = this.rooms.get(this.activeRoomId);
    if (!room) return;
    const avatar = document.querySelector('[data-testid=room-avatar]');
    avatar.textContent = initial(room.name);
    avatar.style.setProperty('--hue', hue(room.partner));
    document.querySelector('[data-testid=room-title]').textContent =
      room.name === room.partner ? room.partner : `${room.name} (${room.partner})`;
    const status = this.connection.connected ? this.presence.get(room.partner) : null;
    const line = document.querySelector('[data-testid=room-status]');
    if (!this.connection.connected) line.textContent = 'waiting for the connection…';
    else line.textContent = status ? (status.online ? 'online' : formatLastSeen(status.last_seen)) : '';
    line.dataset.online = String(!!(status && status.online));
  }

  renderTyping() {
    const room = this.rooms.get(this.activeRoomId);
    const box = byId('typing');
    box.hidden = !room || !this.typingIn.has(room.id);
    if (room) box.querySelector('.who').textContent = room.name;
  }

  messageNode(key) {
    let node = this.messageNodes.get(key);
    if (!node) {
      node = el('div');
      this.messageNodes.set(key, node);
    }
    return node;
  }

  // Redraws the open conversation, reusing the nodes of messages already drawn (so images do
  // not reload); sticks to the bottom when the reader was there.
  renderMessages({ keepBottom = false } = {}) {
    const room = this.rooms.get(this.activeRoomId);
    if (!room) return;
    const thread = this.thread(room.id);
    const box = byId('messages');
    const atBottom = keepBottom || box.scrollHeight - box.scrollTop - box.clientHeight < 60;
    byId('load-older').hidden = !(thread.loaded && thread.hasOlder);
    const nodes = [];
    let day = null;
    const items = [...thread.list.map((m) => ({ key: m._id, message: m, state: m.from === this.me ? (m.is_seen ? 'seen' : 'sent') : 'received' })),
      ...[...thread.pending.values()].map((local) => ({ key: `local:${local.clientId}`, message: { ...local.payload, created_at: local.created_at }, state: local.state, local }))];
    for (const item of items) {
      const itemDay = formatDay(item.message.created_at);
      if (itemDay !== day) {
        day = itemDay;
        const divider = this.messageNode(`day:${day}`);
        divider.className = 'day';
        divider.textContent = day;
        nodes.push(divider);
      }
      nodes.push(this.drawMessage(item));
    }
    const list = byId('message-list');
    list.replaceChildren(...nodes);
    const drawn = new Set(nodes);
    for (const [key, node] of [...this.messageNodes]) if (!drawn.has(node)) this.messageNodes.delete(key);
    if (atBottom) box.scrollTop = box.scrollHeight;
  }

  drawMessage({ key, message, state, local }) {
    const node = this.messageNode(key);
    const mine = message.from === this.me;
    if (node.dataset.key !== key) {
      node.dataset.key = key;
      node.setAttribute('data-testid', 'message');
      node.dataset.id = message._id || '';
      node.dataset.type = message.type;
      node.dataset.mine = String(mine);
      node.className = `message ${mine ? 'mine' : 'theirs'} type-${message.type.toLowerCase()}`;
      node.replaceChildren(el('div', { class: 'bubble' }, this.drawContent(message), el('span', { class: 'meta' })));
    }
    if (node.dataset.content !== message.content && message.type === 'TEXT') {
      node.querySelector('.content').textContent = message.content;
    }
    node.dataset.content = message.content;
    node.dataset.state = state;
    const meta = node.querySelector('.meta');
    const parts = [el('span', { class: 'time', text: formatTime(message.created_at) })];
    if (mine) {
      const ticks = { sending: '🕓', sent: '✓', seen: '✓✓', failed: '!' }[state];
      parts.push(el('span', { class: `ticks ${state}`, 'data-testid': 'ticks', title: state, text: ticks }));
    }
    if (local && state === 'failed') {
      parts.push(el('button', { type: 'button', class: 'retry', 'data-testid': 'retry', text: `${local.error.code} · retry`, title: local.error.message,
        onclick: () => this.deliver(local) }));
    }
    meta.replaceChildren(...parts);
    return node;
  }

  drawContent(message) {
    if (message.type === 'IMAGE') {
      const url = safeImageUrl(message.content);
      if (!url) return el('span', { class: 'content', text: `[image] ${message.content}` });
      const img = el('img', { class: 'content image', src: url, alt: 'image', loading: 'lazy', 'data-testid': 'message-image', referrerpolicy: 'no-referrer' });
      img.addEventListener('load', () => {
        const box = byId('messages');
        if (box.scrollHeight - box.scrollTop - box.clientHeight < img.height + 80) box.scrollTop = box.scrollHeight;
      });
      img.addEventListener('error', () => img.replaceWith(el('span', { class: 'content broken', text: `image not available: ${message.content}` })));
      return el('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, img);
    }
    return el('span', { class: 'content', text: message.content });
  }

  // Every refusal or failure, with the server's code and text.
  showError(err) {
    const code = err.code || 'ERROR';
    const toast = el('div', { class: 'toast', role: 'alert', 'data-testid': 'error', 'data-code': code },
      el('strong', { text: code }),
      el('span', { text: ` ${err.message || ''}` }),
      err.where ? el('small', { text: ` (${err.where})` }) : null,
      el('button', { type: 'button', class: 'close', title: 'dismiss', text: '×', onclick: () => toast.remove() }));
    byId('errors').append(toast);
    setTimeout(() => toast.remove(), ERROR_SHOWN_MS);
  }
}
