// users: customer profiles (name, email, shipping address). A fixed set, enough for the demo.
const users = {
  alice: { id: 'alice', name: 'Alice Martin', email: 'alice@example.com', address: { city: 'Lyon', country: 'FR' }, tier: 'gold' },
  bob: { id: 'bob', name: 'Bob Okafor', email: 'bob@example.com', address: { city: 'Leeds', country: 'GB' }, tier: 'standard' },
  chen: { id: 'chen', name: 'Chen Wei', email: 'chen@example.com', address: { city: 'Berlin', country: 'DE' }, tier: 'standard' },
};

export const routes = {
  'GET /users': () => ({ users: Object.values(users).map(({ id, name }) => ({ id, name })) }),
  'GET /users/:id': (ctx) => users[ctx.params.id] ?? ctx.fail(404, 'not_found', `no user ${ctx.params.id}`),
};
