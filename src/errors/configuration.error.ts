import { DomainError } from './domain-error';

export interface ConfigurationProblem {
  readonly variable: string;
  /** The value as given; undefined when the variable is unset (or empty, which counts as unset). */
  readonly received: string | undefined;
  readonly expected: string;
}

function problemText(problem: ConfigurationProblem): string {
  return problem.received === undefined
    ? `${problem.variable} is unset: expected ${problem.expected}`
    : `${problem.variable}="${problem.received}" is invalid: expected ${problem.expected}`;
}

/** Raised at start when an environment variable is invalid; the process stops with this message. */
export class ConfigurationError extends DomainError {
  readonly code = 'INVALID_CONFIGURATION';
  readonly kind = 'internal';

  constructor(readonly problems: readonly ConfigurationProblem[]) {
    super(problems.map(problemText).join('; '));
    this.name = 'ConfigurationError';
  }
}
