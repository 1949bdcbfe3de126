import http from 'node:http';
import type net from 'node:net';
import { pino, type Logger } from 'pino';
import { done, keyOf, runSteps, splitKey, startReconciler, type ReconcileResult, type RunningReconciler, type Step } from '../controllers/index.js';
import type { Cluster } from '../objects/cluster.js';
import { recordEvent } from '../objects/record-event.js';
import type { KubeObject } from '../kube/object.js';
import type { ServiceProxy } from '../proxy/index.js';
import { resources } from '../resources/registry.js';
import { upstreamRequestHeaders } from './forwarded-headers.js';
import { HttpForwarder } from './http-forwarder.js';
import { ensureIngressClass, servedByBaton } from './ingress-class.js';
import { publishIngressAddress, withdrawIngressAddress } from './ingress-status.js';
import { sendPlain, sendPlainOnSocket } from './plain-response.js';
import { buildRouteTable, normalizeHost, type RouteMatch, type RouteTable } from './route-table.js';
import { forwardUpgrade } from './upgrade-forwarder.js';

export interface IngressOptions {
  cluster: Cluster;
  /** The runtime's service proxy: its endpoint pickers decide which ready endpoint gets each request. */
  proxy: ServiceProxy;
  /**
   * Address to listen on.
   * @defaultValue '127.0.0.1'
   */
  host?: string;
  /**
   * TCP port; 0 picks a free one.
   * @defaultValue 7080
   */
  port?: number;
  /**
   * Written to every served Ingress' `status.loadBalancer.ingress[0].ip`.
   * @defaultValue `host`, or '127.0.0.1' when `host` is a wildcard address
   */
  statusAddress?: string;
  /**
   * A connect attempt to one endpoint is abandoned (and another tried) after this long.
   * @defaultValue 1000
   */
  connectTimeoutMs?: number;
  /**
   * Every Ingress is reconciled this often even without a watch event.
   * @defaultValue 30000
   */
  resyncIntervalMs?: number;
  /**
   * IngressClass names served besides `baton` (and classes whose controller is
   * `baton.dev/ingress`), e.g. `['nginx']` to route Ingresses written for
   * ingress-nginx.
   * @defaultValue []
   */
  ingressClasses?: string[];
  /** @defaultValue a pino logger named `ingress` at level `BATON_LOG_LEVEL` or `warn` */
  logger?: Logger;
}

export interface RunningIngress {
  /** e.g. `http://127.0.0.1:7080`; send `Host: catalog.localhost` or open `http://catalog.localhost:7080`. */
  url: string;
  port: number;
  /** Stops listening and watching; closes client, upstream and upgraded connections. */
  stop(): Promise<void>;
}

interface IngressState {
  cluster: Cluster;
  served: Map<string, KubeObject>;
  /** Problems last reported per Ingress, so each distinct set makes one Event. */
  reported: Map<string, string>;
  statusAddress: string;
  logger: Logger;
}

/**
 * The runtime's ingress controller: one HTTP listener routing by Host header
 * and path to Services, per the Ingress objects of every namespace (see
 * buildRouteTable for the precedence rules). Endpoints are looked up per
 * request through the service proxy's pickers, so Service and Endpoints
 * changes take effect at once; Ingress changes rebuild the table.
 */
