import { createProcessDriver } from '../../runtime/kubelet/index.js';
import { describePodDriverConformance } from './pod-driver-conformance.js';

describePodDriverConformance('process', () => createProcessDriver());
