import { describe, expect, it } from 'vitest';
import { expandVars } from '../../../../runtime/kubelet/expand-vars.js';

const vars: Record<string, string> = { POD_IP: '127.1.0.2', PORT: '8080', EMPTY: '' };
const lookup = (name: string) => vars[name];

describe('expandVars', () => {
  it.each([
    ['$(POD_IP):$(PORT)', '127.1.0.2:8080'],
    ['$(UNKNOWN) stays', '$(UNKNOWN) stays'],
    ['$$(POD_IP) is escaped', '$(POD_IP) is escaped'],
    ['$$$(PORT)', '$8080'],
    ['cost $5', 'cost $5'],
    ['trailing $', 'trailing $'],
    ['open $(POD_IP', 'open $(POD_IP'],
    ['[$(EMPTY)]', '[]'],
    ['$(POD_IP)$(PORT)', '127.1.0.28080'],
  ])('%s → %s', (input, expected) => {
    expect(expandVars(input, lookup)).toBe(expected);
  });
});
