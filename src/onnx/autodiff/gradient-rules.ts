import { activationGradients } from './activation.gradients';
import { arithmeticGradients } from './arithmetic.gradients';
import { convGradients } from './conv.gradients';
import type { GradientRule, GradientRuleTable } from './gradient-rule';
import { linearGradients } from './linear.gradients';
import { normalizationGradients } from './normalization.gradients';
import { poolingGradients } from './pooling.gradients';
import { reductionGradients } from './reduction.gradients';
import { resizeGradients } from './resize.gradients';
import { shapeGradients } from './shape.gradients';

/** Every default-domain operator cnn-lens can differentiate, merged from the family tables. */
export const gradientRules: GradientRuleTable = {
  ...activationGradients,
  ...arithmeticGradients,
  ...reductionGradients,
  ...shapeGradients,
  ...resizeGradients,
  ...convGradients,
  ...linearGradients,
  ...poolingGradients,
  ...normalizationGradients,
};

/** The rule for a default-domain operator, or undefined when there is none. */
export function gradientRuleFor(opType: string, domain: string): GradientRule | undefined {
  const isDefaultDomain = domain === '' || domain === 'ai.onnx';
  return isDefaultDomain && Object.hasOwn(gradientRules, opType)
    ? gradientRules[opType]
    : undefined;
}
