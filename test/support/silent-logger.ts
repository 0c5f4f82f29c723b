import { createLogger } from '../../src/logging/logger';

export const silentLogger = createLogger('silent');
