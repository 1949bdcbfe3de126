// inventory: units on hand per SKU, and reservations taken at checkout. Stock lives in memory,
// so it resets when the pod restarts; the example runs one replica.
const stock = new Map(Object.entries({
  'tea-sencha': 40,
  'tea-assam': 25,
  'tea-rooibos': 0,
  'mug-stoneware': 12,
  'pot-cast-iron': 3,
  'kettle-gooseneck': 7,
  'book-tea-atlas': 15,
  'gift-sampler': 9,
}));

export const routes = {
  'GET /stock': (ctx) => {
    const skus = ctx.query.skus ? ctx.query.skus.split(',') : [...stock.keys()];
    return Object.fromEntries(skus.filter((s) => stock.has(s)).map((s) => [s, stock.get(s)]));
  },
  'GET /stock/:sku': (ctx) => {
    if (!stock.has(ctx.params.sku)) ctx.fail(404, 'not_found', `unknown SKU ${ctx.params.sku}`);
    return { sku: ctx.params.sku, units: stock.get(ctx.params.sku) };
  },
  // Body { items: [{ sku, quantity }] }: all or nothing, so a checkout never half-reserves.
  'POST /reservations': (ctx) => {
    const items = ctx.body?.items;
    if (!Array.isArray(items) || items.length === 0) ctx.fail(400, 'bad_request', 'items must be a non-empty list');
    for (const { sku, quantity } of items) {
      if ((stock.get(sku) ?? 0) < quantity) ctx.fail(409, 'out_of_stock', `not enough ${sku} in stock`, { sku });
    }
    for (const { sku, quantity } of items) stock.set(sku, stock.get(sku) - quantity);
    return { status: 201, body: { reserved: items } };
  },
};
