import type { Logger } from 'pino';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { buildServedOpenApi, createApiApp, createUpgradeHandler, serverClassesFor, startCrdController, type PodLogProvider } from './api/index.js';
import { admittingCluster } from './api/admission/admission-plugins.js';
import { ensureSystemPriorityClasses } from './api/defaulting/pod-priority.js';
import { createAccessControl } from './api/auth/access-control.js';
import { ensureBootstrapPolicy } from './api/auth/bootstrap-policy.js';
import { loadOrCreateSigningKey, serviceAccountTokens } from './api/auth/service-account-tokens.js';
import { chooseKubernetesServiceIp, ensureKubernetesService, KUBERNETES_SERVICE_NAMES } from './api/auth/kubernetes-service.js';
import { kubeletTokenSource } from './api/auth/token-request.js';
import { loadOrCreateServingCertificate } from './api/tls/serving-certificate.js';
import { startControllers } from './controllers/index.js';
import { startMetricsSampler } from './metrics/index.js';
import { startNode, type NodeOptions, type RunningNode, type ServiceCarrier } from './kubelet/start-node.js';
import type { OpenedImageStore } from './images/image-store.js';
import { startIngress, type RunningIngress } from './ingress/index.js';
import type { ServiceProxy } from './proxy/index.js';
import { startClusterNetwork, type RunningClusterNetwork } from './cluster-network.js';
import { resources } from './resources/registry.js';
import { openLocalCluster, type LocalCluster } from './store/index.js';

export interface RuntimeOptions {
  /**
   * Where the runtime's parts log: controllers, Services (proxy, cluster DNS,
   * NetworkPolicy) and the ingress, each as a child with its `component`.
   * @defaultValue each part's own pino logger (JSON lines)
   */
  logger?: Logger;
  /**
   * Where the token, the kubeconfig and the object store live.
   * @defaultValue '.baton'
   */
  stateDir?: string;
  /**
   * TCP port of the Kubernetes API; 0 picks a free one.
   * @defaultValue 7071
   */
  port?: number;
  /**
   * Address to listen on. Keep it on loopback: the API is admin access to the runtime.
   * @defaultValue '127.0.0.1'
   */
  host?: string;
  /**
   * Reads container logs for `kubectl logs`; absent until pods run, and then the API answers 404.
   * @defaultValue undefined
   */
  logs?: PodLogProvider;
  /**
   * Run the deployment, replicaset and endpoints controllers in this process.
   * @defaultValue true
   */
  controllers?: boolean;
  /**
   * Run pods: the node agent (kubelet) with the oci and process drivers. Its
   * pod logs back `kubectl logs` unless `logs` is given.
   * @defaultValue true
   */
  kubelet?: boolean;
  /**
   * How the node runs pods: default RuntimeClass, pod CIDR, registries.
   * @defaultValue image pods (`oci`) on 10.244.0.0/16, `<stateDir>/registries.yaml`
   */
  node?: Omit<NodeOptions, 'cluster' | 'stateDir'>;
  /**
   * Serve Services on their ClusterIPs (and NodePorts) through the userspace proxy.
   * @defaultValue true
   */
  proxy?: boolean;
  /**
   * Address NodePort Services listen on (`node.nodePortAddress` wins when both are set).
   * @defaultValue the API's `host`
   */
  nodePortHost?: string;
  /**
   * Route HTTP by Host header and path to Services per the Ingress objects
   * (needs `proxy`). `baton up` and `baton runtime` serve it on 7080.
   * @defaultValue true
   */
  ingress?: boolean;
  /**
   * TCP port of the ingress, on the API's `host`; 0 picks a free one.
   * @defaultValue 0
   */
  ingressPort?: number;
  /**
   * Where cluster DNS forwards names outside the cluster (`ip` or `ip:port`).
   * @defaultValue the nameservers of the host's /etc/resolv.conf
   */
  dnsUpstreams?: string[];
  /**
   * Encrypt every stored Secret under a new key and forget the old one (Secrets are always encrypted at rest).
   * @defaultValue false
   */
  rotateEncryptionKey?: boolean;
  /**
   * IngressClass names the ingress serves besides `baton`, e.g. `['nginx']`
   * for manifests written for ingress-nginx (`--ingress-class nginx`).
   * @defaultValue []
   */
  ingressClasses?: string[];
  /**
   * How often pod and node usage is sampled for `metrics.k8s.io` and the HPA
   * (metrics-server's `--metric-resolution`); each CPU figure is the rate over one such window.
   * @defaultValue 15_000
   */
  metricResolutionMs?: number;
  /**
   * How often each HorizontalPodAutoscaler is evaluated (`--horizontal-pod-autoscaler-sync-period`).
   * @defaultValue 15_000
   */
  hpaSyncPeriodMs?: number;
}

export interface CloseOptions {
  /**
   * Terminate every pod (gracefully, as `kubectl delete` would) before
   * stopping, and remove the pod network's bridge and firewall table.
   * Without it pods keep running and the next start re-adopts them.
   * @defaultValue false
   */
  stopPods?: boolean;
}

