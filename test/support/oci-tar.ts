/** One entry of a tar archive; paths are relative (`bin/sh`, directories may end in `/`). */
export type TarEntry =
  | { type: 'file'; path: string; content: Buffer; mode?: number; uid?: number; gid?: number }
  | { type: 'dir'; path: string; mode?: number; uid?: number; gid?: number }
  | { type: 'symlink'; path: string; target: string }
  | { type: 'hardlink'; path: string; target: string };

/** Fixed mtime (2024-01-01T00:00:00Z) so the same entries always give the same bytes, hence the same digest. */
export const TAR_MTIME = 1_704_067_200;

const BLOCK = 512;

/**
 * Writes a POSIX ustar archive in memory, with PAX headers for paths or link
 * targets over 100 bytes. Written by hand rather than with `tar` so layers are
 * byte-for-byte reproducible and building stays synchronous.
 */
export function tarArchive(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const path = entry.type === 'dir' && !entry.path.endsWith('/') ? `${entry.path}/` : entry.path;
    const linkname = entry.type === 'symlink' || entry.type === 'hardlink' ? entry.target : '';
    const content = entry.type === 'file' ? entry.content : Buffer.alloc(0);
    const pax: Record<string, string> = {};
    if (Buffer.byteLength(path) > 100) pax.path = path;
    if (Buffer.byteLength(linkname) > 100) pax.linkpath = linkname;
    if (Object.keys(pax).length > 0) {
      const body = paxBody(pax);
      parts.push(header({ name: 'PaxHeader', typeflag: 'x', size: body.length, mode: 0o644 }), pad(body));
    }
    const typeflag = { file: '0', dir: '5', symlink: '2', hardlink: '1' }[entry.type];
    const defaultMode = entry.type === 'dir' ? 0o755 : entry.type === 'file' ? 0o644 : 0o777;
    const owned: { mode?: number; uid?: number; gid?: number } = entry.type === 'file' || entry.type === 'dir' ? entry : {};
    parts.push(
      header({
        name: path.slice(0, 100),
        linkname: linkname.slice(0, 100),
        typeflag,
        size: content.length,
        mode: (owned.mode ?? defaultMode) & 0o7777,
        uid: owned.uid ?? 0,
        gid: owned.gid ?? 0,
      }),
      pad(content),
    );
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

function header(h: { name: string; typeflag: string; size: number; mode: number; linkname?: string; uid?: number; gid?: number }): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.write(h.name, 0, 100, 'utf8');
  octal(b, 100, 8, h.mode);
  octal(b, 108, 8, h.uid ?? 0);
  octal(b, 116, 8, h.gid ?? 0);
  octal(b, 124, 12, h.size);
  octal(b, 136, 12, TAR_MTIME);
  b.fill(' ', 148, 156);
  b.write(h.typeflag, 156, 1, 'ascii');
  b.write(h.linkname ?? '', 157, 100, 'utf8');
  b.write('ustar\0', 257, 6, 'ascii');
  b.write('00', 263, 2, 'ascii');
  b.write((h.uid ?? 0) === 0 ? 'root' : '', 265, 32, 'ascii');
  b.write((h.gid ?? 0) === 0 ? 'root' : '', 297, 32, 'ascii');
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return b;
}

function octal(b: Buffer, offset: number, width: number, value: number): void {
  b.write(`${value.toString(8).padStart(width - 1, '0')}\0`, offset, width, 'ascii');
}

/** PAX records are `<len> <key>=<value>\n` where len counts the whole record, itself included. */
function paxBody(fields: Record<string, string>): Buffer {
  let out = '';
  for (const [key, value] of Object.entries(fields)) {
    const rest = ` ${key}=${value}\n`;
    let len = Buffer.byteLength(rest) + 1;
    while (String(len).length + Buffer.byteLength(rest) !== len) len = String(len).length + Buffer.byteLength(rest);
    out += `${len}${rest}`;
  }
  return Buffer.from(out, 'utf8');
}

function pad(data: Buffer): Buffer {
  const rest = data.length % BLOCK;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(BLOCK - rest)]);
}
