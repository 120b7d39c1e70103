// A real OpenID provider for the tests and the demo (the certified npm `oidc-provider`), on
// loopback. One client is registered: the arguments give its id, secret and redirect address.
// Its sign-in page asks for an email address and a name: whoever types an address is that
// person (their `sub` is made from it), with `email_verified: true`.
//
//   node end2end/oidc-provider.mjs <port> <client id> <client secret> <redirect uri> [--readable]
//
// Port 0 takes any free one. The issuer (http://127.0.0.1:<port>) is printed first as
// { issuer } (or, with --readable, as a sentence). For the tests, POST /_test/mode with a body
// `mode=<mode>` spoils the ID tokens the token endpoint gives from then on, re-signed with the
// provider's own key unless the point is the signature: `bad-signature`, `wrong-audience`,
// `expired`, `wrong-nonce`, `unverified-email`, `wrong-issuer`, or `none`.
import http from 'node:http';
import crypto from 'node:crypto';
import { CompactSign, exportJWK, generateKeyPair, importJWK } from 'jose';
import Provider from 'oidc-provider';

const [port = '0', clientId = 'peerwall', clientSecret = 'peerwall-test-secret', redirect = 'http://127.0.0.1:3000/auth/oidc/callback'] =
  process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const readable = process.argv.includes('--readable');

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const signingJwk = { ...(await exportJWK(privateKey)), kid: 'test-key-1', alg: 'RS256', use: 'sig' };
const signingKey = await importJWK(signingJwk, 'RS256');

/** Accounts by `sub`, made as people sign in. */
const accounts = new Map();
const subFor = (email) => `user-${crypto.createHash('sha256').update(email).digest('hex').slice(0, 16)}`;

let mode = 'none';

const server = http.createServer();
await new Promise((resolve) => server.listen(Number(port), '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirect],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [signingJwk] },
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  // The claims in the ID token itself, as Microsoft Entra ID gives them.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, sub) {
    const account = accounts.get(sub);
    if (!account) return undefined;
    return {
      accountId: sub,
      async claims() {
        return { sub, email: account.email, email_verified: true, name: account.name };
      },
    };
  },
});
provider.proxy = false;

const base64url = (bytes) => Buffer.from(bytes).toString('base64url');

/** The ID token as the current mode spoils it. */
async function spoil(idToken) {
  const [header, payload, signature] = idToken.split('.');
  if (mode === 'bad-signature') {
    const bytes = Buffer.from(signature, 'base64url');
    bytes[0] ^= 0xff;
    return `${header}.${payload}.${base64url(bytes)}`;
  }
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  const now = Math.floor(Date.now() / 1000);
  if (mode === 'wrong-audience') claims.aud = 'another-application';
  if (mode === 'expired') Object.assign(claims, { iat: now - 1200, exp: now - 600 });
  if (mode === 'wrong-nonce') claims.nonce = 'not-the-nonce-sent';
  if (mode === 'unverified-email') claims.email_verified = false;
  if (mode === 'wrong-issuer') claims.iss = 'http://127.0.0.1:1';
  const protectedHeader = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
  return new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
    .setProtectedHeader(protectedHeader)
    .sign(signingKey);
}

provider.use(async (ctx, next) => {
  await next();
  if (ctx.path === '/token' && mode !== 'none' && ctx.body?.id_token) {
    ctx.body = { ...ctx.body, id_token: await spoil(ctx.body.id_token) };
  }
});

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(res, uid, error = '') {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in to your organisation</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:26rem;margin:3rem auto;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.5rem}label{display:block;margin-top:1rem;font-weight:600}input{width:100%;padding:.5rem;font:inherit;box-sizing:border-box}
button{margin-top:1.5rem;padding:.6rem 1.2rem;font:inherit;background:#0f4c81;color:#fff;border:0;border-radius:4px}
.note{color:#444;font-size:.9rem}.error{color:#a4000f}</style></head><body>
<h1>Sign in to your organisation</h1>
<p class="note">A test identity provider for Peerwall: whoever you say you are, it vouches for.</p>
${error ? `<p class="error" role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<label for="email">Work email</label><input id="email" name="email" type="email" autocomplete="username" required>
<label for="name">Name</label><input id="name" name="name" autocomplete="name">
<button type="submit">Sign in</button></form></body></html>`);
}

async function body(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

// Whoever started it may stop reading: that is no reason to stop.
process.stdout.on('error', () => {});

const callback = provider.callback();
server.on('request', async (req, res) => {
  try {
    const url = new URL(req.url, issuer);
    if (url.pathname === '/_test/mode' && req.method === 'POST') {
      mode = (await body(req)).get('mode') ?? 'none';
      res.writeHead(204).end();
      return;
    }
    const login = /^\/interaction\/([^/]+)\/login$/.exec(url.pathname);
    if (login && req.method === 'POST') {
      const form = await body(req);
      const email = (form.get('email') ?? '').trim().toLowerCase();
      if (!email.includes('@')) return page(res, login[1], 'Enter your work email address.');
      const details = await provider.interactionDetails(req, res);
      const sub = subFor(email);
      accounts.set(sub, { email, name: (form.get('name') ?? '').trim() || undefined });
      const grant = new provider.Grant({ accountId: sub, clientId: details.params.client_id });
      grant.addOIDCScope('openid email profile');
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { login: { accountId: sub }, consent: { grantId } }, { mergeWithLastSubmission: false });
      return;
    }
    const interaction = /^\/interaction\/([^/]+)$/.exec(url.pathname);
    if (interaction && req.method === 'GET') {
      const details = await provider.interactionDetails(req, res);
      return page(res, details.uid);
    }
    callback(req, res);
  } catch (error) {
    res.writeHead(400, { 'content-type': 'text/plain' });
    res.end(`The test provider could not do that: ${error.message}`);
  }
});

process.stdout.write(readable
  ? `OpenID provider on ${issuer}: "Sign in with your organisation" signs in whoever you type\n`
  : `${JSON.stringify({ issuer })}\n`);
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
