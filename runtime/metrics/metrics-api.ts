import { Router, type Request, type Response } from 'express';
import { methodNotAllowed, StatusError } from '../errors/status-error.js';
import { sendStatus } from '../api/send-status.js';
import { parseLabelSelector } from '../store/label-selector.js';
import { parseFieldSelector } from '../store/field-selector.js';
import type { MetricsSource, NodeUsage, PodUsage } from './metrics-sampler.js';
import { cpuQuantity, durationString, memoryQuantity } from './metric-quantities.js';

export const METRICS_GROUP = 'metrics.k8s.io';
export const METRICS_VERSION = 'v1beta1';
const GROUP_VERSION = `${METRICS_GROUP}/${METRICS_VERSION}`;

/** The group as `/apis` lists it. */
export function metricsApiGroup(): Record<string, unknown> {
  const version = { groupVersion: GROUP_VERSION, version: METRICS_VERSION };
  return { name: METRICS_GROUP, versions: [version], preferredVersion: version };
}

function resourceList(): Record<string, unknown> {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: GROUP_VERSION,
    resources: [
      { name: 'nodes', singularName: '', namespaced: false, kind: 'NodeMetrics', verbs: ['get', 'list'] },
      { name: 'pods', singularName: '', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] },
    ],
  };
}

function podMetrics(p: PodUsage): Record<string, unknown> {
  const timestamp = p.timestamp.toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    kind: 'PodMetrics',
    apiVersion: GROUP_VERSION,
    metadata: { name: p.name, namespace: p.namespace, creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), labels: p.labels },
    timestamp,
    window: durationString(p.windowMs),
    containers: p.containers.map((c) => ({ name: c.name, usage: { cpu: cpuQuantity(c.cpuNanoCores), memory: memoryQuantity(c.memoryBytes) } })),
  };
}

function nodeMetrics(n: NodeUsage): Record<string, unknown> {
  return {
    kind: 'NodeMetrics',
    apiVersion: GROUP_VERSION,
    metadata: { name: n.name, creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), labels: n.labels },
    timestamp: n.timestamp.toISOString().replace(/\.\d+Z$/, 'Z'),
    window: durationString(n.windowMs),
    usage: { cpu: cpuQuantity(n.cpuNanoCores), memory: memoryQuantity(n.memoryBytes) },
  };
}

const query = (req: Request, key: string): string | undefined => (typeof req.query[key] === 'string' ? (req.query[key] as string) : undefined);

/** Label and field selectors over the metrics objects' metadata, as metrics-server filters its lists. */
function selected(req: Request, items: Record<string, any>[]): Record<string, any>[] {
  const labels = parseLabelSelector(query(req, 'labelSelector'));
  const fields = parseFieldSelector(query(req, 'fieldSelector'));
  return items.filter((item) => labels.matches(item.metadata.labels ?? {}) && fields.matches(item));
}

/**
 * `metrics.k8s.io/v1beta1` as metrics-server serves it through the
 * aggregator: NodeMetrics and PodMetrics, get and list only, read from the
 * sampler's latest samples. Without a sampler (no kubelet) the reads answer
 * 503, as an aggregated API whose backend is down does.
 */
export function metricsApiRouter(source: MetricsSource | undefined): Router {
  const router = Router({ caseSensitive: true });
  const json = (res: Response, body: unknown) => void res.type('application/json').send(JSON.stringify(body));
  const base = `/apis/${METRICS_GROUP}`;
  router.get(base, (_req, res) => json(res, { kind: 'APIGroup', apiVersion: 'v1', ...metricsApiGroup() }));
  router.get(`${base}/${METRICS_VERSION}`, (_req, res) => json(res, resourceList()));

  const read = (handler: (req: Request, source: MetricsSource) => unknown) => (req: Request, res: Response) => {
    try {
      if (req.method !== 'GET') throw methodNotAllowed(`the metrics API serves only get and list (${req.method} ${req.path})`);
      if (query(req, 'watch') === 'true' || query(req, 'watch') === '1') throw methodNotAllowed('watch is not supported by the metrics API');
      if (!source) throw new StatusError(503, 'ServiceUnavailable', 'the server is currently unable to handle the request: the runtime runs no kubelet, so it has no metrics', {});
      json(res, handler(req, source));
    } catch (err) {
      req.resume();
      sendStatus(res, err);
    }
  };
  const podList = (req: Request, items: Record<string, any>[]) => ({ kind: 'PodMetricsList', apiVersion: GROUP_VERSION, metadata: {}, items: selected(req, items) });
  router.all(`${base}/${METRICS_VERSION}/nodes`, read((req, s) => ({ kind: 'NodeMetricsList', apiVersion: GROUP_VERSION, metadata: {}, items: selected(req, s.nodes().map(nodeMetrics)) })));
  router.all(`${base}/${METRICS_VERSION}/nodes/:name`, read((req, s) => {
    const found = s.nodes().find((n) => n.name === String(req.params.name));
    if (!found) throw new StatusError(404, 'NotFound', `nodemetrics.${METRICS_GROUP} "${String(req.params.name)}" not found`, { name: String(req.params.name), group: METRICS_GROUP, kind: 'nodes' });
    return nodeMetrics(found);
  }));
  router.all(`${base}/${METRICS_VERSION}/pods`, read((req, s) => podList(req, s.pods().map(podMetrics))));
  router.all(`${base}/${METRICS_VERSION}/namespaces/:namespace/pods`, read((req, s) => podList(req, s.pods().filter((p) => p.namespace === String(req.params.namespace)).map(podMetrics))));
  router.all(`${base}/${METRICS_VERSION}/namespaces/:namespace/pods/:name`, read((req, s) => {
    const namespace = String(req.params.namespace);
    const name = String(req.params.name);
    const found = s.pods().find((p) => p.namespace === namespace && p.name === name);
    if (!found) throw new StatusError(404, 'NotFound', `podmetrics.${METRICS_GROUP} "${namespace}/${name}" not found`, { name: `${namespace}/${name}`, group: METRICS_GROUP, kind: 'pods' });
    return podMetrics(found);
  }));
  return router;
}
