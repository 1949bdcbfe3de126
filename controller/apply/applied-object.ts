export type ApplyAction = 'created' | 'configured' | 'unchanged' | 'pruned';

/** What a sync did to one object, for the app's status and history. */
export interface AppliedObject {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  action: ApplyAction;
}
