import { isObject } from './json-value.js';

/**
 * Ordering of a merged list, as strategic merge patch defines it: items named
 * by the patch (or its `$setElementOrder`) take the patch's order, items only
 * on the server keep theirs, and the two are interleaved using the live list's
 * order as the reference (design proposal "preserve order in strategic merge
 * patch"). Items unknown to the live list go before remaining server-only ones.
 */
export function orderMergedList(
  merged: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  mergeKey: string | undefined,
): unknown[] {
  const id = identity(mergeKey);
  const patchIds = patchOrder.map(id);
  const patchItems: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const item of merged) (patchIds.some((p) => p === id(item)) ? patchItems : serverOnly).push(item);
  const sortedPatch = stableSortBy(patchItems, patchOrder, id);
  const sortedServer = stableSortBy(serverOnly, serverOrder, id);
  return interleave(sortedServer, sortedPatch, serverOrder, id);
}

/** What identifies a list item: its merge key value, or the scalar itself. */
export function identity(mergeKey: string | undefined): (item: unknown) => unknown {
  return mergeKey ? (item) => (isObject(item) ? item[mergeKey] : undefined) : (item) => item;
}

function indexIn(order: unknown[], item: unknown, id: (v: unknown) => unknown): number {
  const want = id(item);
  return order.findIndex((o) => id(o) === want);
}

function stableSortBy(items: unknown[], order: unknown[], id: (v: unknown) => unknown): unknown[] {
  const known = items.filter((i) => indexIn(order, i, id) >= 0);
  const unknown = items.filter((i) => indexIn(order, i, id) < 0);
  known.sort((a, b) => indexIn(order, a, id) - indexIn(order, b, id));
  return [...known, ...unknown];
}

/** Merge two sorted lists; a left item goes first only when the server order says it precedes the right one. */
function interleave(left: unknown[], right: unknown[], serverOrder: unknown[], id: (v: unknown) => unknown): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (j >= right.length) out.push(left[i++]);
    else if (i >= left.length) out.push(right[j++]);
    else {
      const li = indexIn(serverOrder, left[i], id);
      const ri = indexIn(serverOrder, right[j], id);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}
