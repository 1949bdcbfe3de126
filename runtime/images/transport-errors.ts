const untrusted = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
]);

/** Words a connection failure as Go's net/http does, since users search for those phrases. */
export function describeTransportError(err: unknown, url: URL): string {
  let e = err as (Error & { code?: string; cause?: unknown }) | undefined;
  let code = e?.code;
  while (e?.cause && (!code || code.startsWith('UND_ERR'))) {
    e = e.cause as Error & { code?: string; cause?: unknown };
    code = e.code ?? code;
  }
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const addr = `${url.hostname}:${port}`;
  if (code === 'ECONNREFUSED') return `dial tcp ${addr}: connect: connection refused`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `dial tcp: lookup ${url.hostname}: no such host`;
  if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return `dial tcp ${addr}: i/o timeout`;
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return `read tcp ${addr}: connection reset by peer`;
  if (code && untrusted.has(code)) return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `tls: failed to verify certificate: x509: certificate is not valid for ${url.hostname}`;
  if (code === 'CERT_HAS_EXPIRED') return 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid';
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'EPROTO') return 'http: server gave HTTP response to HTTPS client';
  return e?.message ?? String(err);
}
