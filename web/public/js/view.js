// DOM helpers. User content is only ever set as text or as an attribute, never parsed as HTML.

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key.startsWith('data')) node.setAttribute(key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase()), value);
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) if (child !== null && child !== undefined) node.append(child);
  return node;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short' });

export function formatTime(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : timeFormat.format(date);
}

// "Today", "Yesterday" or a short date: the divider above a day's first message.
export function formatDay(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const today = new Date();
  const yesterday = new Date(today.getTime() - 86400000);
  if (date.toDateString() === today.toDateString()) return 'Today';
  if (date.toDateString() === yesterday.toDateString()) return 'Yesterday';
  return dayFormat.format(date);
}

// Room list time: the time today, else the date.
export function formatWhen(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return date.toDateString() === new Date().toDateString() ? timeFormat.format(date) : dayFormat.format(date);
}

export function formatLastSeen(iso) {
  if (!iso) return 'offline';
  const day = formatDay(iso);
  return `last seen ${day === 'Today' ? 'today' : day.toLowerCase()} at ${formatTime(iso)}`;
}

// The one-line summary of a message in the room list.
export function previewOf(message, myId) {
  if (!message) return '';
  const mine = message.from === myId ? 'You: ' : '';
  if (message.type === 'IMAGE') return `${mine}📷 Photo`;
  return mine + message.content;
}

// Image URLs users may show: http(s), or an inline data:image.
export function safeImageUrl(text) {
  try {
    const url = new URL(text, window.location.href);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.href;
    if (url.protocol === 'data:' && /^data:image\//i.test(text)) return text;
  } catch {
    // not a URL
  }
  return null;
}

export function initial(name) {
  return (String(name || '?').trim()[0] || '?').toUpperCase();
}

// A stable colour per user id, for avatars.
export function hue(id) {
  let h = 0;
  for (const c of String(id)) h = (h * 31 + c.codePointAt(0)) % 360;
  return h;
}
