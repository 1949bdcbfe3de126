// shipping: delivery quotes by destination country, and shipments with a tracking number.
import { randomUUID } from 'node:crypto';

const rates = { FR: 490, DE: 590, GB: 890 };
const shipments = new Map();

function quote(env, country, items, subtotal) {
  const base = rates[country] ?? Number(env.INTERNATIONAL_RATE_CENTS || 1490);
  const freeOver = Number(env.FREE_SHIPPING_OVER_CENTS || 0);
  const free = freeOver > 0 && subtotal >= freeOver;
  return { country, items, currency: env.CURRENCY || 'EUR', amount: free ? 0 : base + (items - 1) * 100 };
}

export const routes = {
  // ?country=FR&items=3&subtotal=4200 (cents).
  'GET /quote': (ctx) => quote(ctx.env, (ctx.query.country || 'FR').toUpperCase(),
    Math.max(1, Number(ctx.query.items) || 1), Number(ctx.query.subtotal) || 0),
  // Body { orderId, address }.
  'POST /shipments': (ctx) => {
    const { orderId, address } = ctx.body ?? {};
    if (!orderId || !address) ctx.fail(400, 'bad_request', 'orderId and address are required');
    const shipment = { id: randomUUID(), orderId, address, tracking: `BTN${Date.now().toString(36).toUpperCase()}`, status: 'label_created' };
    shipments.set(shipment.id, shipment);
    return { status: 201, body: shipment };
  },
  'GET /shipments/:id': (ctx) => shipments.get(ctx.params.id) ?? ctx.fail(404, 'not_found', `no shipment ${ctx.params.id}`),
};
