import type { JobHandler } from './job-handler';
import type { JobKind } from './job.types';

export type JobHandlerRegistry = ReadonlyMap<JobKind, JobHandler>;

export const JOB_HANDLERS = Symbol('JOB_HANDLERS');
