/** Pod and node CPU/memory usage: the sampler and the `metrics.k8s.io/v1beta1` API over it. */
export { startMetricsSampler, type MetricsSource, type PodUsage, type NodeUsage, type ContainerUsage, type RunningMetricsSampler, type MetricsSamplerOptions } from './metrics-sampler.js';
export { metricsApiRouter, metricsApiGroup, METRICS_GROUP } from './metrics-api.js';
