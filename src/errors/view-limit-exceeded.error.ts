import { DomainError } from './domain-error';

/** A view would draw or return more than the service allows (channels, tiles, layers). */
export class ViewLimitExceededError extends DomainError {
  readonly code = 'VIEW_LIMIT_EXCEEDED';
  readonly kind = 'invalid-argument';

  /** @param remedy how to ask for what was wanted within the limit, when there is a way */
  constructor(
    readonly parameter: string,
    readonly limit: number,
    readonly requested: number,
    readonly what: string,
    readonly remedy?: string,
  ) {
    const how = remedy === undefined ? '' : `; ${remedy}`;
    // 'out_limit x in_limit' names two parameters whose product is limited
    const names = parameter.split(' x ').map((name) => `"${name}"`);
    const subject = `${names.length > 1 ? 'parameters' : 'parameter'} ${names.join(' x ')}`;
    super(`${subject}: expected at most ${limit} ${what}, got ${requested}${how}`);
    this.name = 'ViewLimitExceededError';
  }

  override details(): Readonly<Record<string, unknown>> {
    return { parameter: this.parameter, limit: this.limit, requested: this.requested };
  }
}
