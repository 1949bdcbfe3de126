import { describe, expect, it } from 'vitest';
import { droppedMessage } from '../../../../controller/plan/dropped-message.js';

const HOST = "its pods use the host's network (hostNetwork), which a preview may not";
const dropped = (n: number) => Array.from({ length: n }, (_, i) => ({ kind: 'Deployment', name: `web-${i + 1}`, reason: HOST }));

describe('droppedMessage', () => {
  it.each([
    { n: 0, message: '' },
    { n: 1, message: `1 object left out of the preview:\nDeployment web-1: ${HOST}` },
    { n: 2, message: `2 objects left out of the preview:\nDeployment web-1: ${HOST}\nDeployment web-2: ${HOST}` },
  ])('names each of $n dropped objects on its own line, under a count', ({ n, message }) => {
    expect(droppedMessage(dropped(n))).toBe(message);
  });

  it('names the first 10 of many and counts the rest', () => {
    const lines = droppedMessage(dropped(25)).split('\n');
    expect(lines[0]).toBe('25 objects left out of the preview:');
    expect(lines.slice(1, 11)).toEqual(Array.from({ length: 10 }, (_, i) => `Deployment web-${i + 1}: ${HOST}`));
    expect(lines.slice(11)).toEqual(['and 15 more']);
  });
});
