import { RenderError } from '../errors/render-error.js';
import { formatBytes, type RenderLimits } from '../limits.js';

/** Where a step was taken, for the error: file, line, column. */
export type StepSite = () => [string, number, number];

/**
 * What one render's templates may spend, however they loop: loops nest and
 * partials recurse, so a few lines over a small list can ask for billions of
 * iterations or gigabytes of text before the output is ever measured. Steps
 * (loop iterations, partial and helper calls) and the text they produce
 * (counted at every level it passes through, so nesting costs) are capped;
 * passing either is a located TOO_LARGE error.
 */
export class WorkBudget {
  private steps = 0;
  private bytes = 0;
  readonly maxBytes: number;
  private readonly maxSteps: number;

  constructor(limits: Pick<RenderLimits, 'maxOutputBytes' | 'maxTemplateSteps'>) {
    // Nested loops and includes count the same text once per level: room for real charts' nesting.
    this.maxBytes = 16 * limits.maxOutputBytes;
    this.maxSteps = limits.maxTemplateSteps;
  }

  step(at: StepSite): void {
    if (++this.steps > this.maxSteps) {
      throw RenderError.at('TOO_LARGE', ...at(), `the templates ran more than ${this.maxSteps.toLocaleString('en-US')} loop iterations, partial and helper calls (a loop or include nested over itself?)`);
    }
  }

  produced(length: number, at: StepSite): void {
    this.bytes += length;
    if (this.bytes > this.maxBytes) {
      throw RenderError.at('TOO_LARGE', ...at(), `the templates produced more than ${formatBytes(this.maxBytes)} of text while rendering (loops or includes nested over large output?)`);
    }
  }
}
