import { DomainError } from './domain-error';

/**
 * A form field named after a property every JavaScript object has
 * (`constructor`, `toString`, `__proto__`): the multipart reader refuses
 * it without saying which, and no parameter of any endpoint has such a name.
 */
export class ReservedFieldNameError extends DomainError {
  readonly code = 'INVALID_PARAMETER';
  readonly kind = 'invalid-argument';

  constructor() {
    super(
      'a form field is named after a property of JavaScript objects (constructor, toString, hasOwnProperty, __proto__, ...), which no parameter is: send only the parameters the endpoint takes',
    );
    this.name = 'ReservedFieldNameError';
  }
}
