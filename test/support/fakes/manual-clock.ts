import type { Clock } from '../../../controller/sync/ports/clock-port.js';

/** A clock that moves only when told. */
export class ManualClock implements Clock {
  private time: number;

  constructor(start = Date.UTC(2026, 0, 1, 12, 0, 0)) {
    this.time = start;
  }

  now(): Date {
    return new Date(this.time);
  }

  advance(ms: number): void {
    this.time += ms;
  }
}