export interface RunningRuntime {
  /** Base URL of the API, e.g. `https://127.0.0.1:7071`. */
  url: string;
  /** PEM of the self-signed serving certificate: the CA to trust for `url` (kubeconfig carries it too). */
  caCertificate: string;
  /** Bearer token accepted by the API (also in `kubeconfig`). */
  token: string;
  kubeconfigPath: string;
  /** The in-process store, for controllers running in the same process. */
  cluster: LocalCluster;
  /** What keeps image pods from running on this machine, each with its fix (printed at start). */
  warnings: string[];
  /** The image store, when the kubelet runs (`baton image` works on the same files). */
  images?: OpenedImageStore;
  /** The service proxy, when running: its stats() feed metrics. */
  proxy?: ServiceProxy;
  /** Who carries Services: the kernel (nftables on the pod network) or the userspace proxy, and why. */
  services?: ServiceCarrier;
  /** Resolves once the kernel holds every Service, Endpoints and NetworkPolicy the store has now (tests). */
  servicesSettled(): Promise<void>;
  /** Base URL of the ingress, e.g. `http://127.0.0.1:7080`; absent when it is off. */
  ingressUrl?: string;
  /** Stops listening, ends open watches and closes the store; pods keep running unless `stopPods`. */
  close(options?: CloseOptions): Promise<void>;
}

const TOKEN_FILE = 'runtime-token';

/** The token made on first start and reused after, so kubeconfigs stay valid across restarts. */
async function loadOrCreateToken(stateDir: string): Promise<string> {
  const file = join(stateDir, TOKEN_FILE);
  try {
    const token = (await readFile(file, 'utf8')).trim();
    if (token) return token;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const token = randomBytes(32).toString('hex');
  await writeAtomically(file, `${token}\n`);
  return token;
}

async function writeAtomically(file: string, content: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, content, { mode: 0o600 });
  await rename(tmp, file);
}

export function kubeconfigYaml(url: string, token: string, caPem: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'baton', cluster: { server: url, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }],
    users: [{ name: 'baton', user: { token } }],
    contexts: [{ name: 'baton', context: { cluster: 'baton', user: 'baton' } }],
    'current-context': 'baton',
    preferences: {},
  });
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolvePromise, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolvePromise(server.address() as AddressInfo);
    });
  });
}

/**
 * Starts the built-in runtime: opens the object store in the state dir,
 * serves the Kubernetes API over HTTPS (kubectl sends tokens only over TLS)
 * with a bearer token, and writes
 * `kubeconfig` (cluster, user and context all named `baton`).
 */
