import { DomainError } from './domain-error';

/** A multipart body that cannot be parsed: no boundary, cut off, parts never closed. */
export class MalformedUploadError extends DomainError {
  readonly code = 'MALFORMED_MULTIPART';
  readonly kind = 'invalid-argument';

  constructor(readonly reason: string) {
    super(
      `the multipart/form-data body could not be read (${reason}); send a well-formed form with a file field "image", as curl -F image=@file does`,
    );
    this.name = 'MalformedUploadError';
  }
}
