import { useEffect, useRef, useState } from 'preact/hooks';
import { useSession } from './session.js';

const TAILS = [50, 100, 500, 1000];
/** While following, the tail is read again this often (the API serves the last lines, not a stream). */
const FOLLOW_MS = 2000;

/** The last lines of each container of the app's pods; Follow keeps reading them. */
export function PodLogs({ name }: { name: string }) {
  const { api } = useSession();
  const [tail, setTail] = useState(100);
  const [follow, setFollow] = useState(false);
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const pre = useRef<HTMLPreElement>(null);

  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = async () => {
      try {
        const t = await api.call('GET /apps/:name/logs', { params: { name }, query: { tail } });
        if (!live) return;
        const el = pre.current;
        const atBottom = !el || el.scrollTop + el.clientHeight >= el.scrollHeight - 8;
        setText(t);
        setError(null);
        // Follow sticks to the end unless the reader scrolled up to read.
        if (follow && atBottom) requestAnimationFrame(() => pre.current && (pre.current.scrollTop = pre.current.scrollHeight));
      } catch (err) {
        if (live) setError((err as Error).message);
      }
      if (live && follow) timer = setTimeout(read, FOLLOW_MS);
    };
    void read();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, name, tail, follow]);

  return (
    <div class="logs">
      <div class="log-controls">
        <label>
          Lines per container
          <select value={tail} onChange={(e) => setTail(Number(e.currentTarget.value))}>
            {TAILS.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.currentTarget.checked)} /> Follow
        </label>
      </div>
      {error && (
        <p class="error" role="alert">
          Could not read the logs: {error}
        </p>
      )}
      <pre ref={pre} class="log-text" tabIndex={0} aria-label={`Logs of ${name}`} data-follow={follow}>
        {text ?? 'Reading…'}
      </pre>
    </div>
  );
}
