'use strict';
// Debian's chromium driven by playwright-core (never a downloaded browser), and the page
// actions the browser tests share. Every wait is for a DOM state, with generous timeouts.
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');
const { REPO_ROOT } = require('../../e2e/lib/harness');
const { waitUntil } = require('../../e2e/lib/util');

const CHROMIUM = process.env.CZ_CHROMIUM || '/usr/bin/chromium';
const ARTIFACTS = process.env.CZ_BROWSER_ARTIFACTS || path.join(REPO_ROOT, 'build', 'browser-artifacts');
const TIMEOUT_MS = 20000;

async function launchChromium() {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`no chromium at ${CHROMIUM}: scripts/setup.sh installs Debian's (or set CZ_CHROMIUM)`);
  }
  const args = ['--disable-dev-shm-usage'];
  // Chromium's sandbox refuses to run as root (CI runs as root).
  if (typeof process.getuid === 'function' && process.getuid() === 0) args.push('--no-sandbox');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args, timeout: 60000 });
}

// A browser window of its own (own storage) with the page open, errors collected.
async function openWindow(browser, srv, { width = 640, height = 600 } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1 });
  context.setDefaultTimeout(TIMEOUT_MS);
  const page = await context.newPage();
  page.pageErrors = [];
  page.on('pageerror', (err) => page.pageErrors.push(err));
  await page.goto(`${srv.url}/`);
  return page;
}

async function signIn(page, userId, role) {
  await page.locator('#dev-signin').waitFor({ state: 'visible' });
  await page.getByTestId('dev-user-id').fill(userId);
  await page.getByTestId(role === 'SELLER' ? 'dev-role-seller' : 'dev-role-buyer').check();
  await page.getByTestId('dev-signin').click();
  await page.locator('[data-testid=me]', { hasText: userId }).waitFor();
  await connected(page);
}

function connected(page) {
  return page.locator('[data-testid=connection][data-state=connected]').waitFor({ state: 'attached' });
}

function room(page, roomId) {
  return page.locator(`[data-testid=room][data-room-id="${roomId}"]`);
}

// A message whose text contains `text`; matched on the text alone, not the time beside it
// ("history 3" + "09:48" would otherwise match "history 30").
function message(page, text, attributes = '') {
  return page.locator(`[data-testid=message]${attributes}`).filter({ has: page.locator('.content', { hasText: text }) });
}

async function sendText(page, text) {
  await page.getByTestId('composer-input').fill(text);
  await page.getByTestId('composer-input').press('Enter');
}

// Polls `check` (async, truthy when done) until it holds; for states no single selector names.
function until(check, what, timeoutMs = TIMEOUT_MS) {
  return waitUntil(check, `timed out waiting for ${what}`, timeoutMs);
}

async function screenshot(page, name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

// Two windows' screenshots side by side in one image (what the README shows).
async function sideBySide(browser, files, name) {
  const images = files.map((f) => `<img src="data:image/png;base64,${fs.readFileSync(f).toString('base64')}">`);
  const page = await browser.newPage({ viewport: { width: 1304, height: 616 }, deviceScaleFactor: 1 });
  await page.setContent(
    `<body style="margin:0;padding:8px;display:flex;gap:8px;background:#94a3b8">${images.join('')}</body>`,
  );
  await page.waitForFunction(() => [...document.images].every((i) => i.complete && i.naturalWidth > 0));
  const file = await screenshot(page, name);
  await page.close();
  return file;
}

module.exports = { launchChromium, openWindow, signIn, connected, room, message, sendText, until, screenshot, sideBySide, ARTIFACTS };
