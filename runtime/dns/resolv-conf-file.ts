/** The parts of a resolv.conf that the kubelet and cluster DNS use. */
export interface ResolvConf {
  nameservers: string[];
  searches: string[];
  options: string[];
}

/**
 * Parses resolv.conf text as the kubelet does (`parseResolvConf`):
 * `nameserver` lines accumulate, the last `search` and the last `options`
 * line win, search domains lose a trailing dot, `#` lines are comments.
 */
export function parseResolvConf(text: string): ResolvConf {
  const conf: ResolvConf = { nameservers: [], searches: [], options: [] };
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith('#')) continue;
    const [key, ...fields] = trimmed.split(/\s+/);
    if (key === 'nameserver' && fields[0]) conf.nameservers.push(fields[0]);
    else if (key === 'search') conf.searches = fields.map((s) => s.replace(/\.$/, ''));
    else if (key === 'options') conf.options = fields;
  }
  return conf;
}
