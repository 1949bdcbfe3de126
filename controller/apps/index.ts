export type { AppSpec, RepositorySpec, SyncPolicy, RolloutPolicy, PreviewPolicy, SyncStatus, HealthStatus } from './app-spec.js';
export { parseBatonYaml } from './parse-baton-yaml.js';
export { parseAppFlag, parseAppFlags } from './parse-app-flag.js';
export { ConfigError, type ConfigErrorCode, type ConfigErrorData } from './config-error.js';
export { formatFieldPath, type FieldPath, type Position } from './field-path.js';
