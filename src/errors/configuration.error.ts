import { DomainError } from './domain-error';

export interface ConfigurationProblem {
  readonly variable: string;
  readonly received: string;
  readonly expected: string;
}

/** Raised at start when an environment variable is invalid; the process stops with this message. */
export class ConfigurationError extends DomainError {
  readonly code = 'INVALID_CONFIGURATION';
  readonly kind = 'internal';

  constructor(readonly problems: readonly ConfigurationProblem[]) {
    super(
      problems
        .map((p) => `${p.variable}="${p.received}" is invalid: expected ${p.expected}`)
        .join('; '),
    );
    this.name = 'ConfigurationError';
  }
}
