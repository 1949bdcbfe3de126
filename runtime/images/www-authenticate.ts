/** One challenge of a `WWW-Authenticate` header. */
export interface AuthChallenge {
  /** Lower-cased: `bearer`, `basic`. */
  scheme: string;
  params: Record<string, string>;
}

/**
 * Parses `Bearer realm="https://auth/token",service="reg",scope="repository:a:pull"`
 * (RFC 7235: several challenges, quoted strings with escapes, commas between).
 */
export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const out: AuthChallenge[] = [];
  let i = 0;
  const skip = (re: RegExp) => {
    while (i < header.length && re.test(header[i])) i++;
  };
  while (i < header.length) {
    skip(/[\s,]/);
    const scheme = /^[!#$%&'*+.^_`|~\w-]+/.exec(header.slice(i));
    if (!scheme) break;
    i += scheme[0].length;
    const challenge: AuthChallenge = { scheme: scheme[0].toLowerCase(), params: {} };
    out.push(challenge);
    while (i < header.length) {
      skip(/[\s,]/);
      const m = /^([!#$%&'*+.^_`|~\w-]+)\s*=\s*/.exec(header.slice(i));
      if (!m) break;
      i += m[0].length;
      let value = '';
      if (header[i] === '"') {
        i++;
        while (i < header.length && header[i] !== '"') {
          if (header[i] === '\\' && i + 1 < header.length) i++;
          value += header[i++];
        }
        i++;
      } else {
        const t = /^[^\s,]*/.exec(header.slice(i))![0];
        value = t;
        i += t.length;
      }
      challenge.params[m[1].toLowerCase()] = value;
    }
  }
  return out;
}
