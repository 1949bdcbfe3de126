// search: full-text match over the catalog (name, description, category).
export const upstreams = ['catalog'];

export const routes = {
  'GET /search': async (ctx) => {
    const q = (ctx.query.q ?? '').trim().toLowerCase();
    if (q === '') ctx.fail(400, 'bad_request', 'query parameter q is required');
    const { products } = await ctx.call('catalog', '/products');
    const words = q.split(/\s+/);
    const hits = products.filter((p) => {
      const text = `${p.name} ${p.description} ${p.category}`.toLowerCase();
      return words.every((w) => text.includes(w));
    });
    return { query: q, results: hits };
  },
};