export async function startIngress(options: IngressOptions): Promise<RunningIngress> {
  const { cluster, proxy } = options;
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger ?? pino({ name: 'ingress', level: process.env.BATON_LOG_LEVEL ?? 'warn' });
  const connectTimeoutMs = options.connectTimeoutMs ?? 1000;
  const extraClasses = [...(options.ingressClasses ?? [])];
  await ensureIngressClass(cluster);
  const state: IngressState = {
    cluster,
    served: new Map(),
    reported: new Map(),
    statusAddress: options.statusAddress ?? (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host),
    logger,
  };
  let table: RouteTable = buildRouteTable([]);
  const steps: Array<Step<IngressState, KubeObject>> = [
    async (s, ing) => {
      table = buildRouteTable([...s.served.values()]);
      await reportProblems(s, ing, table);
      return { stop: false };
    },
    async (s, ing) => {
      await publishIngressAddress(s.cluster, ing, s.statusAddress);
      return { stop: false };
    },
  ];
  const reconcile = async (key: string): Promise<ReconcileResult> => {
    const { namespace, name } = splitKey(key);
    const ing = await cluster.get(resources.ingresses, namespace, name).catch((error) => {
      if ((error as { code?: unknown }).code === 404) return undefined;
      throw error;
    });
    const classes = ing ? (await cluster.list(resources.ingressclasses)).items : [];
    if (!ing || ing.metadata.deletionTimestamp || !servedByBaton(ing, classes, extraClasses)) {
      if (state.served.delete(key)) table = buildRouteTable([...state.served.values()]);
      state.reported.delete(key);
      if (ing && !ing.metadata.deletionTimestamp) await withdrawIngressAddress(cluster, ing, state.statusAddress);
      return done;
    }
    state.served.set(key, ing);
    return runSteps(steps, state, ing);
  };

  const forwarder = new HttpForwarder({
    connectTimeoutMs,
    onError: (err, endpoint) => logger.debug({ err, endpoint }, 'ingress: upstream request failed'),
  });
  const upgraded = new Set<net.Socket>();
  let port = 0;
  const resolve = (req: http.IncomingMessage): { route?: RouteMatch; what: string } => {
    const route = table.match(req.headers.host ?? '', req.url ?? '/');
    if (!route) return { what: '' };
    const { namespace, service, port } = route.backend;
    return { route, what: `service "${namespace}/${service}" port ${port}` };
  };
  const notFound = (req: http.IncomingMessage) => `404 Not Found: no Ingress rule for host "${normalizeHost(req.headers.host)}" and path "${(req.url ?? '/').split('?')[0]}"\n`;

  const server = http.createServer((req, res) => {
    const { route, what } = resolve(req);
    if (!route) return sendPlain(res, 404, notFound(req));
    const picker = proxy.picker(route.backend.namespace, route.backend.service, route.backend.port);
    if (!picker) return sendPlain(res, 503, `503 Service Unavailable: no ready endpoints for ${what}\n`);
    void forwarder.forward(req, res, picker, upstreamRequestHeaders(req, port, false), what);
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    const { route, what } = resolve(req);
    if (!route) return sendPlainOnSocket(socket, 404, notFound(req));
    const picker = proxy.picker(route.backend.namespace, route.backend.service, route.backend.port);
    if (!picker) return sendPlainOnSocket(socket, 503, `503 Service Unavailable: no ready endpoints for ${what}\n`);
    void forwardUpgrade(req, socket, head, picker, upstreamRequestHeaders(req, port, true), what, {
      connectTimeoutMs,
      onError: (err) => logger.debug({ err }, 'ingress: upgrade failed'),
    });
  });
  // Long downloads and event streams are the backend's business, not a reason to cut the client off.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 7080, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  port = (server.address() as net.AddressInfo).port;

  let reconciler: RunningReconciler;
  try {
    reconciler = await startReconciler({
      name: 'ingress',
      cluster,
      primary: resources.ingresses,
      reconcile,
      // A class made default, or given baton's controller, changes which Ingresses are ours.
      watches: [{ type: resources.ingressclasses, keysFor: async () => (await cluster.list(resources.ingresses)).items.map(keyOf) }],
      resyncMs: options.resyncIntervalMs ?? 30_000,
      logger,
    });
  } catch (error) {
    server.close();
    throw error;
  }
  const shownHost = host.includes(':') ? `[${host}]` : host;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    stop: () =>
      (stopping ??= (async () => {
        await reconciler.stop();
        await new Promise<void>((closed) => {
          server.close(() => closed());
          server.closeAllConnections();
          for (const socket of upgraded) socket.destroy();
        });
        forwarder.destroy();
      })()),
  };
}

async function reportProblems(state: IngressState, ing: KubeObject, table: RouteTable): Promise<void> {
  const key = `${ing.metadata.namespace}/${ing.metadata.name}`;
  const mine = table.problems.filter((p) => p.ingress === key).map((p) => p.message);
  const text = mine.join('; ');
  if ((state.reported.get(key) ?? '') === text) return;
  state.reported.set(key, text);
  if (!text) return;
  state.logger.warn({ ingress: key, problems: mine }, `ingress ${key}: ignoring ${text}`);
  await recordEvent(state.cluster, ing, 'Warning', 'IgnoredRule', `ignored: ${text}`, 'baton-ingress');
}
