export interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly details?: Readonly<Record<string, unknown>>;
  };
}

export const errorBody = (
  code: string,
  message: string,
  details?: Readonly<Record<string, unknown>>,
): ErrorBody => ({ error: details === undefined ? { code, message } : { code, message, details } });
