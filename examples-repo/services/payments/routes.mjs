// payments: charges a customer (a sandbox: every charge under the limit succeeds) and signs a
// receipt with PAYMENTS_SIGNING_KEY, which its chart delivers from a Secret.
import { createHmac, randomUUID } from 'node:crypto';

const charges = new Map();

export const routes = {
  // Body { user, amount, currency, reference }.
  'POST /charges': (ctx) => {
    const { user, amount, currency, reference } = ctx.body ?? {};
    if (!user || !Number.isInteger(amount) || amount <= 0 || !currency) {
      ctx.fail(400, 'bad_request', 'user, amount (integer cents > 0) and currency are required');
    }
    const limit = Number(ctx.env.MAX_CHARGE_CENTS || 50000);
    if (amount > limit) ctx.fail(402, 'payment_declined', `amount over the ${limit} cent limit`);
    if (!ctx.env.PAYMENTS_SIGNING_KEY) ctx.fail(503, 'not_configured', 'PAYMENTS_SIGNING_KEY is not set');
    const charge = { id: `ch_${randomUUID()}`, user, amount, currency, reference, status: 'succeeded', createdAt: new Date().toISOString() };
    charge.receipt = createHmac('sha256', ctx.env.PAYMENTS_SIGNING_KEY).update(`${charge.id}:${amount}:${currency}`).digest('hex');
    charges.set(charge.id, charge);
    return { status: 201, body: charge };
  },
  'GET /charges/:id': (ctx) => charges.get(ctx.params.id) ?? ctx.fail(404, 'not_found', `no charge ${ctx.params.id}`),
};
