// pricing: list prices in cents, with a store-wide discount and currency set per environment
// (DISCOUNT_PERCENT, CURRENCY in the app's values), so a values change is visible in the shop.
const listPrices = {
  'tea-sencha': 1290,
  'tea-assam': 990,
  'tea-rooibos': 850,
  'mug-stoneware': 1800,
  'pot-cast-iron': 5900,
  'kettle-gooseneck': 7400,
  'book-tea-atlas': 2450,
  'gift-sampler': 3900,
};

function price(env, sku) {
  const list = listPrices[sku];
  if (list === undefined) return undefined;
  const discount = Number(env.DISCOUNT_PERCENT || 0);
  return { currency: env.CURRENCY || 'EUR', list, amount: Math.round((list * (100 - discount)) / 100), discountPercent: discount };
}

export const routes = {
  // ?skus=a,b → { a: {...}, b: {...} }; unknown SKUs are left out.
  'GET /prices': (ctx) => {
    const skus = ctx.query.skus ? ctx.query.skus.split(',') : Object.keys(listPrices);
    return Object.fromEntries(skus.map((s) => [s, price(ctx.env, s)]).filter(([, p]) => p));
  },
  'GET /prices/:sku': (ctx) => price(ctx.env, ctx.params.sku) ?? ctx.fail(404, 'not_found', `no price for ${ctx.params.sku}`),
};
