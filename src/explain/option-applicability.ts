import { OptionNotApplicableError } from '../errors/option-not-applicable.error';
import { CAM_FAMILY } from './cam-family.runner';
import { EXPLAIN_METHODS, type ExplainParameters } from './explain-parameters.schema';

/** The CAM family in the documented order of the methods. */
const CAM_METHODS: readonly string[] = EXPLAIN_METHODS.filter((m) => CAM_FAMILY.has(m));

/** The methods whose map is read at a layer: the CAM family, and guided Grad-CAM through its Grad-CAM. */
const LAYER_METHODS: readonly string[] = [...CAM_METHODS, 'guided-gradcam'];

/**
 * Refuses `layer`, `aug_smooth=true` and `eigen_smooth=true` with a method
 * that would not use them (the input-gradient methods; guided-gradcam takes
 * a layer but neither smoothing), rather than answering a map that silently
 * ignored them. eigen_smooth with eigencam or eigengradcam is kept: their map
 * already is the first principal component the option asks for.
 * @throws OptionNotApplicableError (INVALID_PARAMETER) naming the option and the method
 */
export function checkOptionsApply(options: ExplainParameters): void {
  const { method } = options;
  if (options.layer !== undefined && !LAYER_METHODS.includes(method)) {
    throw new OptionNotApplicableError('layer', method, options.layer, LAYER_METHODS);
  }
  for (const option of ['aug_smooth', 'eigen_smooth'] as const) {
    if (options[option] && !CAM_METHODS.includes(method)) {
      throw new OptionNotApplicableError(option, method, true, CAM_METHODS);
    }
  }
}
