import pino from 'pino';

/** The structured logger every core class takes; JSON lines, never a payload. */
export type Logger = pino.Logger;

export function createLogger(level: pino.LevelWithSilent): Logger {
  return pino({
    level,
    base: { service: 'cnn-lens' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
