'use strict';
// The web client in two browser windows, a buyer and a seller, against the real server with
// --dev-tokens: sign-in, a room opened with a seller id, typing, unread counts, seen ticks,
// emoji and images, a refused request shown with its code, history paging after a reload, and a
// server restart with the reconnect banner and catch-up. Screenshots go to build/browser-artifacts.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, connect, emitWithAck, closeAllSockets } = require('../e2e/lib/harness');
const { launchChromium, openWindow, signIn, connected, room, message, sendText, until, screenshot, sideBySide } =
  require('./lib/browser');

const ROOM = 'alice.bob';

// The message whose text is exactly `text`.
function content(page, text) {
  return page.locator('[data-testid=message] .content', { hasText: new RegExp(`^${text}$`) });
}

async function devToken(srv, userId, role) {
  const res = await fetch(`${srv.url}/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user_id: userId, role }),
  });
  assert.equal(res.status, 200);
  return (await res.json()).token;
}

describe('web client: a buyer and a seller in two windows', { timeout: 120000 }, () => {
  let srv;
  let browser;
  let buyer;
  let seller;

  before(async () => {
    srv = await startServer({ store: 'sqlite', args: ['--dev-tokens'] });
    browser = await launchChromium();
    buyer = await openWindow(browser, srv);
    seller = await openWindow(browser, srv);
  });

  after(async () => {
    closeAllSockets();
    if (browser) await browser.close();
    if (srv) await srv.stop();
  });

  it('both sign in with development tokens', { timeout: 30000 }, async () => {
    await screenshot(buyer, '01-sign-in');
    await signIn(buyer, 'alice', 'BUYER');
    await signIn(seller, 'bob', 'SELLER');
    await buyer.getByText('No conversations yet.').waitFor();
  });

  it('a refused request is shown with the server’s code and text', { timeout: 20000 }, async () => {
    await buyer.getByTestId('new-room-partner').fill('alice');
    await buyer.getByTestId('new-room-submit').click();
    const error = buyer.locator('[data-testid=error][data-code=VALIDATION_ERROR]');
    await error.waitFor();
    assert.match(await error.textContent(), /Buyer is the same to seller/);
    await error.locator('.close').click();
    await error.waitFor({ state: 'detached' });
  });

  it('the buyer opens a room with a seller id; it appears on both sides, partners online', { timeout: 20000 }, async () => {
    await buyer.getByTestId('new-room-partner').fill('bob');
    await buyer.getByTestId('new-room-submit').click();
    await buyer.locator(`[data-testid=room].active[data-room-id="${ROOM}"]`).waitFor();
    await buyer.locator('[data-testid=room-title]', { hasText: 'bob' }).waitFor();
    await room(seller, ROOM).waitFor();
    await room(seller, ROOM).locator('[data-testid=online-dot][data-online=true]').waitFor();
    await room(buyer, ROOM).locator('[data-testid=online-dot][data-online=true]').waitFor();
    await buyer.locator('[data-testid=room-status]', { hasText: 'online' }).waitFor();
  });

  it('the seller sees the buyer typing, then the message with an unread count', { timeout: 30000 }, async () => {
    const typingShown = room(seller, ROOM).locator('[data-testid=room-preview]', { hasText: 'typing…' }).waitFor();
    // Keep typing until the seller sees it (the indicator goes away a few seconds after the
    // last key, so a slow machine must not miss it).
    let seen = false;
    typingShown.then(() => (seen = true), () => (seen = true));
    const composer = buyer.getByTestId('composer-input');
    for (let i = 0; !seen && i < 100; i++) {
      await composer.press('x');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await typingShown;

    await sendText(buyer, 'Hello Bob! Is the blue bicycle still available?');
    await message(buyer, 'blue bicycle', '[data-state=sent]').waitFor();
    await room(seller, ROOM).locator('[data-testid=room-preview]', { hasText: 'blue bicycle' }).waitFor();
    await room(seller, ROOM).locator('[data-testid=unread]', { hasText: '1' }).waitFor();
    await screenshot(seller, '02-seller-unread');
  });

  it('opening the room marks it seen: the badge goes, the buyer gets the seen ticks', { timeout: 20000 }, async () => {
    await room(seller, ROOM).click();
    await message(seller, 'blue bicycle', '[data-mine=false]').waitFor();
    await room(seller, ROOM).locator('[data-testid=unread]').waitFor({ state: 'detached' });
    await message(buyer, 'blue bicycle', '[data-state=seen]').waitFor();
  });

  it('text, emoji and an image by URL go both ways', { timeout: 30000 }, async () => {
    await sendText(seller, 'Hi Alice! Yes, it is. Here is a picture:');
    await seller.getByTestId('image-toggle').click();
    await seller.getByTestId('image-url').fill(`${srv.url}/assets/logo.svg`);
    await seller.getByTestId('image-send').click();
    const image = buyer.locator('[data-testid=message][data-type=IMAGE] img[data-testid=message-image]');
    await image.waitFor();
    await until(() => image.evaluate((img) => img.complete && img.naturalWidth > 0), 'the image to load');

    await buyer.getByTestId('emoji-toggle').click();
    await buyer.locator('[data-testid=emoji]', { hasText: '👍' }).click();
    await seller.locator('[data-testid=message][data-type=EMOJI]', { hasText: '👍' }).waitFor();
    await sendText(buyer, 'Great, I will take it 🚲');
    await message(seller, 'I will take it').waitFor();
    // Both have the room open: everything is seen on both sides.
    await message(buyer, 'I will take it', '[data-state=seen]').waitFor();
    await seller.locator('[data-testid=message][data-type=IMAGE][data-state=seen]').waitFor();
    await room(buyer, ROOM).locator('[data-testid=room-preview]', { hasText: 'I will take it' }).waitFor();
    const buyerShot = await screenshot(buyer, '03-buyer-conversation');
    const sellerShot = await screenshot(seller, '03-seller-conversation');
    await sideBySide(browser, [buyerShot, sellerShot], 'chat-side-by-side');
  });

  it('after a reload the history is there, older pages load over REST', { timeout: 40000 }, async () => {
    // 30 more messages from the buyer's other client, so that the history has several pages.
    const other = await connect(`${srv.url}/messenger`, {
      auth: { token: await devToken(srv, 'alice', 'BUYER'), user_id: 'alice', user_role: 'BUYER' },
    });
    for (let i = 1; i <= 30; i++) {
      const reply = await emitWithAck(other, 'new_message', {
        room_id: ROOM, from: 'alice', to: 'bob', type: 'TEXT', content: `history ${i}`, client_message_id: `h${i}`,
      });
      assert.equal(reply.error, undefined, JSON.stringify(reply.error));
    }
    other.close();
    await content(seller, 'history 30').waitFor();

    await buyer.reload();
    await connected(buyer);
    await room(buyer, ROOM).click();
    await content(buyer, 'history 30').waitFor();
    await content(buyer, 'history 11').waitFor();
    assert.equal(await content(buyer, 'history 10').count(), 0, 'the first page holds the newest 20 only');
    await buyer.getByTestId('load-older').click();
    await content(buyer, 'history 1').waitFor();
    await message(buyer, 'blue bicycle').waitFor();
    await buyer.getByTestId('load-older').waitFor({ state: 'hidden' });
    const total = await buyer.locator('[data-testid=message]').count();
    assert.equal(total, 35); // 5 in the conversation above, 30 added
  });

  it('a server restart: the banner shows, and the messages sent meanwhile arrive once', { timeout: 60000 }, async () => {
    // The buyer's reconnection is held back (its Engine.IO handshakes fail) until the seller has
    // written while the buyer was away; only `sync` can then bring those messages.
    await buyer.route('**/socket.io/**', (route) => route.abort());
    await srv.restart();
    await buyer.getByTestId('reconnect-banner').waitFor({ state: 'visible' });
    await seller.getByTestId('reconnect-banner').waitFor({ state: 'hidden' });
    await connected(seller);
    await sendText(seller, 'Sent while you were offline');
    await sendText(seller, 'Pick-up is on Saturday');
    await message(seller, 'Pick-up is on Saturday', '[data-state=sent]').waitFor();
    await screenshot(buyer, '04-buyer-reconnecting');

    await buyer.unroute('**/socket.io/**');
    await connected(buyer);
    await buyer.getByTestId('reconnect-banner').waitFor({ state: 'hidden' });
    await message(buyer, 'Pick-up is on Saturday').waitFor();
    assert.equal(await message(buyer, 'Sent while you were offline').count(), 1);
    assert.equal(await message(buyer, 'Pick-up is on Saturday').count(), 1);
    // The buyer reads them in the open room: the seller sees them seen.
    await message(seller, 'Pick-up is on Saturday', '[data-state=seen]').waitFor();
    await screenshot(buyer, '05-buyer-caught-up');
  });

  it('no uncaught error in either page', () => {
    assert.deepEqual(buyer.pageErrors.map(String), []);
    assert.deepEqual(seller.pageErrors.map(String), []);
  });
});
