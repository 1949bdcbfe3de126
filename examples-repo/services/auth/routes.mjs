// auth: signs in a known user and issues a signed bearer token; other services ask /verify.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const upstreams = ['users'];

function sign(env, payload) {
  // The key comes from the environment's values; a real team would mount it from a Secret.
  return createHmac('sha256', env.TOKEN_SIGNING_KEY || 'dev-only-key').update(payload).digest('base64url');
}

export const routes = {
  // Body { user }: no passwords in the demo shop, but the user must exist.
  'POST /login': async (ctx) => {
    const id = ctx.body?.user;
    if (typeof id !== 'string') ctx.fail(400, 'bad_request', 'body must be { "user": "<id>" }');
    const user = await ctx.call('users', `/users/${encodeURIComponent(id)}`);
    const ttl = Number(ctx.env.TOKEN_TTL_SECONDS || 3600);
    const payload = Buffer.from(JSON.stringify({ sub: user.id, exp: Math.floor(Date.now() / 1000) + ttl })).toString('base64url');
    return { token: `${payload}.${sign(ctx.env, payload)}`, user: { id: user.id, name: user.name }, expiresIn: ttl };
  },
  'GET /verify': (ctx) => {
    const token = (ctx.headers.authorization ?? '').replace(/^Bearer /, '');
    const [payload, signature = ''] = token.split('.');
    const expected = sign(ctx.env, payload ?? '');
    const valid = payload && signature.length === expected.length && timingSafeEqual(Buffer.from(signature), Buffer.from(expected));
    if (!valid) ctx.fail(401, 'unauthorized', 'missing or invalid token');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (claims.exp < Date.now() / 1000) ctx.fail(401, 'unauthorized', 'token expired');
    return { user: claims.sub };
  },
};
