/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import request from 'supertest';

import { useTestApp } from '../support/http-app';

/** What Fastify's router refuses before any route: answered in the service's error body. */
describe('router errors', () => {
  const app = useTestApp();

  it.each(['/v1/jobs/', '/v1/models/'])(
    'a path parameter of 101 characters (%s...) is 414 PATH_PARAMETER_TOO_LONG, not echoed',
    async (prefix) => {
      const response = await request(app().getHttpServer()).get(`${prefix}${'a'.repeat(101)}`);

      expect(response.status).toBe(414);
      expect(response.body).toEqual({
        error: {
          code: 'PATH_PARAMETER_TOO_LONG',
          message: 'a path parameter (a model name, a job id) must have at most 100 characters',
        },
      });
    },
  );

  it('a path parameter of 100 characters reaches the route', async () => {
    const response = await request(app().getHttpServer()).get(`/v1/jobs/${'a'.repeat(100)}`);

    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('JOB_NOT_FOUND');
  });

  it('a path parameter that is not valid percent-encoding is 400 BAD_REQUEST', async () => {
    const response = await request(app().getHttpServer()).get('/v1/models/%E0%A4%A');

    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      error: { code: 'BAD_REQUEST', message: 'the URL path is not valid percent-encoding' },
    });
  });
});
