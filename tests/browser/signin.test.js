'use strict';
// Sign-in without --dev-tokens, as in production: the development form is hidden, a token comes
// from the URL fragment (removed from the address bar) or the paste box, and a token the server
// refuses brings the user back to the sign-in with the server's code and reason.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { startServer } = require('../e2e/lib/harness');
const { launchChromium, openWindow, connected } = require('./lib/browser');

const SECRET = 'browser-signin-secret';

// An HS256 JWT, as the marketplace's backend would issue it.
function token(sub, role, secret = SECRET) {
  const part = (obj) => Buffer.from(JSON.stringify(obj)).toString('base64url');
  const input = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub, role, exp: Math.floor(Date.now() / 1000) + 3600 })}`;
  return `${input}.${crypto.createHmac('sha256', secret).update(input).digest('base64url')}`;
}

describe('web client sign-in with a real secret', { timeout: 60000 }, () => {
  let srv;
  let browser;
  before(async () => {
    srv = await startServer({ store: 'sqlite', args: ['--jwt-secret', SECRET] });
    browser = await launchChromium();
  });
  after(async () => {
    if (browser) await browser.close();
    if (srv) await srv.stop();
  });

  it('a token in the URL fragment signs in, and leaves the address bar', { timeout: 20000 }, async () => {
    const page = await openWindow(browser, srv);
    await page.goto(`${srv.url}/#token=${token('carol', 'SELLER')}&user_id=carol&role=SELLER`);
    await page.locator('[data-testid=me]', { hasText: 'carol · seller' }).waitFor();
    await connected(page);
    assert.equal(new URL(page.url()).hash, '');
    assert.equal(await page.locator('#dev-signin').isVisible(), false);
    await page.context().close();
  });

  it('a pasted token fills in its user and role; a refused one is shown with its reason', { timeout: 20000 }, async () => {
    const page = await openWindow(browser, srv);
    await page.getByTestId('token-input').waitFor();
    assert.equal(await page.locator('#dev-signin').isVisible(), false, 'no development sign-in without --dev-tokens');

    await page.getByTestId('token-input').fill(token('dave', 'BUYER', 'not-the-secret'));
    assert.equal(await page.getByTestId('token-user-id').inputValue(), 'dave');
    assert.equal(await page.getByTestId('token-role').inputValue(), 'BUYER');
    await page.getByTestId('token-signin').click();
    const error = page.locator('[data-testid=signin-error][data-code=UNAUTHORIZED]');
    await error.waitFor();
    assert.match(await error.textContent(), /bad signature/);

    await page.getByTestId('token-input').fill(token('dave', 'BUYER'));
    await page.getByTestId('token-signin').click();
    await page.locator('[data-testid=me]', { hasText: 'dave · buyer' }).waitFor();
    await connected(page);
    await page.reload();
    await page.locator('[data-testid=me]', { hasText: 'dave · buyer' }).waitFor();
    await page.getByTestId('signout').click();
    await page.getByTestId('token-input').waitFor();
    assert.deepEqual(page.pageErrors.map(String), []);
    await page.context().close();
  });
});
