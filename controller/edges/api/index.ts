export { appPodLogs, type AppPodLogsDeps } from './app-pod-logs.js';
export { appResources, type AppResourceTree, type AppResourcesDeps } from './app-resources.js';
export { commitLookup, type CommitSummary } from './commit-lookup.js';
export { createControllerApi } from './create-controller-api.js';
export type { AppDiffReport, ControllerApiDeps, PodLogsOptions, PreviewSummary } from './api-deps.js';
export type { AppDetail, AppSummary } from './app-summary.js';
export { parseRole, TokenStore, TOKEN_FILES, type ApiRole, type ApiTokens } from './token-store.js';
