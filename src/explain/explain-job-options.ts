import type { JobOptionValue } from '../jobs/job.types';
import { parseParameters, type ParameterValue } from '../http/parameter.parser';
import {
  type ExplainParameters,
  explainParametersSchema,
  OPTION_DEFAULTS,
} from './explain-parameters.schema';

/**
 * Marks a job's options as the ones its caller gave. An API from before the
 * option-applicability rules queued every default too (colormap=jet with a
 * tensor, steps=32 with gradcam): a worker reads such a job without the
 * values that equal a default, so that a rolling deploy does not refuse
 * options nobody gave.
 */
const AS_GIVEN = 'options_as_given';

/** The validated parameters as a job's options: plain scalars, without `async` and unset ones (well under 1 KB). */
export function toJobOptions(parameters: ExplainParameters): Record<string, JobOptionValue> {
  const options: Record<string, JobOptionValue> = { [AS_GIVEN]: true };
  for (const [key, value] of Object.entries(parameters)) {
    if (key !== 'async' && key !== 'model' && value !== undefined) {
      options[key] = value;
    }
  }
  return options;
}

const isDefault = (key: string, value: JobOptionValue): boolean =>
  Object.entries(OPTION_DEFAULTS).some(([name, byDefault]) => name === key && byDefault === value);

/**
 * A job's options back as parameters, validated again by the same schema (a
 * queue worker may receive jobs from another version of the API). A list (a
 * repeated `target`) comes back as the repeated parameter it was.
 */
export function fromJobOptions(
  options: Readonly<Record<string, JobOptionValue>>,
): ExplainParameters {
  const legacy = options[AS_GIVEN] !== true;
  // Numbers stay numbers, as gRPC gives them: written as text, 1e-7 would be refused as "1e-7".
  const fields: Record<string, ParameterValue | number> = {};
  for (const [key, value] of Object.entries(options)) {
    if (Array.isArray(value)) {
      fields[key] = value.map(String);
    } else if (value !== null && !(legacy && isDefault(key, value))) {
      fields[key] = typeof value === 'number' ? value : String(value);
    }
  }
  return parseParameters(explainParametersSchema, fields);
}
