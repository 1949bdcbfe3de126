import { isPlainMap, type Values } from './values.js';

/**
 * Layers values, lowest first, the way Helm coalesces them: maps merge
 * deeply, any other value (lists included) replaces what was below it, and a
 * `null` deletes the key. Inputs are not modified.
 */
export function mergeValues(...layers: (Values | undefined)[]): Values {
  let out: Values = {};
  for (const layer of layers) {
    if (layer) out = mergeTwo(out, layer);
  }
  return out;
}

function mergeTwo(base: Values, over: Values): Values {
  const out: Values = {};
  for (const [k, v] of Object.entries(base)) out[k] = v;
  for (const [k, v] of Object.entries(over)) {
    // Loaders refuse this key; skipping it here keeps a hand-built object from reaching a prototype.
    if (k === '__proto__') continue;
    if (v === null) {
      delete out[k];
    } else if (isPlainMap(v) && isPlainMap(out[k])) {
      out[k] = mergeTwo(out[k] as Values, v);
    } else {
      out[k] = isPlainMap(v) ? mergeTwo({}, v) : v;
    }
  }
  return out;
}
