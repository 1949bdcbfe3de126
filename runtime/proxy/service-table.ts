import type net from 'node:net';
import type { Logger } from 'pino';
import { done, keyOf, next, nextAndRequeue, runSteps, splitKey, type ReconcileResult, type Step, type StepResult } from '../controllers/index.js';
import { backoffDelay } from '../kube/reconcile/backoff.js';
import type { Cluster } from '../objects/cluster.js';
import { getIfExists } from '../objects/get-if-exists.js';
import { recordEvent } from '../objects/record-event.js';
import type { KubeObject } from '../kube/object.js';
import { resources } from '../resources/registry.js';
import { EndpointPicker } from './endpoint-picker.js';
import { PortListener } from './port-listener.js';
import { newCounters, type ConnectionCounters, type ServiceProxyStats } from './proxy-stats.js';
import { listenerKey, planServicePorts, readyEndpointsFor, type ListenerSpec } from './service-ports.js';
import { spliceConnection } from './splice-connection.js';

export interface ServiceTableOptions {
  cluster: Cluster;
  nodePortHost: string;
  connectTimeoutMs: number;
  /** Open listening sockets; off when the kernel carries Services and only the pickers are wanted (the ingress). */
  listen: boolean;
  logger: Logger;
  /** Asks for another reconcile of a key, e.g. when a listening socket broke. */
  requeue: (key: string) => void;
}

interface ServiceState {
  /** The Service as last read, for Events about it. */
  service: KubeObject;
  /** By Service port name. */
  pickers: Map<string, EndpointPicker>;
  /** By `host:port`. */
  listeners: Map<string, PortListener>;
  counters: ConnectionCounters;
  /** Last bind error per `host:port`, so a failing port makes one Event per distinct error, not one per retry. */
  listenErrors: Map<string, string>;
  listenRetries: number;
  skippedNote: string;
}

/**
 * The proxy's live state per Service — endpoint pickers and listening sockets —
 * and the reconcile that makes it match the Service and its Endpoints.
 */
export class ServiceTable {
  private readonly states = new Map<string, ServiceState>();
  private readonly clients = new Set<net.Socket>();
  private readonly steps: Array<Step<ServiceState, KubeObject | undefined>> = [
    (state, endpoints) => this.syncPickers(state, endpoints),
    async (state) => (this.options.listen ? this.syncListeners(state) : next),
  ];

  constructor(private readonly options: ServiceTableOptions) {}

  keys(): string[] {
    return [...this.states.keys()];
  }

  /** Re-reads the Service and its Endpoints and converges listeners and pickers to them. */
  async reconcile(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const service = await getIfExists(this.options.cluster, resources.services, namespace, name);
    if (!service || service.metadata.deletionTimestamp) {
      this.forget(key);
      return done;
    }
    const endpoints = await getIfExists(this.options.cluster, resources.endpoints, namespace, name);
    let state = this.states.get(key);
    if (!state) {
      state = {
        service,
        pickers: new Map(),
        listeners: new Map(),
        counters: newCounters(),
        listenErrors: new Map(),
        listenRetries: 0,
        skippedNote: '',
      };
      this.states.set(key, state);
    }
    state.service = service;
    return runSteps(this.steps, state, endpoints);
  }

  /** The picker of a Service port, by number or name; for routers that share the proxy's balancing. */
  picker(namespace: string, name: string, port: number | string): EndpointPicker | undefined {
    const state = this.states.get(`${namespace}/${name}`);
    if (!state) return undefined;
    if (typeof port === 'string') return state.pickers.get(port);
    const servicePort = ((state.service.spec?.ports ?? []) as any[]).find((p) => p.port === port);
    return servicePort ? state.pickers.get(servicePort.name ?? '') : undefined;
  }

  stats(): ServiceProxyStats {
    const out: ServiceProxyStats = {};
    for (const [key, state] of this.states) {
      const readyEndpoints: Record<number, number> = {};
      for (const port of (state.service.spec?.ports ?? []) as any[]) {
        const picker = state.pickers.get(port.name ?? '');
        if (picker) readyEndpoints[port.port] = picker.size;
      }
      out[key] = { ...state.counters, readyEndpoints, listening: [...state.listeners.keys()] };
    }
    return out;
  }

  /** Closes every socket, the listening ones and the spliced connections. */
  closeAll(): void {
    for (const key of this.keys()) this.forget(key);
    for (const client of this.clients) client.destroy();
    this.clients.clear();
  }

