export { PreviewController, type PreviewControllerOptions, type PreviewDecision } from './preview-controller.js';
export { PreviewStore } from './preview-store.js';
export type { PreviewRecord } from './preview-record.js';
export { previewAppName, previewNamespace, previewHost, parsePreviewAppName, isPreviewAppName } from './preview-names.js';
export { previewObjects, ingressHosts, PREVIEW_LABEL, PREVIEW_SECRET_ANNOTATION } from './preview-objects.js';
export { previewAppSpec } from './preview-spec.js';
export { BRIDGE_LABEL } from './preview-bridges.js';
export { CommitStatusReporter, type CommitStatusReporterOptions } from './commit-status-reporter.js';
export { previewSummaries, previewUrl } from './preview-summaries.js';
