import { InvalidParameterError } from '../errors/invalid-parameter.error';
import { OptionNotApplicableError } from '../errors/option-not-applicable.error';
import { CAM_FAMILY } from './cam-family.runner';
import { EXPLAIN_METHODS, type ExplainParameters } from './explain-parameters.schema';

/** The CAM family in the documented order of the methods. */
const CAM_METHODS: readonly string[] = EXPLAIN_METHODS.filter((m) => CAM_FAMILY.has(m));

/** The methods whose map is read at a layer: the CAM family, and guided Grad-CAM through its Grad-CAM. */
const LAYER_METHODS: readonly string[] = [...CAM_METHODS, 'guided-gradcam'];

type MethodOption = 'samples' | 'sigma' | 'seed' | 'steps' | 'baseline' | 'batch_size';

/** Options that only some methods read, and those methods. */
const METHOD_OPTIONS: readonly (readonly [MethodOption, readonly string[]])[] = [
  ['samples', ['smoothgrad']],
  ['sigma', ['smoothgrad']],
  ['seed', ['smoothgrad']],
  ['steps', ['integrated-gradients']],
  ['baseline', ['integrated-gradients']],
  ['batch_size', ['scorecam', 'ablationcam']],
];

type OutputOption = 'colormap' | 'alpha' | 'resolution';

/** Options that only some outputs read, and those outputs. */
const OUTPUT_OPTIONS: readonly (readonly [OutputOption, readonly string[]])[] = [
  ['colormap', ['overlay', 'heatmap']],
  ['alpha', ['overlay']],
  ['resolution', ['tensor']],
];

/**
 * Refuses an option the caller gave for a method or output that would not use
 * it, rather than answering a map that silently ignored it: `layer` with a
 * method that reads no layer; `aug_smooth=true` and `eigen_smooth=true` outside
 * the CAM family (guided-gradcam takes a layer but neither smoothing); the
 * smoothgrad, integrated-gradients and scorecam/ablationcam options with other
 * methods; `colormap`, `alpha` and `resolution` with outputs that draw no
 * picture or give no tensor; `format=npy` with a PNG output (format=json
 * applies to all). Only given options are checked: the options' defaults are
 * filled in after this (resolveExplainParameters). eigen_smooth with eigencam
 * or eigengradcam is kept: their map already is the first principal component
 * the option asks for.
 * @throws OptionNotApplicableError (INVALID_PARAMETER) naming the option, the method or output, and where it applies
 */
export function checkOptionsApply(options: ExplainParameters): void {
  const { method, output } = options;
  const forMethod = { name: 'method', value: method } as const;
  const forOutput = { name: 'output', value: output } as const;

  if (options.layer !== undefined && !LAYER_METHODS.includes(method)) {
    throw new OptionNotApplicableError('layer', forMethod, options.layer, LAYER_METHODS);
  }
  for (const option of ['aug_smooth', 'eigen_smooth'] as const) {
    if (options[option] && !CAM_METHODS.includes(method)) {
      throw new OptionNotApplicableError(option, forMethod, true, CAM_METHODS);
    }
  }
  for (const [option, methods] of METHOD_OPTIONS) {
    const given = options[option];
    if (given !== undefined && !methods.includes(method)) {
      throw new OptionNotApplicableError(option, forMethod, given, methods);
    }
  }
  for (const [option, outputs] of OUTPUT_OPTIONS) {
    const given = options[option];
    if (given !== undefined && !outputs.includes(output)) {
      throw new OptionNotApplicableError(option, forOutput, given, outputs);
    }
  }
  if (!options.normalize) {
    checkRawMapApplies(options);
  }
  if (options.format === 'npy' && output !== 'tensor') {
    throw new OptionNotApplicableError('format', forOutput, 'npy', [
      'tensor (format=json applies to every output)',
    ]);
  }
}

/** normalize=false: a tensor, of any method but guided-gradcam, without aug_smooth's average of normalised maps. */
function checkRawMapApplies(options: ExplainParameters): void {
  if (options.output !== 'tensor') {
    throw new OptionNotApplicableError(
      'normalize',
      { name: 'output', value: options.output },
      false,
      ['tensor'],
      'a picture is drawn from the normalised map',
    );
  }
  if (options.method === 'guided-gradcam') {
    throw new InvalidParameterError(
      'normalize',
      'true (the default) with method guided-gradcam, whose map is the product of two normalised maps',
      false,
    );
  }
  if (options.aug_smooth) {
    throw new InvalidParameterError(
      'normalize',
      'true (the default) with aug_smooth=true, which averages the min-max normalised maps of its variants',
      false,
    );
  }
}
