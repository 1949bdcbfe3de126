export { createApiApp, type ApiAppOptions } from './api-app.js';
export { serverClassesFor, type ServerClasses } from './server-classes.js';
export type { ApiContext, PodExecStreams, PodLogOptions, PodLogProvider, PodStreamProvider } from './handlers/api-context.js';
export { createUpgradeHandler, type UpgradeHandler, type UpgradeHandlerOptions } from './streaming/upgrade-handler.js';
export { buildServedOpenApi, type ServedOpenApi } from './openapi/served-openapi.js';
export { startCrdController, type CrdControllerOptions } from './extension/crd-controller.js';
export { podSummary, type PodSummary } from './printing/pod-status.js';
export { toTable } from './printing/to-table.js';
export { validateObject } from './validation/validate-object.js';
