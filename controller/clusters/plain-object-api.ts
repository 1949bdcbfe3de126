import type { KubernetesObject } from '@kubernetes/client-node';
import { KubeConfig, KubernetesObjectApi, ObjectSerializer, type ResponseContext } from './kube-client.js';

/**
 * client-node's generic object client, answering with the API server's JSON
 * as it came instead of client-node's typed models. Requests are built,
 * serialized and authenticated by client-node as before; only the answer is
 * not walked into models. That walk (every attribute of every object, Dates
 * built from timestamps) was most of what a drift check of 1,000 apps
 * allocated and a few percent of a large apply's CPU, for answers nobody
 * reads as models: a dry-run's is dropped, an apply's and a list's are
 * digested or diffed as JSON. It also kept fields client-node's models do
 * not know from dropping out. Refusals go through client-node as before
 * (ApiException with the Status body).
 */
export class PlainObjectApi extends KubernetesObjectApi {
  static override makeApiClient(kc: KubeConfig): PlainObjectApi {
    const client = kc.makeApiClient(PlainObjectApi);
    client.setDefaultNamespace(kc);
    return client;
  }

  protected override async processResponse<T extends KubernetesObject>(response: ResponseContext, type?: string): Promise<T> {
    if (response.httpStatusCode < 200 || response.httpStatusCode > 299) return super.processResponse(response, type);
    return ObjectSerializer.parse(await response.body.text(), ObjectSerializer.normalizeMediaType(response.headers['content-type'])) as T;
  }
}