export async function startRuntime(options: RuntimeOptions = {}): Promise<RunningRuntime> {
  const stateDir = resolve(options.stateDir ?? '.baton');
  const host = options.host ?? '127.0.0.1';
  const nodePortHost = options.node?.nodePortAddress ?? options.nodePortHost ?? host;
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  // Owner-only whatever the umask, even when the directory was made beforehand.
  await chmod(stateDir, 0o700);
  const token = await loadOrCreateToken(stateDir);
  const saTokens = serviceAccountTokens(await loadOrCreateSigningKey(stateDir));
  // Pods trust the serving certificate, made once the pod network (and so the `kubernetes` Service's address) is known.
  let servingCa = '';
  const cluster = await openLocalCluster({ stateDir: join(stateDir, 'runtime'), rotateEncryptionKey: options.rotateEncryptionKey });
  let node: RunningNode | undefined;
  try {
    const serviceAccounts = kubeletTokenSource(cluster, saTokens, () => servingCa);
    if (options.kubelet ?? true) node = await startNode({ ...options.node, nodePortAddress: nodePortHost, cluster, stateDir, serviceAccountTokens: serviceAccounts });
    if (node?.services.mode === 'kernel') cluster.useServiceRange(node.services.serviceCidr);
  } catch (err) {
    await cluster.close();
    throw err;
  }
  const kubelet = node?.kubelet;
  const logs = options.logs ?? kubelet?.podLogs;
  // The metrics API and the HPA read the same samples; without a kubelet there is nothing to measure.
  const metrics = kubelet ? startMetricsSampler({ cluster, resolutionMs: options.metricResolutionMs }) : undefined;
  const podServices = node?.services.mode === 'kernel' ? node.services : undefined;
  // Pods on the bridge reach the API on its gateway address, through the `kubernetes` Service only (the firewall accepts translated traffic).
  const gateway = podServices ? node?.network()?.gateway : undefined;
  const apiServiceIp = await chooseKubernetesServiceIp(cluster, podServices?.serviceCidr, stateDir);
  const tls = await loadOrCreateServingCertificate(stateDir, host, [apiServiceIp, ...(gateway ? [gateway] : []), ...KUBERNETES_SERVICE_NAMES]);
  servingCa = tls.cert;
  const access = createAccessControl({ adminToken: token, cluster, tokens: saTokens });
  const openapi = buildServedOpenApi();
  const app = createApiApp({ cluster, openapi, token, logs, metrics, serviceAccountTokens: saTokens, access });
  const serving = { cert: tls.cert, key: tls.key, ...serverClassesFor(app) };
  const server = createServer(serving, app);
  // exec, attach and port-forward arrive as WebSocket upgrades, which express never sees.
  const streams = kubelet && { exec: kubelet.podExec, attach: kubelet.podAttach };
  const upgrades = createUpgradeHandler({ context: { cluster, streams }, token, access });
  server.on('upgrade', upgrades);
  // Watches and log streams stay open for a long time; node's default request timeout would cut them.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 65_000;
  let address: AddressInfo;
  let podSide: Server | undefined;
  try {
    address = await listen(server, options.port ?? 7071, host);
    if (gateway && gateway !== host) {
      podSide = createServer(serving, app);
      podSide.on('upgrade', upgrades);
      podSide.requestTimeout = 0;
      podSide.keepAliveTimeout = 65_000;
      await listen(podSide, address.port, gateway);
    }
  } catch (err) {
    server.close();
    metrics?.stop();
    await node?.stop();
    await cluster.close();
    throw err;
  }
  let controllers: { stop(): Promise<void> } | undefined;
  let crds: { stop(): Promise<void> } | undefined;
  let services: RunningClusterNetwork | undefined;
  let proxy: ServiceProxy | undefined;
  let ingress: RunningIngress | undefined;
  try {
    // CustomResourceDefinitions are served by the API itself, with or without the workload controllers.
    crds = await startCrdController({ cluster, openapi, ...part(options.logger, 'crds') });
    if (options.controllers ?? true) controllers = await startControllers({ cluster: admittingCluster(cluster), volumesDir: join(stateDir, 'volumes'), metrics, hpaSyncPeriodMs: options.hpaSyncPeriodMs, ...part(options.logger, 'controllers') });
    await ensureSystemPriorityClasses(cluster);
    await ensureBootstrapPolicy(cluster);
    await ensureKubernetesService(cluster, { clusterIP: apiServiceIp, endpointIP: gateway ?? (host === '0.0.0.0' ? '127.0.0.1' : host), port: address.port });
    if (options.proxy ?? true) {
      services = await startClusterNetwork({ cluster, carrier: node?.services, network: node?.network(), nodePortHost, dnsUpstreams: options.dnsUpstreams, logger: options.logger });
      proxy = services.proxy;
    }
    if (proxy && (options.ingress ?? true)) ingress = await startIngress({ cluster, proxy, host, port: options.ingressPort ?? 0, ingressClasses: options.ingressClasses, ...part(options.logger, 'ingress') });
  } catch (err) {
    server.close();
    podSide?.close();
    await services?.stop();
    await controllers?.stop();
    await crds?.stop();
    metrics?.stop();
    await node?.stop();
    await cluster.close();
    throw err;
  }
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `https://${shownHost}:${address.port}`;
  const kubeconfigPath = join(stateDir, 'kubeconfig');
  await writeAtomically(kubeconfigPath, kubeconfigYaml(url, token, tls.cert));

  let closing: Promise<void> | undefined;
  const close = (closeOptions: CloseOptions = {}) =>
    (closing ??= (async () => {
      if (closeOptions.stopPods && kubelet) await terminateAllPods(cluster);
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
        podSide?.close();
        podSide?.closeAllConnections();
        upgrades.closeAll();
      });
      await ingress?.stop();
      await services?.stop();
      await controllers?.stop();
      await crds?.stop();
      // With every pod gone, nothing needs the bridge and firewall table either.
      if (closeOptions.stopPods) await node?.network()?.destroy();
      metrics?.stop();
      await node?.stop();
      await cluster.close();
    })());
  return { url, token, caCertificate: tls.cert, kubeconfigPath, cluster, warnings: node?.warnings ?? [], images: node?.images, proxy, services: node?.services, servicesSettled: async () => services?.settled(), ingressUrl: ingress?.url, close };
}

/**
 * Deletes every workload and pod the way `kubectl delete` would (graceful, so
 * the kubelet runs preStop and SIGTERM) and waits until the kubelet has
 * finished them, so no process outlives a runtime asked to stop its pods.
 */
async function terminateAllPods(cluster: LocalCluster, timeoutMs = 60_000): Promise<void> {
  for (const type of [resources.deployments, resources.replicasets]) {
    for (const item of (await cluster.list(type)).items) {
      await cluster.delete(type, item.metadata.namespace, item.metadata.name!, { propagationPolicy: 'Orphan' }).catch(() => undefined);
    }
  }
  for (const pod of (await cluster.list(resources.pods)).items) {
    await cluster.delete(resources.pods, pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 5 }).catch(() => undefined);
  }
  const deadline = Date.now() + timeoutMs;
  while ((await cluster.list(resources.pods)).items.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** `{ logger }` for one part of the runtime, when the runtime was given a logger. */
function part(logger: Logger | undefined, component: string): { logger?: Logger } {
  return logger ? { logger: logger.child({ component }) } : {};
}
