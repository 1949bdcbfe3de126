// cart: each user's basket, priced live by the pricing service. In memory, one replica.
export const upstreams = ['catalog', 'pricing'];

const carts = new Map();

async function view(ctx, user) {
  const items = carts.get(user) ?? [];
  if (items.length === 0) return { user, items: [], subtotal: { amount: 0, currency: ctx.env.CURRENCY || 'EUR' } };
  const prices = await ctx.call('pricing', `/prices?skus=${encodeURIComponent(items.map((i) => i.sku).join(','))}`);
  const lines = items.map((i) => ({ ...i, unitPrice: prices[i.sku]?.amount ?? null, lineTotal: (prices[i.sku]?.amount ?? 0) * i.quantity }));
  const currency = Object.values(prices)[0]?.currency ?? 'EUR';
  return { user, items: lines, subtotal: { amount: lines.reduce((sum, l) => sum + l.lineTotal, 0), currency } };
}

export const routes = {
  'GET /carts/:user': (ctx) => view(ctx, ctx.params.user),
  // Body { sku, quantity }: the product must exist in the catalog.
  'POST /carts/:user/items': async (ctx) => {
    const { sku, quantity = 1 } = ctx.body ?? {};
    if (typeof sku !== 'string' || !Number.isInteger(quantity) || quantity < 1) {
      ctx.fail(400, 'bad_request', 'body must be { "sku": string, "quantity": integer >= 1 }');
    }
    const product = await ctx.call('catalog', `/products/${encodeURIComponent(sku)}`);
    const items = carts.get(ctx.params.user) ?? [];
    const line = items.find((i) => i.sku === sku);
    if (line) line.quantity += quantity;
    else items.push({ sku, name: product.name, quantity });
    carts.set(ctx.params.user, items);
    return { status: 201, body: await view(ctx, ctx.params.user) };
  },
  'DELETE /carts/:user': (ctx) => {
    carts.delete(ctx.params.user);
    return { status: 204, body: '' };
  },
};
