import { normalizeUrl } from '../../source/normalize-url.js';

/** The normalized, de-duplicated forms of the URLs a payload gives for one repository. */
export function repoUrls(urls: Array<string | null | undefined>): string[] {
  const seen = new Set<string>();
  for (const url of urls) {
    if (!url) continue;
    try {
      seen.add(normalizeUrl(url));
    } catch {
      // A URL the normalizer cannot read cannot match a configured repository either.
    }
  }
  return [...seen];
}
