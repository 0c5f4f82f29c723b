import { OptionNotApplicableError } from '../errors/option-not-applicable.error';

/** Options of the feature-map picture that change how it looks, not which values it shows. */
export const FEATURE_MAP_PICTURE_OPTIONS = ['colormap', 'columns', 'tile'] as const;

/** Options of the kernel picture that change how it looks, not which weights it shows. */
export const KERNEL_PICTURE_OPTIONS = ['tile'] as const;

const WHY = 'it only changes how the picture is drawn; a tensor answer holds the values themselves';

/**
 * Refuses an option that only shapes a picture (colormap, tile, columns) when
 * the answer is a tensor, rather than answering as if it had been applied.
 * Only given options are checked: pass the parameters before defaults.
 * @param format the answer's format as the caller named it (REST png, npy or json; gRPC png or tensor)
 * @throws OptionNotApplicableError (INVALID_PARAMETER) naming the option, the format and why
 */
export function refusePictureOptions(
  given: Readonly<Partial<Record<string, unknown>>>,
  pictureOnly: readonly string[],
  format: string,
): void {
  if (format === 'png') {
    return;
  }
  for (const option of pictureOnly) {
    const value = given[option];
    if (value !== undefined) {
      throw new OptionNotApplicableError(
        option,
        { name: 'format', value: format },
        value,
        ['png'],
        WHY,
      );
    }
  }
}
