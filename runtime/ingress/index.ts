export { startIngress, type IngressOptions, type RunningIngress } from './start-ingress.js';
export { buildRouteTable, type RouteTable, type RouteMatch, type IngressBackend, type RouteProblem } from './route-table.js';
export {
  servedByBaton,
  defaultIngressClass,
  INGRESS_CLASS,
  INGRESS_CONTROLLER,
  INGRESS_CLASS_ANNOTATION,
  DEFAULT_CLASS_ANNOTATION,
} from './ingress-class.js';
export { validateIngressSpec } from './validate-ingress.js';
