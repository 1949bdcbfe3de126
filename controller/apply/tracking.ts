/** How baton marks the objects it owns: the planner's names, which prune finds objects by. */
export { MANAGED_BY_LABEL, MANAGED_BY_VALUE, APP_LABEL, appSelector } from '../plan/track-objects.js';
