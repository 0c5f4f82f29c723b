import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

import { JOB_RUNNER, type JobRunner } from '../jobs/job-runner';
import { sendAnswer } from './job-responder';

@Controller('v1/jobs')
export class JobsController {
  constructor(@Inject(JOB_RUNNER) private readonly jobs: JobRunner) {}

  /** State, progress and error of a job. */
  @Get(':id')
  status(@Param('id') id: string) {
    return this.jobs.status(id);
  }

  /** The job's answer, exactly as the synchronous request would have had it. */
  @Get(':id/result')
  async result(@Param('id') id: string, @Res() reply: FastifyReply) {
    const answer = await this.jobs.result(id);
    return sendAnswer(reply, answer, id);
  }
}
