import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiClient, ApiError } from './api-client.js';
import type { AppSummary, Role, StateEvent } from '../../api/contract.js';
import { AppPage } from './app-page.js';
import { AppsPage } from './apps-page.js';
import { AppsStore } from './apps-store.js';
import { followEvents, type StreamState } from './event-stream.js';
import { PreviewsPage } from './previews-page.js';
import { useRoute } from './route.js';
import { forgetToken, keepToken, SessionContext, storedToken, takeTokenFromFragment, type EventListener, type Session } from './session.js';
import { SignInPage } from './sign-in-page.js';

type Auth = { state: 'checking' } | { state: 'signed-out'; error: string | null } | { state: 'signed-in'; token: string; role: Role; firstList: Promise<AppSummary[]> };

/** Signs in (form or `#token=`), then shows the pages over one shared event stream. */
export function App() {
  const [auth, setAuth] = useState<Auth>({ state: 'checking' });

  const signIn = async (token: string) => {
    setAuth({ state: 'checking' });
    try {
      const api = new ApiClient(token);
      // Asked for beside whoami rather than after it: the first load waits on one round trip less.
      const firstList = api.call('GET /apps');
      firstList.catch(() => {});
      const { role } = await api.call('GET /whoami');
      keepToken(token, role);
      setAuth({ state: 'signed-in', token, role, firstList });
    } catch (err) {
      forgetToken();
      const message = err instanceof ApiError && err.status === 401 ? 'That token is not valid for this baton.' : `Could not sign in: ${(err as Error).message}`;
      setAuth({ state: 'signed-out', error: message });
    }
  };

  useEffect(() => {
    const token = takeTokenFromFragment() ?? storedToken();
    if (token) void signIn(token);
    else setAuth({ state: 'signed-out', error: null });
  }, []);

  const signOut = (why: string | null) => {
    forgetToken();
    setAuth({ state: 'signed-out', error: why });
  };

  if (auth.state === 'signed-in') return <SignedIn token={auth.token} role={auth.role} firstList={auth.firstList} signOut={signOut} />;
  return <SignInPage busy={auth.state === 'checking'} error={auth.state === 'signed-out' ? auth.error : null} onSubmit={(t) => void signIn(t)} />;
}

function SignedIn({ token, role, firstList, signOut }: { token: string; role: Role; firstList: Promise<AppSummary[]>; signOut: (why: string | null) => void }) {
  const route = useRoute();
  const [streamState, setStreamState] = useState<StreamState>('connecting');
  const shared = useMemo(() => {
    const api = new ApiClient(token, () => signOut('The token is no longer valid; sign in again.'));
    return { api, apps: new AppsStore(api), listeners: new Set<EventListener>(), resubscribed: new Set<() => void>() };
  }, [token]);

  useEffect(() => {
    void shared.apps.reload(firstList);
    let first = true;
    return followEvents(shared.api, {
      onEvent(event: StateEvent) {
        shared.apps.apply(event);
        for (const listener of shared.listeners) listener(event);
      },
      onSubscribed() {
        // The first list was asked for at once; later subscriptions follow a gap, so ask again.
        if (!first) void shared.apps.reload();
        first = false;
        for (const listener of shared.resubscribed) listener();
      },
      onState: setStreamState,
    });
  }, [shared]);

  // Stable between renders: pages re-subscribe and reload only when it changes.
  const session = useMemo<Session>(
    () => ({
      api: shared.api,
      role,
      apps: shared.apps,
      streamState,
      onEvent(listener) {
        shared.listeners.add(listener);
        return () => shared.listeners.delete(listener);
      },
      onResubscribe(listener) {
        shared.resubscribed.add(listener);
        return () => shared.resubscribed.delete(listener);
      },
    }),
    [shared, role, streamState],
  );

  return (
    <SessionContext.Provider value={session}>
      <a class="skip" href="#main" onClick={(e) => {
        e.preventDefault();
        document.getElementById('main')?.focus();
      }}>
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="#/apps">
          baton
        </a>
        <nav aria-label="Main">
          <a href="#/apps" aria-current={route.page === 'apps' || route.page === 'app' ? 'page' : undefined}>
            Applications
          </a>
          <a href="#/previews" aria-current={route.page === 'previews' ? 'page' : undefined}>
            Previews
          </a>
          {role === 'deploy' && <a href="/admin/queues">Queues</a>}
        </nav>
        <span class={`stream stream-${streamState}`} role="status" title="Live updates from the controller">
          {streamState === 'live' ? 'live' : streamState === 'connecting' ? 'connecting…' : 'reconnecting…'}
        </span>
        <span class="role" data-role={role}>
          {role === 'deploy' ? 'deploy' : 'read-only'}
        </span>
        <button type="button" onClick={() => signOut(null)}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {route.page === 'apps' && <AppsPage query={route.query} />}
        {route.page === 'app' && <AppPage key={route.name} name={route.name} tab={route.tab} />}
        {route.page === 'previews' && <PreviewsPage />}
      </main>
    </SessionContext.Provider>
  );
}
