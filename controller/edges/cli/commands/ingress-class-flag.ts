import { Option } from 'commander';
import { nameProblems } from '../../../../runtime/kube/dns-names.js';
import { CliError } from '../cli-error.js';

/** `--ingress-class nginx,traefik` (or the flag repeated), shared by `baton up` and `baton runtime`. */
export function ingressClassOption(): Option {
  return new Option('--ingress-class <names>', 'IngressClass names the ingress also serves besides baton, comma-separated (e.g. nginx,traefik for manifests written for those controllers)')
    .argParser((value: string, previous: string[]) => [...previous, value])
    .default([] as string[], 'none');
}

/** The class names the flags give, each checked as Kubernetes checks an IngressClass name. */
export function parseIngressClasses(command: string, given: string[]): string[] {
  const names = given.flatMap((text) => text.split(',')).map((n) => n.trim()).filter(Boolean);
  for (const name of names) {
    const problems = nameProblems(name, 'subdomain');
    if (problems.length) throw new CliError(`baton ${command}: --ingress-class "${name}" is not an IngressClass name: ${problems[0]}`);
  }
  return [...new Set(names)];
}
