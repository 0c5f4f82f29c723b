import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

import { JOB_RUNNER, type JobRunner } from '../jobs/job-runner';
import type { JobStatus } from '../jobs/job.types';
import { sendAnswer } from './job-responder';

@Controller('v1/jobs')
export class JobsController {
  constructor(@Inject(JOB_RUNNER) private readonly jobs: JobRunner) {}

  /** State, progress and error of a job; the error as an answer gives it (code, message, details). */
  @Get(':id')
  async status(@Param('id') id: string) {
    return publicStatus(await this.jobs.status(id));
  }

  /** The job's answer, exactly as the synchronous request would have had it. */
  @Get(':id/result')
  async result(@Param('id') id: string, @Res() reply: FastifyReply) {
    const answer = await this.jobs.result(id);
    return sendAnswer(reply, answer, id);
  }
}

/** A job's status without the error's internal kind (what the job store keeps to map it to a status). */
function publicStatus(status: JobStatus) {
  if (status.error === undefined) {
    return status;
  }
  const { code, message, details } = status.error;
  return {
    ...status,
    error: details === undefined ? { code, message } : { code, message, details },
  };
}
