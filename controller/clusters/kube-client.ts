// What baton runs of @kubernetes/client-node, imported by path so nothing else of it loads.
//
// Every value baton takes from client-node comes through this module (types may come from the
// package itself). The package's index, and its config.js through gen/index.js, load every
// generated API class and model: ~24 MB of source, ~70 MiB of RSS in a process of its own.
// `npm run build` replaces the compiled module with a bundle of these exports alone
// (bundle-kube-client.ts): esbuild leaves out the generated API classes and the ObservableAPI
// wrappers baton does not construct, about half of that. Tests and tsx run the package as it is.
export { KubeConfig } from '@kubernetes/client-node/dist/config.js';
export { KubernetesObjectApi } from '@kubernetes/client-node/dist/object.js';
export { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js';
export { Watch } from '@kubernetes/client-node/dist/watch.js';
export { PatchStrategy } from '@kubernetes/client-node/dist/patch.js';
export { ObjectCoreV1Api as CoreV1Api, ObjectAppsV1Api as AppsV1Api } from '@kubernetes/client-node/dist/gen/types/ObjectParamAPI.js';
export { createConfiguration } from '@kubernetes/client-node/dist/gen/configuration.js';
export { ServerConfiguration } from '@kubernetes/client-node/dist/gen/servers.js';
export { ResponseContext, wrapHttpLibrary } from '@kubernetes/client-node/dist/gen/http/http.js';
