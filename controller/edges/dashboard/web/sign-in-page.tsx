import { useEffect, useRef, useState } from 'preact/hooks';

/** The token form; `error` says why the last attempt failed. */
export function SignInPage({ onSubmit, error, busy }: { onSubmit: (token: string) => void; error: string | null; busy: boolean }) {
  const [token, setToken] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    document.title = 'Sign in · baton';
    input.current?.focus();
  }, []);
  return (
    <main id="main" class="sign-in">
      <h1>baton</h1>
      <form
        aria-labelledby="sign-in-title"
        onSubmit={(e) => {
          e.preventDefault();
          if (token.trim()) onSubmit(token.trim());
        }}
      >
        <h2 id="sign-in-title">Sign in</h2>
        <p class="muted">
          Paste an API token: <code>&lt;state-dir&gt;/api-token</code> may sync and roll back, <code>api-token-readonly</code> may only look.
        </p>
        <label for="token">API token</label>
        <input
          ref={input}
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          spellcheck={false}
          required
          value={token}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'sign-in-error' : undefined}
          onInput={(e) => setToken(e.currentTarget.value)}
        />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        {error && (
          <p id="sign-in-error" role="alert" class="error">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}
