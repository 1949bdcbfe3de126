import { describe, expect, it } from 'vitest';
import { StatusError } from '../../../../../runtime/errors/status-error.js';
import type { KubeObject } from '../../../../../runtime/kube/object.js';
import { resources, type ResourceName } from '../../../../../runtime/resources/registry.js';
import { validateObject } from '../../../../../runtime/api/validation/validate-object.js';

function causesOf(resource: ResourceName, obj: Partial<KubeObject>): string[] {
  try {
    validateObject({ apiVersion: 'v1', kind: resources[resource].kind, metadata: {}, ...obj } as KubeObject, resources[resource]);
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(StatusError);
    return (err as StatusError).details!.causes!.map((c) => `${c.field}: ${c.message.split(':')[0]}`);
  }
}

const container = { name: 'web', image: 'registry.example/web:1' };
const podSpec = { containers: [container] };
const workload = (labels: Record<string, string>, selector: unknown = { matchLabels: { app: 'a' } }) => ({
  spec: { selector, template: { metadata: { labels }, spec: podSpec } },
});

describe('validateObject names fields as Kubernetes does', () => {
  const cases: Array<[string, ResourceName, Partial<KubeObject>, string[]]> = [
    ['a config map name may be a subdomain', 'configmaps', { metadata: { name: 'app.config' } }, []],
    ['a namespace name must be a label', 'namespaces', { metadata: { name: 'a.b' } }, ['metadata.name: Invalid value']],
    ['a service name must start with a letter', 'services', { metadata: { name: '1web' }, spec: { ports: [{ port: 80 }] } }, ['metadata.name: Invalid value']],
    ['upper case is never a name', 'pods', { metadata: { name: 'Web' }, spec: podSpec }, ['metadata.name: Invalid value']],
    ['a name or generateName is required', 'configmaps', { metadata: {} }, ['metadata.name: Required value']],
    ['generateName is a name prefix', 'configmaps', { metadata: { generateName: 'web-' } }, []],
    ['a generateName prefix follows the kind\'s name rule', 'namespaces', { metadata: { generateName: 'a.b-' } }, ['metadata.generateName: Invalid value']],
    ['a job needs restartPolicy Never or OnFailure', 'jobs', { metadata: { name: 'j' }, spec: { template: { spec: { ...podSpec, restartPolicy: 'Always' } } } }, ['spec.template.spec.restartPolicy: Unsupported value']],
    ['a manual job selector must match its template', 'jobs', { metadata: { name: 'j' }, spec: { manualSelector: true, selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'b' } }, spec: { ...podSpec, restartPolicy: 'Never' } } } }, ['spec.template.metadata.labels: Invalid value']],
    ['a manual job needs a selector', 'jobs', { metadata: { name: 'j' }, spec: { manualSelector: true, template: { spec: { ...podSpec, restartPolicy: 'Never' } } } }, ['spec.selector: Required value']],
    ['a cron job schedule must parse', 'cronjobs', { metadata: { name: 'c' }, spec: { schedule: '* * *', jobTemplate: { spec: { template: { spec: { ...podSpec, restartPolicy: 'OnFailure' } } } } } }, ['spec.schedule: Invalid value']],
    ['a cron job schedule carries no TZ', 'cronjobs', { metadata: { name: 'c' }, spec: { schedule: 'TZ=UTC * * * * *', jobTemplate: { spec: { template: { spec: { ...podSpec, restartPolicy: 'OnFailure' } } } } } }, ['spec.schedule: Invalid value']],
    ['a cron job time zone is explicit', 'cronjobs', { metadata: { name: 'c' }, spec: { schedule: '@hourly', timeZone: 'Local', jobTemplate: { spec: { template: { spec: { ...podSpec, restartPolicy: 'OnFailure' } } } } } }, ['spec.timeZone: Invalid value']],
    ['a valid cron job', 'cronjobs', { metadata: { name: 'c' }, spec: { schedule: '*/5 * * * 1-5', timeZone: 'America/New_York', concurrencyPolicy: 'Forbid', jobTemplate: { spec: { template: { spec: { ...podSpec, restartPolicy: 'OnFailure' } } } } } }, []],
    ['a pod needs containers', 'pods', { metadata: { name: 'p' }, spec: { containers: [] } }, ['spec.containers: Required value']],
    ['a container needs a name and an image', 'pods', { metadata: { name: 'p' }, spec: { containers: [{}] } }, ['spec.containers[0].name: Required value', 'spec.containers[0].image: Required value']],
    ['container names are unique', 'pods', { metadata: { name: 'p' }, spec: { containers: [container, container] } }, ['spec.containers[1].name: Duplicate value']],
    ['ports are 1..65535', 'pods', { metadata: { name: 'p' }, spec: { containers: [{ ...container, ports: [{ containerPort: 0 }] }] } }, ['spec.containers[0].ports[0].containerPort: Invalid value']],
    ['a deployment needs a selector', 'deployments', { metadata: { name: 'd' }, ...workload({ app: 'a' }, null) }, ['spec.selector: Required value']],
    ['the selector must match the template', 'replicasets', { metadata: { name: 'r' }, ...workload({ app: 'b' }) }, ['spec.template.metadata.labels: Invalid value']],
    ['a matching deployment is valid', 'deployments', { metadata: { name: 'd' }, ...workload({ app: 'a', tier: 'x' }) }, []],
    ['service ports need names when there are several', 'services', { metadata: { name: 's' }, spec: { ports: [{ port: 80 }, { port: 81, name: 'b' }] } }, ['spec.ports[0].name: Required value']],
    ['label values are checked', 'configmaps', { metadata: { name: 'c', labels: { app: 'not valid!' } } }, ['metadata.labels: Invalid value']],
  ];
  for (const [name, resource, obj, expected] of cases) {
    it(name, () => expect(causesOf(resource, obj)).toEqual(expected));
  }
});
