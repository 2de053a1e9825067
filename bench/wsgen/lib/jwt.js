'use strict';
// HS256 tokens with the same claims as cz-loadgen's (bench/loadgen/jwt.cpp): sub = user id,
// role, iat, exp. node:crypto only, so that the generator depends on nothing but `ws`.
const crypto = require('node:crypto');

const HEADER = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url');

function mintHs256Token(secret, userId, role, issuedAtS, lifetimeS) {
  const claims = JSON.stringify({ sub: userId, role, iat: issuedAtS, exp: issuedAtS + lifetimeS });
  const unsigned = `${HEADER}.${Buffer.from(claims).toString('base64url')}`;
  const mac = crypto.createHmac('sha256', secret).update(unsigned).digest('base64url');
  return `${unsigned}.${mac}`;
}

module.exports = { mintHs256Token };
