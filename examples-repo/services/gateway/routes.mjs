// gateway: the shop's only public entry (its Ingress is shop.localhost). `/` is the storefront
// page, `/api/*` routes to the backends, `/api/status` reports every service's version.
export const upstreams = ['frontend', 'catalog', 'search', 'recommendations', 'cart', 'checkout', 'orders', 'auth'];

const q = (s) => encodeURIComponent(s);
// Passes the caller's query string on: path + "?a=b", or just path.
const withQuery = (path, query) => (Object.keys(query).length ? `${path}?${new URLSearchParams(query)}` : path);

export const routes = {
  'GET /': (ctx) => ctx.call('frontend', withQuery('/', ctx.query)),
  'GET /api/products': (ctx) => ctx.call('catalog', withQuery('/products', ctx.query)),
  'GET /api/products/:sku': (ctx) => ctx.call('catalog', `/products/${q(ctx.params.sku)}`),
  'GET /api/search': (ctx) => ctx.call('search', withQuery('/search', ctx.query)),
  'GET /api/recommendations': (ctx) => ctx.call('recommendations', withQuery('/recommendations', ctx.query)),
  'POST /api/login': (ctx) => ctx.call('auth', '/login', { method: 'POST', body: ctx.body }),
  'GET /api/cart/:user': (ctx) => ctx.call('cart', `/carts/${q(ctx.params.user)}`),
  'POST /api/cart/:user/items': async (ctx) =>
    ({ status: 201, body: await ctx.call('cart', `/carts/${q(ctx.params.user)}/items`, { method: 'POST', body: ctx.body }) }),
  'POST /api/checkout': async (ctx) => ({
    status: 201,
    body: await ctx.call('checkout', '/checkout', { method: 'POST', headers: { authorization: ctx.headers.authorization ?? '' } }),
  }),
  'GET /api/orders/:id': (ctx) => ctx.call('orders', `/orders/${q(ctx.params.id)}`),
  // Which version of each service answers right now: handy while watching a rollout.
  'GET /api/status': async (ctx) => {
    const results = await Promise.all(ctx.upstreams.map((name) => ctx.call(name, '/version')
      .then((v) => [name, { version: v.version, pod: v.pod }])
      .catch((err) => [name, { error: err.message }])));
    return { gateway: ctx.env.APP_VERSION || 'dev', services: Object.fromEntries(results) };
  },
};
