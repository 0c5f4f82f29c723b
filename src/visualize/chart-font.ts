/**
 * The one font family every chart and label names. librsvg (inside sharp)
 * resolves it through fontconfig; DejaVu Sans ships with Debian's
 * fonts-dejavu-core, which the runtime image must install.
 */
export const CHART_FONT = 'DejaVu Sans';
