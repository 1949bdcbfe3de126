// Runs the whole shop on this machine without baton, for working on the code:
//
//   node services/run-local.mjs [basePort]      # then open http://127.0.0.1:<basePort>/
//
// Each service listens on 127.0.0.1:<basePort + n> and gets the <NAME>_SERVICE_HOST/_PORT variables
// a pod would get in the cluster. Ctrl-C stops them all (each drains, as on SIGTERM).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const basePort = Number(process.argv[2] || 18100);
// The gateway first, so basePort is the shop's front door.
const services = ['gateway', 'frontend', 'auth', 'users', 'catalog', 'search', 'inventory', 'pricing', 'cart', 'checkout',
  'payments', 'orders', 'shipping', 'notifications', 'recommendations'];

// notifications is plain manifests: its script lives in the ConfigMap's `server.mjs: |` block.
function notificationsScript() {
  const yaml = readFileSync(path.join(here, '../apps/notifications/configmap.yaml'), 'utf8').split('\n');
  const start = yaml.findIndex((l) => l.trim() === 'server.mjs: |');
  const body = [];
  for (const line of yaml.slice(start + 1)) {
    if (line.trim() !== '' && !line.startsWith('    ')) break;
    body.push(line.slice(4));
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'shop-notifications-'));
  writeFileSync(path.join(dir, 'server.mjs'), body.join('\n'));
  return path.join(dir, 'server.mjs');
}

const serviceEnv = Object.fromEntries(services.flatMap((name, i) => {
  const prefix = name.toUpperCase().replace(/-/g, '_');
  return [[`${prefix}_SERVICE_HOST`, '127.0.0.1'], [`${prefix}_SERVICE_PORT`, String(basePort + i)]];
}));

const children = services.map((name, i) => {
  const args = name === 'notifications'
    ? [notificationsScript()]
    : [path.join(here, 'lib/server.mjs'), path.join(here, name, 'routes.mjs')];
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      ...serviceEnv,
      SERVICE_NAME: name,
      POD_IP: '127.0.0.1',
      PORT: String(basePort + i),
      PAYMENTS_SIGNING_KEY: 'local-dev-key',
      FREE_SHIPPING_OVER_CENTS: '5000',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.on('exit', (code, signal) => {
    if (!stopping) console.error(`${name} exited (${signal ?? code})`);
  });
  return child;
});

let stopping = false;
function stop() {
  stopping = true;
  for (const c of children) c.kill('SIGTERM');
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
console.log(`shop: http://127.0.0.1:${basePort}/  (api: /api/products, /api/status)`);
