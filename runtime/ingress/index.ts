export { startIngress, type IngressOptions, type RunningIngress } from './start-ingress.js';
export { buildRouteTable, type RouteTable, type RouteMatch, type IngressBackend, type RouteProblem } from './route-table.js';
export { servedByBaton, INGRESS_CLASS } from './ingress-class.js';
export { validateIngressSpec } from './validate-ingress.js';
