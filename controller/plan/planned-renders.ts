import type { RenderedObject } from '../../renderer/index.js';
import type { DroppedObject } from './preview-transform.js';

/** An app's render as its plan made it: valid for a sync of `revision` while the inputs key still matches. */
export interface PlannedRender {
  revision: string;
  inputsKey: string;
  objects: RenderedObject[];
  digest: string;
  /** What a preview left out (the plan's). @defaultValue none */
  dropped?: DroppedObject[];
}

export interface PlannedRendersOptions {
  /**
   * Objects held at most, over all apps; the oldest plans are dropped first (their syncs render).
   * @defaultValue 50000
   */
  maxObjects?: number;
}

/**
 * Plans handed from the app controller to a sync worker in the same process, so a
 * queued sync applies what the plan rendered instead of rendering it again. Held in
 * memory only: manifests (Secrets among them) are never written anywhere for it, and a
 * worker in another process, or after a restart, finds nothing and renders.
 * The worker checks the inputs key again before using a plan (planApp's skip).
 */
export class PlannedRenders {
  private readonly byApp = new Map<string, PlannedRender>();
  private held = 0;
  private readonly maxObjects: number;

  constructor(options: PlannedRendersOptions = {}) {
    this.maxObjects = options.maxObjects ?? 50_000;
  }

  /** Keeps `app`'s newest plan (replacing an older one); too large a plan is not kept. */
  put(app: string, planned: PlannedRender): void {
    this.drop(app);
    if (planned.objects.length > this.maxObjects) return;
    this.byApp.set(app, planned);
    this.held += planned.objects.length;
    // A Map iterates in insertion order: the first entries are the oldest plans.
    for (const name of this.byApp.keys()) {
      if (this.held <= this.maxObjects) break;
      this.drop(name);
    }
  }

  /** `app`'s plan of `revision`, handed over once (a later sync of it renders); undefined when none is kept. */
  take(app: string, revision: string): PlannedRender | undefined {
    const planned = this.byApp.get(app);
    if (planned?.revision !== revision) return undefined;
    this.drop(app);
    return planned;
  }

  /** Objects held, over all apps. */
  get size(): number {
    return this.held;
  }

  private drop(app: string): void {
    const planned = this.byApp.get(app);
    if (!planned) return;
    this.byApp.delete(app);
    this.held -= planned.objects.length;
  }
}

/** The process's plans: the app controller and the sync workers of one process share them unless given their own. */
export const processPlannedRenders = new PlannedRenders();
