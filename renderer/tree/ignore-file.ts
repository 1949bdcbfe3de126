import ignoreModule from 'ignore';

// `ignore` is CommonJS with a TypeScript default export; NodeNext sees the module object.
const ignore = ((ignoreModule as any).default ?? ignoreModule) as typeof ignoreModule.default;

/** Matcher for a gitignore-style file (`.batonignore`); paths are relative to the file's directory. */
export function ignoreMatcher(text: string | undefined): (relPath: string, isDir: boolean) => boolean {
  if (text === undefined) return () => false;
  const ig = ignore().add(text);
  return (relPath, isDir) => relPath !== '' && ig.ignores(isDir ? `${relPath}/` : relPath);
}

/** A glob (`*`, `**`, `?`, `{a,b}`) as an anchored regular expression over `/` paths. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      re += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '{') re += '(?:';
    else if (c === '}') re += ')';
    else if (c === ',' && glob.lastIndexOf('{', i) > glob.lastIndexOf('}', i)) re += '|';
    else re += c.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
