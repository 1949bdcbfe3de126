export { startServiceProxy, type ServiceProxy, type ServiceProxyOptions } from './service-proxy.js';
export type { ServiceProxyStats, ServiceStats } from './proxy-stats.js';
export { EndpointPicker, endpointKey, type Endpoint, type EndpointPickerOptions } from './endpoint-picker.js';
export { dialEndpoint, type DialOptions, type DialResult } from './dial-endpoint.js';
export { NoReadyEndpointError } from './no-ready-endpoint-error.js';
export { startKernelServiceProxy, type KernelProxy, type KernelProxyOptions } from './kernel/kernel-proxy.js';
