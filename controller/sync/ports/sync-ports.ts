import type { LogLine } from '../../apps/app-log.js';
import type { Clock } from './clock-port.js';
import type { ClustersPort } from './cluster-port.js';
import type { RendererPort } from './renderer-port.js';
import type { SourcePort } from './source-port.js';
import type { StatePort } from './state-port.js';

/** Everything the app sync touches outside itself. */
export interface SyncPorts {
  source: SourcePort;
  renderer: RendererPort;
  clusters: ClustersPort;
  state: StatePort;
  clock: Clock;
  /** Receives one line per step worth telling a person, with the app and revision it is about. */
  log: LogLine;
  /** How long a sync waiting on dependencies or a starting runtime waits before looking again, in ms. */
  retryMs: number;
}
