/**
 * How baton marks the objects it owns; prune finds them by these labels.
 * The names are the planner's (controller/plan/track-objects.ts) and must stay equal to them.
 */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'baton';
export const APP_LABEL = 'baton.dev/app';

/** `app.kubernetes.io/managed-by=baton,baton.dev/app=<app>`: every live object of one app. */
export function appSelector(app: string): string {
  return `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${APP_LABEL}=${app}`;
}
