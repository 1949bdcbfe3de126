export { compileNetworkPolicies, INGRESS_CHAIN, EGRESS_CHAIN, type NetworkPolicyInput, type CompiledNetworkPolicies } from './compile-network-policies.js';
export { policyPodOf, type PolicyPod, type PolicyPodPort, type PolicyProtocol } from './policy-pod.js';
export type { PolicyProblem } from './policy-problem.js';
export { startPolicyEnforcer, type PolicyEnforcer, type PolicyEnforcerOptions } from './enforce-policies.js';
