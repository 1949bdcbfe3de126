// catalog: the product list, each product joined with its price (pricing) and stock (inventory).
// Pricing is required (no price, no sale); inventory is optional, so the shop stays up without it.
export const upstreams = ['pricing', 'inventory'];

const products = [
  { sku: 'tea-sencha', name: 'Sencha green tea', category: 'tea', description: 'Steamed Japanese green tea, 100 g' },
  { sku: 'tea-assam', name: 'Assam black tea', category: 'tea', description: 'Malty breakfast tea, 250 g' },
  { sku: 'tea-rooibos', name: 'Rooibos', category: 'tea', description: 'Caffeine-free red bush tea, 100 g' },
  { sku: 'mug-stoneware', name: 'Stoneware mug', category: 'kitchen', description: 'Hand-glazed, 350 ml' },
  { sku: 'pot-cast-iron', name: 'Cast iron teapot', category: 'kitchen', description: 'Tetsubin, 0.8 l' },
  { sku: 'kettle-gooseneck', name: 'Gooseneck kettle', category: 'kitchen', description: 'Temperature control, 1 l' },
  { sku: 'book-tea-atlas', name: 'The Tea Atlas', category: 'books', description: 'Where tea grows and how it is made' },
  { sku: 'gift-sampler', name: 'Tasting sampler', category: 'gifts', description: 'Twelve teas in tins' },
];

async function withPricesAndStock(ctx, items) {
  const skus = items.map((p) => p.sku).join(',');
  const [prices, stock] = await Promise.all([
    ctx.call('pricing', `/prices?skus=${encodeURIComponent(skus)}`),
    ctx.call('inventory', `/stock?skus=${encodeURIComponent(skus)}`).catch((err) => {
      ctx.log({ level: 'warn', msg: 'inventory unavailable, serving products without stock', error: err.message });
      return null;
    }),
  ]);
  return items.map((p) => ({
    ...p,
    price: prices[p.sku] ?? null,
    inStock: stock ? (stock[p.sku] ?? 0) > 0 : null,
  }));
}

export const routes = {
  'GET /products': async (ctx) => {
    const category = ctx.query.category;
    const items = category ? products.filter((p) => p.category === category) : products;
    return { products: await withPricesAndStock(ctx, items) };
  },
  'GET /products/:sku': async (ctx) => {
    const product = products.find((p) => p.sku === ctx.params.sku);
    if (!product) ctx.fail(404, 'not_found', `no product ${ctx.params.sku}`);
    const [withPrice] = await withPricesAndStock(ctx, [product]);
    return withPrice;
  },
};
