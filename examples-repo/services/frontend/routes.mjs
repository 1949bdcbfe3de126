// frontend: the storefront page, composed from the catalog and recommendations. Recommendations
// are optional: without them the page still renders, just without the "you may also like" row.
export const upstreams = ['catalog', 'recommendations'];

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const money = (p) => (p ? `${(p.amount / 100).toFixed(2)} ${p.currency}` : 'price unavailable');

async function storefront(ctx) {
  const user = ctx.query.user || 'guest';
  const [catalog, recs] = await Promise.all([
    ctx.call('catalog', '/products'),
    ctx.call('recommendations', `/recommendations?user=${encodeURIComponent(user)}`).catch((err) => {
      ctx.log({ level: 'warn', msg: 'recommendations unavailable', error: err.message });
      return { recommendations: [] };
    }),
  ]);
  return { user, banner: ctx.env.BANNER || '', products: catalog.products, recommendations: recs.recommendations };
}

function page(data, version) {
  const rows = data.products.map((p) => `<li><b>${escape(p.name)}</b> — ${escape(p.description)} — ${money(p.price)}` +
    `${p.inStock === false ? ' <i>(sold out)</i>' : ''}</li>`).join('\n');
  const recs = data.recommendations.map((r) => `<li>${escape(r.name)} — ${money(r.price)}</li>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Baton Tea Shop</title></head>
<body>
<h1>Baton Tea Shop</h1>
${data.banner ? `<p><strong>${escape(data.banner)}</strong></p>` : ''}
<ul>
${rows}
</ul>
${recs ? `<h2>You may also like</h2>\n<ul>\n${recs}\n</ul>` : ''}
<p><small>frontend ${escape(version)} · <a href="/api/status">service versions</a></small></p>
</body></html>
`;
}

export const routes = {
  'GET /': async (ctx) => page(await storefront(ctx), ctx.env.APP_VERSION || 'dev'),
  'GET /api/storefront': (ctx) => storefront(ctx),
};
