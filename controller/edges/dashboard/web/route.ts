import { useEffect, useState } from 'preact/hooks';

export type Route = { page: 'apps'; query: URLSearchParams } | { page: 'app'; name: string; tab: string } | { page: 'previews' };

/** Routes live in the fragment (`#/apps?health=Degraded`, `#/apps/catalog/history`, `#/previews`): the server serves one page. */
export function parseRoute(hash: string): Route {
  const [path, search = ''] = hash.replace(/^#/, '').split('?', 2);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'previews') return { page: 'previews' };
  if (parts[0] === 'apps' && parts[1]) return { page: 'app', name: parts[1], tab: parts[2] ?? 'objects' };
  return { page: 'apps', query: new URLSearchParams(search) };
}

export function appHref(name: string, tab?: string): string {
  return `#/apps/${encodeURIComponent(name)}${tab ? `/${tab}` : ''}`;
}

export function useRoute(): Route {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const changed = () => setHash(location.hash);
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return parseRoute(hash);
}

/** Changes the fragment's query without a new history entry (filters as the user types). */
export function replaceQuery(query: URLSearchParams): void {
  const text = query.toString();
  history.replaceState(null, '', `#/apps${text ? `?${text}` : ''}`);
  dispatchEvent(new HashChangeEvent('hashchange'));
}
