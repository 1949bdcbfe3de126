// orders: the order book. Kept in memory (one replica), enough to follow an order after checkout.
import { randomUUID } from 'node:crypto';

const orders = new Map();

export const routes = {
  // Body { user, items, total, chargeId, shipping }.
  'POST /orders': (ctx) => {
    const { user, items, total, chargeId, shipping } = ctx.body ?? {};
    if (!user || !Array.isArray(items) || !total || !chargeId) ctx.fail(400, 'bad_request', 'user, items, total and chargeId are required');
    const order = { id: `ord_${randomUUID().slice(0, 8)}`, user, items, total, shipping, chargeId, status: 'paid', createdAt: new Date().toISOString() };
    orders.set(order.id, order);
    return { status: 201, body: order };
  },
  'GET /orders': (ctx) => ({ orders: [...orders.values()].filter((o) => !ctx.query.user || o.user === ctx.query.user) }),
  'GET /orders/:id': (ctx) => orders.get(ctx.params.id) ?? ctx.fail(404, 'not_found', `no order ${ctx.params.id}`),
  // Called by shipping's webhook or by hand: { status: "shipped" }.
  'POST /orders/:id/status': (ctx) => {
    const order = orders.get(ctx.params.id) ?? ctx.fail(404, 'not_found', `no order ${ctx.params.id}`);
    order.status = String(ctx.body?.status ?? order.status);
    return order;
  },
};
