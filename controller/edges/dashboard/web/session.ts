import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ApiClient } from './api-client.js';
import type { Role, StateEvent } from '../../api/contract.js';
import type { AppsStore } from './apps-store.js';
import type { StreamState } from './event-stream.js';

const TOKEN_KEY = 'baton-token';

/**
 * A token given once in the URL fragment (`/#token=…`, which never reaches
 * the server), removed from the address bar and history at once.
 */
export function takeTokenFromFragment(): string | undefined {
  const match = /^#token=([^&]+)/.exec(location.hash);
  if (!match) return undefined;
  history.replaceState(null, '', `${location.pathname}${location.search}#/apps`);
  return decodeURIComponent(match[1]);
}

/** Kept per tab, gone when it closes. */
export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function keepToken(token: string, role: Role): void {
  sessionStorage.setItem(TOKEN_KEY, token);
  // The queue board (/admin/queues) is a plain page reading the deploy token from a cookie; the server sets it HttpOnly, out of scripts' reach.
  if (role === 'deploy') void sessionCookie('POST', token);
}

export function forgetToken(): void {
  const token = storedToken();
  sessionStorage.removeItem(TOKEN_KEY);
  if (token) void sessionCookie('DELETE', token);
}

/** Sets or clears the queue board's cookie; the page works without it, so a failure is ignored. */
async function sessionCookie(method: 'POST' | 'DELETE', token: string): Promise<void> {
  await fetch('/api/v1/session', { method, headers: { authorization: `Bearer ${token}` } }).catch(() => undefined);
}

export type EventListener = (event: StateEvent) => void;

/** What every page of a signed-in dashboard shares. */
export interface Session {
  api: ApiClient;
  role: Role;
  apps: AppsStore;
  streamState: StreamState;
  /** Pages listen to the one event stream the shell follows. */
  onEvent(listener: EventListener): () => void;
  /** Called after each (re)subscription: the page should reload what it shows. */
  onResubscribe(listener: () => void): () => void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in dashboard');
  return session;
}
