import { useCallback, useEffect, useState } from 'preact/hooks';
import type { AppResourceTree, PodNode } from '../../api/contract.js';
import { ago } from './format.js';
import { useSession } from './session.js';

/** How often the tree is re-read while shown: pod readiness and restarts are not state events. */
const REFRESH_MS = 5000;

/** Deployment → ReplicaSets → Pods, and Service → endpoints, read live from the cluster. */
export function ResourceTree({ name }: { name: string }) {
  const session = useSession();
  const [tree, setTree] = useState<AppResourceTree | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setTree(await session.api.call('GET /apps/:name/resources', { params: { name } }));
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  }, [session.api, name]);

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    const off = session.onEvent((e) => {
      if (e.app === name) void load();
    });
    return () => {
      clearInterval(timer);
      off();
    };
  }, [load, session, name]);

  if (error) return <p class="error" role="alert">Could not read the app's objects: {error}</p>;
  if (!tree) return <p class="muted">Reading the cluster…</p>;
  const empty = tree.deployments.length + tree.services.length + tree.otherPods.length === 0;
  return (
    <div class="tree">
      <p class="muted">
        Live in namespace <code>{tree.namespace}</code> of cluster <code>{tree.cluster}</code>, read {new Date(tree.readAt).toLocaleTimeString()}.
      </p>
      {empty && <p class="empty">No Deployments, Services or pods of this app are live.</p>}
      {tree.deployments.length > 0 && (
        <ul class="tree-root" aria-label="Deployments">
          {tree.deployments.map((d) => (
            <li key={d.name} data-kind="Deployment" data-name={d.name}>
              <span class="kind">Deployment</span> <strong>{d.name}</strong>{' '}
              <span class={d.readyReplicas >= d.replicas ? 'ok' : 'warn'}>
                {d.readyReplicas}/{d.replicas} ready
              </span>
              , {d.updatedReplicas} up to date
              {d.conditions
                .filter((c) => c.status !== 'True')
                .map((c) => (
                  <div key={c.type} class="condition warn">
                    {c.type}: {c.reason} {c.message}
                  </div>
                ))}
              <ul>
                {d.replicaSets.map((rs) => (
                  <li key={rs.name} data-kind="ReplicaSet" data-name={rs.name} class={rs.replicas === 0 ? 'faded' : ''}>
                    <span class="kind">ReplicaSet</span> {rs.name}
                    {rs.revision && <span class="muted"> (revision {rs.revision})</span>}{' '}
                    <span>
                      {rs.readyReplicas}/{rs.replicas} ready
                    </span>{' '}
                    <code class="muted">{rs.images.join(', ')}</code>
                    {rs.pods.length > 0 && <PodList pods={rs.pods} />}
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      )}
      {tree.services.length > 0 && (
        <ul class="tree-root" aria-label="Services">
          {tree.services.map((s) => (
            <li key={s.name} data-kind="Service" data-name={s.name}>
              <span class="kind">Service</span> <strong>{s.name}</strong> <code>{s.clusterIP ?? 'no cluster IP'}</code> <span class="muted">{s.ports.join(', ')}</span>
              <ul>
                {s.endpoints.length === 0 && <li class="warn">no endpoints: no ready pod matches its selector</li>}
                {s.endpoints.map((e) => (
                  <li key={`${e.ip}-${e.pod}`} data-kind="Endpoint">
                    <span class="kind">Endpoint</span> <code>{e.ip}</code> {e.ports.join(', ')} {e.pod && <span>→ pod {e.pod}</span>}{' '}
                    <span class={e.ready ? 'ok' : 'warn'}>{e.ready ? 'ready' : 'not ready'}</span>
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      )}
      {tree.otherPods.length > 0 && (
        <div>
          <h3>Other pods</h3>
          <PodList pods={tree.otherPods} />
        </div>
      )}
    </div>
  );
}

function PodList({ pods }: { pods: PodNode[] }) {
  return (
    <ul>
      {pods.map((p) => (
        <li key={p.name} data-kind="Pod" data-name={p.name}>
          <span class="kind">Pod</span> {p.name} <span class={p.ready ? 'ok' : 'warn'}>{p.ready ? 'Ready' : `Not ready (${p.phase})`}</span>,{' '}
          <span class={p.restarts > 0 ? 'warn' : ''}>
            {p.restarts} {p.restarts === 1 ? 'restart' : 'restarts'}
          </span>
          {p.podIP && <code class="muted"> {p.podIP}</code>}
          <span class="muted"> started {ago(p.createdAt)}</span>
          {p.reason && <div class="condition warn">{p.reason}</div>}
          {p.containers.some((c) => c.state !== 'running') && (
            <div class="muted">
              {p.containers.map((c) => (
                <span key={c.name}>
                  {c.name}: {c.state}{' '}
                </span>
              ))}
            </div>
          )}
        </li>
      ))}
    </ul>
  );
}
