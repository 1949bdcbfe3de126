// checkout: turns a signed-in user's cart into a paid, shipped order. Steps run in order and
// stop at the first failure; sending the confirmation is best effort and never fails an order.
export const upstreams = ['auth', 'cart', 'users', 'shipping', 'inventory', 'payments', 'orders', 'notifications'];

export const routes = {
  // Header Authorization: Bearer <token from auth's /login>.
  'POST /checkout': async (ctx) => {
    const { user } = await ctx.call('auth', '/verify', { headers: { authorization: ctx.headers.authorization ?? '' } });
    const cart = await ctx.call('cart', `/carts/${encodeURIComponent(user)}`);
    if (cart.items.length === 0) ctx.fail(409, 'empty_cart', `the cart of ${user} is empty`);
    const profile = await ctx.call('users', `/users/${encodeURIComponent(user)}`);
    const units = cart.items.reduce((n, i) => n + i.quantity, 0);
    const shipping = await ctx.call('shipping',
      `/quote?country=${profile.address.country}&items=${units}&subtotal=${cart.subtotal.amount}`);
    const items = cart.items.map(({ sku, quantity, unitPrice }) => ({ sku, quantity, unitPrice }));
    await ctx.call('inventory', '/reservations', { method: 'POST', body: { items } });
    const total = { amount: cart.subtotal.amount + shipping.amount, currency: cart.subtotal.currency };
    const charge = await ctx.call('payments', '/charges', {
      method: 'POST',
      body: { user, amount: total.amount, currency: total.currency, reference: `cart-${user}` },
    });
    const order = await ctx.call('orders', '/orders', {
      method: 'POST',
      body: { user, items, total, chargeId: charge.id, shipping: { amount: shipping.amount, country: profile.address.country } },
    });
    const shipment = await ctx.call('shipping', '/shipments', { method: 'POST', body: { orderId: order.id, address: profile.address } });
    await ctx.call('notifications', '/notifications', {
      method: 'POST',
      body: { user, channel: 'email', to: profile.email, message: `Order ${order.id} is paid; tracking ${shipment.tracking}` },
    }).catch((err) => ctx.log({ level: 'warn', msg: 'confirmation not sent', orderId: order.id, error: err.message }));
    await ctx.call('cart', `/carts/${encodeURIComponent(user)}`, { method: 'DELETE' });
    return { status: 201, body: { order, tracking: shipment.tracking } };
  },
};