  private async syncPickers(state: ServiceState, endpoints: KubeObject | undefined): Promise<StepResult> {
    const wanted = new Set<string>();
    for (const port of (state.service.spec?.ports ?? []) as any[]) {
      if ((port.protocol ?? 'TCP') !== 'TCP') continue;
      const portName: string = port.name ?? '';
      wanted.add(portName);
      let picker = state.pickers.get(portName);
      if (!picker) state.pickers.set(portName, (picker = new EndpointPicker()));
      picker.setEndpoints(readyEndpointsFor(endpoints, portName));
    }
    for (const [portName, picker] of state.pickers) {
      if (wanted.has(portName)) continue;
      picker.setEndpoints([]);
      state.pickers.delete(portName);
    }
    return next;
  }

  private async syncListeners(state: ServiceState): Promise<StepResult> {
    const key = keyOf(state.service);
    const plan = planServicePorts(state.service, this.options.nodePortHost);
    const note = plan.skipped.join(', ');
    if (note !== state.skippedNote) {
      state.skippedNote = note;
      if (note) this.options.logger.info({ service: key, ports: plan.skipped }, `service ${key}: not proxying ${note}: only TCP ports are proxied`);
    }
    const desired = new Map(plan.listeners.map((spec) => [listenerKey(spec), spec]));
    for (const [at, listener] of state.listeners) {
      if (desired.has(at) && !listener.brokenBy) continue;
      listener.close();
      state.listeners.delete(at);
    }
    let failed = false;
    for (const [at, spec] of desired) {
      const existing = state.listeners.get(at);
      if (existing) {
        existing.spec = spec;
        existing.target = this.connectionHandler(state, spec);
        continue;
      }
      if (!(await this.listen(state, spec))) failed = true;
    }
    for (const at of state.listenErrors.keys()) if (!desired.has(at)) state.listenErrors.delete(at);
    if (!failed) {
      state.listenRetries = 0;
      return next;
    }
    // A port held by someone else is waited on, not fatal: retry with growing delays.
    state.listenRetries++;
    return nextAndRequeue(backoffDelay(state.listenRetries - 1, { base: 1000, cap: 30_000 }));
  }

  private async listen(state: ServiceState, spec: ListenerSpec): Promise<boolean> {
    const key = keyOf(state.service);
    const at = listenerKey(spec);
    const listener = new PortListener(spec, this.connectionHandler(state, spec), (error) => {
      this.options.logger.warn({ service: key, address: at, err: error }, `service ${key}: listener on ${at} failed`);
      this.options.requeue(key);
    });
    try {
      await listener.listen();
    } catch (error) {
      const message = `failed to listen on ${at} for ${spec.kind} port ${spec.servicePort}: ${(error as Error).message}; retrying`;
      if (state.listenErrors.get(at) !== message) {
        state.listenErrors.set(at, message);
        this.options.logger.warn({ service: key, address: at, err: error }, message);
        await recordEvent(this.options.cluster, state.service, 'Warning', 'FailedToListen', message, 'service-proxy');
      }
      return false;
    }
    if (state.listenErrors.delete(at)) this.options.logger.info({ service: key, address: at }, `service ${key}: listening on ${at}`);
    state.listeners.set(at, listener);
    return true;
  }

  private connectionHandler(state: ServiceState, spec: ListenerSpec): (socket: net.Socket) => void {
    const { counters } = state;
    return (client) => {
      counters.connections++;
      counters.activeConnections++;
      this.clients.add(client);
      const picker = state.pickers.get(spec.portName) ?? new EndpointPicker();
      void spliceConnection(client, picker, {
        connectTimeoutMs: this.options.connectTimeoutMs,
        onRetry: () => counters.retries++,
        onError: (error) => {
          counters.errors++;
          this.options.logger.debug({ service: keyOf(state.service), err: error }, 'proxied connection failed');
        },
        onClose: () => {
          counters.activeConnections--;
          this.clients.delete(client);
        },
      });
    };
  }

  private forget(key: string): void {
    const state = this.states.get(key);
    if (!state) return;
    // Existing connections are left to finish; only new ones stop.
    for (const listener of state.listeners.values()) listener.close();
    for (const picker of state.pickers.values()) picker.setEndpoints([]);
    this.states.delete(key);
  }
}
