import { stringify } from 'yaml';

/**
 * A tiny HTTP server as a Deployment + Service, the workload every runtime
 * end-to-end test drives. The server answers `/` with $VERSION, `/ready`
 * with 503 while $BROKEN is set, and on SIGTERM stops accepting, finishes the
 * requests in flight and closes its keep-alive connections (each later
 * response says `Connection: close`), as a well-behaved pod should.
 */
export const SERVER = `
const http = require('http');
let closing = false;
const server = http.createServer((req, res) => {
  if (req.url === '/ready') { res.statusCode = process.env.BROKEN ? 503 : 200; return res.end(); }
  if (closing) res.setHeader('connection', 'close');
  res.end(process.env.VERSION);
});
server.listen(+process.env.PORT, process.env.POD_IP);
process.on('SIGTERM', () => { closing = true; server.close(() => process.exit(0)); server.closeIdleConnections(); });
`;

export interface WebAppOptions {
  name: string;
  namespace: string;
  /** Every pod process gets E2E_MARK=<marker>, so a /proc scan finds exactly this test's processes. */
  marker: string;
  version: string;
  replicas?: number;
  containerPort: number;
  servicePort: number;
  /** @defaultValue 600 (Kubernetes' default) */
  progressDeadlineSeconds?: number;
}

/** Deployment + Service as one YAML stream for `kubectl apply -f -`. */
export function webAppManifest(o: WebAppOptions): string {
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: o.name, namespace: o.namespace },
    spec: {
      replicas: o.replicas ?? 3,
      progressDeadlineSeconds: o.progressDeadlineSeconds ?? 600,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      selector: { matchLabels: { app: o.name } },
      template: {
        metadata: { labels: { app: o.name } },
        spec: {
          terminationGracePeriodSeconds: 10,
          containers: [
            {
              name: 'web',
              image: `web:${o.version}`,
              command: [process.execPath, '-e', SERVER],
              env: [
                { name: 'VERSION', value: o.version },
                { name: 'E2E_MARK', value: o.marker },
              ],
              ports: [{ name: 'http', containerPort: o.containerPort }],
              readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 1, failureThreshold: 1 },
            },
          ],
        },
      },
    },
  };
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: o.name, namespace: o.namespace },
    spec: { selector: { app: o.name }, ports: [{ name: 'http', port: o.servicePort, targetPort: 'http' }] },
  };
  return [deployment, service].map((doc) => stringify(doc)).join('---\n');
}

/**
 * A random high port. Services get one too: other runtimes on the machine
 * (parallel tests, a `baton up`) hand out ClusterIPs from the same
 * 127.2.0.0/16, and a shared ClusterIP:port would send this test's requests
 * to someone else's pods.
 */
export function randomPort(): number {
  return 20_000 + Math.floor(Math.random() * 40_000);
}
