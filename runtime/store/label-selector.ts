import { badRequest } from '../errors/status-error.js';
import { labelQuery, parseLabelQuery, type LabelQuery, type LabelSelector } from '../kube/label-selector.js';

// The selector grammar and matching live in runtime/kube/label-selector.ts;
// here a malformed selector from a request becomes a BadRequest.
const rejected = (message: string): never => {
  throw badRequest(message);
};

/** A `?labelSelector=` query; malformed text is a BadRequest naming the offending part. */
export function parseLabelSelector(selector: string | undefined): LabelQuery {
  return parseLabelQuery(selector, rejected);
}

/** A metav1.LabelSelector as a query (absent matches everything); an unknown operator is a BadRequest. */
export function labelSelectorFromObject(selector: LabelSelector | undefined): LabelQuery {
  return labelQuery(selector, rejected);
}
