export { openLocalCluster, type LocalCluster, type LocalClusterOptions } from './local-cluster.js';
export {
  parseLabelSelector,
  labelSelectorFromObject,
  formatLabelSelector,
  type LabelSelector,
  type LabelSelectorObject,
  type LabelRequirement,
  type LabelOperator,
} from './label-selector.js';
export { parseFieldSelector, fieldValue, type FieldSelector, type FieldRequirement } from './field-selector.js';
