// recommendations: "you may also like", a stable pick per user from the products in stock.
export const upstreams = ['catalog'];

function score(user, sku) {
  let h = 0;
  for (const c of `${user}:${sku}`) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h;
}

export const routes = {
  'GET /recommendations': async (ctx) => {
    const user = ctx.query.user || 'guest';
    const limit = Math.min(Number(ctx.query.limit || ctx.env.RECOMMENDATION_LIMIT || 3), 10);
    const { products } = await ctx.call('catalog', '/products');
    const picks = products
      .filter((p) => p.inStock !== false)
      .sort((a, b) => score(user, a.sku) - score(user, b.sku))
      .slice(0, limit)
      .map(({ sku, name, price }) => ({ sku, name, price }));
    return { user, recommendations: picks };
  },
};
