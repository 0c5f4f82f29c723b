import type { JobOptionValue } from '../jobs/job.types';
import { parseParameters } from '../http/parameter.parser';
import { type ExplainParameters, explainParametersSchema } from './explain-parameters.schema';

/** The validated parameters as a job's options: plain scalars, without `async` and unset ones (well under 1 KB). */
export function toJobOptions(parameters: ExplainParameters): Record<string, JobOptionValue> {
  const options: Record<string, JobOptionValue> = {};
  for (const [key, value] of Object.entries(parameters)) {
    if (key !== 'async' && key !== 'model' && value !== undefined) {
      options[key] = value;
    }
  }
  return options;
}

/**
 * A job's options back as parameters, validated again by the same schema (a
 * queue worker may receive jobs from another version of the API).
 */
export function fromJobOptions(
  options: Readonly<Record<string, JobOptionValue>>,
): ExplainParameters {
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value !== null && !Array.isArray(value)) {
      fields[key] = String(value);
    }
  }
  return parseParameters(explainParametersSchema, {}, fields);
}
