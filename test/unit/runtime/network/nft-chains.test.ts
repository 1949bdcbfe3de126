import { describe, expect, it } from 'vitest';
import { chainUpdateScript, emptyLoaded, loadedAfter } from '../../../../runtime/network/nft-chains.js';

const group = (chains: Record<string, string[]>, sets: Record<string, string> = {}) => ({
  chains: new Map(Object.entries(chains)),
  sets: new Map(Object.entries(sets)),
});

describe('chainUpdateScript', () => {
  it('declares every chain before any rule, so rules may jump to chains declared later', () => {
    const script = chainUpdateScript('bt0', emptyLoaded(), group({ services: ['goto svc-a'], 'svc-a': ['accept'] }));
    expect(script.split('\n').filter(Boolean)).toEqual([
      'add chain inet bt0 services',
      'add chain inet bt0 svc-a',
      'add rule inet bt0 services goto svc-a',
      'add rule inet bt0 svc-a accept',
    ]);
  });

  it('loads nothing when nothing changed, and only the changed chain otherwise', () => {
    const first = group({ services: ['goto svc-a'], 'svc-a': ['accept'] });
    expect(chainUpdateScript('bt0', loadedAfter(first), first)).toBe('');
    const next = group({ services: ['goto svc-a'], 'svc-a': ['drop'] });
    expect(chainUpdateScript('bt0', loadedAfter(first), next)).toBe('flush chain inet bt0 svc-a\nadd rule inet bt0 svc-a drop\n');
  });

  it('deletes a chain no longer wanted after the rules that jumped to it are rewritten', () => {
    const before = loadedAfter(group({ services: ['goto svc-a'], 'svc-a': ['accept'] }));
    const lines = chainUpdateScript('bt0', before, group({ services: [] })).split('\n').filter(Boolean);
    expect(lines).toEqual(['flush chain inet bt0 svc-a', 'flush chain inet bt0 services', 'delete chain inet bt0 svc-a']);
  });

  it('adds a new set before the rules that use it, keeps a known one (its live entries), and deletes one gone after its chains', () => {
    const before = loadedAfter(group({ 'sep-a': ['update @aff-a { ip saddr }'] }, { 'aff-a': 'type ipv4_addr;' }));
    const lines = chainUpdateScript('bt0', before, group({ 'sep-b': ['update @aff-b { ip saddr }'] }, { 'aff-b': 'type ipv4_addr;' }))
      .split('\n')
      .filter(Boolean);
    expect(lines[0]).toBe('add set inet bt0 aff-b { type ipv4_addr; }');
    expect(lines.slice(-2)).toEqual(['delete chain inet bt0 sep-a', 'delete set inet bt0 aff-a']);
    expect(chainUpdateScript('bt0', before, group({ 'sep-a': ['update @aff-a { ip saddr }'] }, { 'aff-a': 'type ipv4_addr;' }))).toBe('');
  });
});
