import { promises as fs } from 'node:fs';
import { connect } from 'node:net';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';

import sharp from 'sharp';
import request from 'supertest';

import { REPO_ROOT, useTestApp } from '../support/http-app';

const PREDICT = '/v1/models/fashion-mnist/predict';

async function examplePng(): Promise<Buffer> {
  const labels = JSON.parse(
    await fs.readFile(path.join(REPO_ROOT, 'examples/labels.json'), 'utf8'),
  );
  return fs.readFile(path.join(REPO_ROOT, 'examples', Object.keys(labels)[0]));
}

/** The twelve Fashion-MNIST test images of examples/ (<test index>-<label>.png), grey PNGs. */
async function exampleGarments(): Promise<Buffer[]> {
  const labels = JSON.parse(
    await fs.readFile(path.join(REPO_ROOT, 'examples/labels.json'), 'utf8'),
  );
  const files = Object.keys(labels).filter((file) => /^\d{4}-.+\.png$/.test(file));
  return Promise.all(files.map((file) => fs.readFile(path.join(REPO_ROOT, 'examples', file))));
}

/**
 * The garment as white paint on a transparent sheet: every pixel white, its
 * alpha the garment's grey level. Flattened onto black it is the original
 * picture again (255 x alpha / 255); onto white, a blank page.
 */
async function whiteCutOut(greyPng: Buffer): Promise<Buffer> {
  const { data, info } = await sharp(greyPng)
    .toColourspace('b-w')
    .raw()
    .toBuffer({ resolveWithObject: true });
  expect(info.channels).toBe(1);
  const rgba = Buffer.alloc(info.width * info.height * 4, 255);
  data.forEach((grey, i) => {
    rgba[4 * i + 3] = grey;
  });
  return sharp(rgba, { raw: { width: info.width, height: info.height, channels: 4 } })
    .png()
    .toBuffer();
}

describe('image intake over HTTP', () => {
  const app = useTestApp({ MAX_IMAGE_PIXELS: '250000' });

  const expectError = (response: request.Response, status: number, code: string) => {
    expect(response.status).toBe(status);
    expect(response.body).toEqual({
      error: expect.objectContaining({ code, message: expect.any(String) }),
    });
  };

  it('should answer 400 IMAGE_MISSING for an empty raw body', async () => {
    const response = await request(app().getHttpServer())
      .post(PREDICT)
      .set('Content-Type', 'image/png')
      .send(Buffer.alloc(0));

    expectError(response, 400, 'IMAGE_MISSING');
  });

  it('should answer 400 IMAGE_MISSING for a multipart form without an image field', async () => {
    const response = await request(app().getHttpServer()).post(PREDICT).field('top_k', '3');

    expectError(response, 400, 'IMAGE_MISSING');
    expect(response.body.error.message).toContain('"image"');
  });

  it('should say that the image file came empty, not that no image came', async () => {
    const response = await request(app().getHttpServer())
      .post(PREDICT)
      .attach('image', Buffer.alloc(0), 'zero.png');

    expectError(response, 400, 'IMAGE_MISSING');
    expect(response.body.error.message).toBe(
      'parameter "image" must hold the bytes of an image, but it was empty',
    );
  });

  it('should answer 415 UNSUPPORTED_MEDIA_TYPE for bytes that are not an image', async () => {
    const response = await request(app().getHttpServer())
      .post(PREDICT)
      .attach('image', Buffer.from('%PDF-1.4 this is a document, not a picture'), 'doc.pdf');

    expectError(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('should answer 415 for a request body of a content type it does not read', async () => {
    const response = await request(app().getHttpServer())
      .post(PREDICT)
      .set('Content-Type', 'text/plain')
      .send('hello');

    expectError(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect(response.body.error.message).toContain('"text/plain"');
  });

  /** Posts to predict through Fastify's inject, which sends the headers as given, even wrong ones. */
  const inject = (headers: Record<string, string>, payload: string | Buffer) =>
    app().getHttpAdapter().getInstance().inject({ method: 'POST', url: PREDICT, headers, payload });

  const ACCEPTED =
    'carries no image: send multipart/form-data with a file field "image", or the image bytes with an image/* or application/octet-stream content type';

  it.each([
    ['text/plain', 'png'],
    ['text/html', 'png'],
    ['application/xml', 'png'],
    ['application/pdf', 'png'],
    ['video/mp4', 'png'],
    ['application/json', '{"image": "not like this"}'],
    ['application/json', '{ malformed'],
    ['application/x-www-form-urlencoded', 'image=boot.png'],
  ])(
    'should answer 415 UNSUPPORTED_MEDIA_TYPE for a %s body (%s), saying what it got and what it takes',
    async (contentType, body) => {
      const payload = body === 'png' ? await examplePng() : body;
      const response = await inject({ 'content-type': contentType }, payload);

      expect(response.statusCode).toBe(415);
      expect(response.json()).toEqual({
        error: {
          code: 'UNSUPPORTED_MEDIA_TYPE',
          message: `request content type "${contentType}" ${ACCEPTED}`,
          details: {
            received: contentType,
            accepted: ['multipart/form-data', 'image/*', 'application/octet-stream'],
          },
        },
      });
    },
  );

  it('should answer 415 UNSUPPORTED_MEDIA_TYPE for a body without a Content-Type', async () => {
    const response = await inject({}, await examplePng());

    expect(response.statusCode).toBe(415);
    expect(response.json().error).toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: `a request body without a Content-Type ${ACCEPTED}`,
    });
  });

  const UNCOMPRESSED =
    'is not supported: send the request body uncompressed, without a Content-Encoding header (image formats are compressed already)';

  it.each(['gzip', 'br', 'deflate', 'GZIP', 'identity, gzip'])(
    'should answer 415 UNSUPPORTED_MEDIA_TYPE for a raw body with Content-Encoding: %s, saying to send it uncompressed',
    async (encoding) => {
      const response = await inject(
        { 'content-type': 'image/png', 'content-encoding': encoding },
        gzipSync(await examplePng()),
      );

      expect(response.statusCode).toBe(415);
      expect(response.json().error).toEqual({
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: `Content-Encoding ${JSON.stringify(encoding)} ${UNCOMPRESSED}`,
        details: { received: encoding, accepted: ['identity'] },
      });
    },
  );

  it('should refuse a compressed multipart form without reading it, closing the connection', async () => {
    const response = await request(app().getHttpServer())
      .post(PREDICT)
      .set('Content-Encoding', 'gzip')
      .attach('image', await examplePng(), 'a.png');

    expectError(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect(response.body.error.message).toBe(`Content-Encoding "gzip" ${UNCOMPRESSED}`);
    expect(response.headers.connection).toBe('close');
  });

  it('should take a body with Content-Encoding: identity as it is', async () => {
    const response = await inject(
      { 'content-type': 'image/png', 'content-encoding': 'identity' },
      await examplePng(),
    );

    expect(response.statusCode).toBe(200);
  });

  it('should answer 400 BAD_REQUEST, a documented code, when the body is shorter than its Content-Length', async () => {
    const png = await examplePng();
    const response = await inject(
      { 'content-type': 'image/png', 'content-length': String(png.length + 10) },
      png,
    );

    expect(response.statusCode).toBe(400);
    expect(response.json().error).toEqual({
      code: 'BAD_REQUEST',
      message: 'Request body size did not match Content-Length',
    });
    const readme = await fs.readFile(path.join(REPO_ROOT, 'README.md'), 'utf8');
    expect(readme).toMatch(/^\| 400 +\|.*`BAD_REQUEST`/m);
  });

  it('should reject a truncated PNG instead of decoding it into grey', async () => {
    const png = await examplePng();
    const response = await request(app().getHttpServer())
      .post(PREDICT)
      .attach('image', png.subarray(0, Math.floor(png.length * 0.6)), 'cut.png');

    expectError(response, 400, 'IMAGE_CORRUPT');
  });

  it('should reject a truncated JPEG', async () => {
    const jpeg = await sharp({
      create: { width: 64, height: 64, channels: 3, background: '#3080c0' },
    })
      .jpeg()
      .toBuffer();
    const response = await request(app().getHttpServer())
      .post(PREDICT)
      .attach('image', jpeg.subarray(0, Math.floor(jpeg.length / 2)), 'cut.jpg');

    expectError(response, 400, 'IMAGE_CORRUPT');
  });

  it('should answer 413 IMAGE_TOO_LARGE when the pixel count exceeds MAX_IMAGE_PIXELS', async () => {
    const big = await sharp({
      create: { width: 600, height: 600, channels: 3, background: '#000' },
    })
      .png()
      .toBuffer();
    const response = await request(app().getHttpServer())
      .post(PREDICT)
      .attach('image', big, 'big.png');

    expectError(response, 413, 'IMAGE_TOO_LARGE');
    expect(response.body.error.message).toContain('600 x 600');
  });

  it('should accept an RGB JPEG for the grayscale model', async () => {
    const png = await examplePng();
    const jpeg = await sharp(png).resize(140, 140).toColourspace('srgb').jpeg().toBuffer();
    const response = await request(app().getHttpServer())
      .post(PREDICT)
      .attach('image', jpeg, 'x.jpg')
      .expect(200);

    expect(response.body.predictions[0]).toMatchObject({ width: 140, height: 140 });
  });

  it('should flatten a transparent garment onto black, the bundled model.json background, and classify it as the original', async () => {
    const top = async (image: Buffer): Promise<number> => {
      const response = await request(app().getHttpServer())
        .post(PREDICT)
        .attach('image', image, 'garment.png')
        .expect(200);
      const body = response.body as { predictions: { top: { index: number }[] }[] };
      return body.predictions[0].top[0].index;
    };
    const original: number[] = [];
    const cutOut: number[] = [];

    for (const png of await exampleGarments()) {
      const transparent = await whiteCutOut(png);
      expect(await sharp(transparent).metadata()).toMatchObject({ channels: 4, hasAlpha: true });
      original.push(await top(png));
      cutOut.push(await top(transparent));
    }

    // Flattened onto white, every cut-out would be the same blank picture: one class for all.
    expect(new Set(original).size).toBeGreaterThan(2);
    expect(cutOut).toEqual(original);
  });
});

describe('upload size limit', () => {
  const app = useTestApp({ MAX_UPLOAD_BYTES: '4096' });
  let base: string;

  beforeAll(async () => {
    await app().listen({ port: 0, host: '127.0.0.1' });
    base = await app().getUrl();
  });

  const oversized = Buffer.alloc(64 * 1024, 7);

  it('should answer 413 every time for raw bodies, closing each connection whose body it did not read', async () => {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const response = await fetch(`${base}${PREDICT}`, {
        method: 'POST',
        headers: { 'content-type': 'image/png' },
        body: oversized,
      });
      expect(response.status).toBe(413);
      expect(response.headers.get('connection')).toBe('close');
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
        'PAYLOAD_TOO_LARGE',
      );
    }
  });

  it('should answer 413 every time for multipart uploads, and serve normally afterwards', async () => {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const form = new FormData();
      form.append('image', new Blob([oversized], { type: 'image/png' }), 'big.png');
      const response = await fetch(`${base}${PREDICT}`, { method: 'POST', body: form });
      expect(response.status).toBe(413);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
        'PAYLOAD_TOO_LARGE',
      );
    }

    const form = new FormData();
    form.append('image', new Blob([await examplePng()], { type: 'image/png' }), 'ok.png');
    const ok = await fetch(`${base}${PREDICT}`, { method: 'POST', body: form });
    expect(ok.status).toBe(200);
  });
});

describe('malformed and oversized multipart bodies', () => {
  const app = useTestApp({ MAX_UPLOAD_BYTES: '100000' });

  it.each([
    ['no boundary', 'multipart/form-data', 'garbage'],
    ['a boundary the body never uses', 'multipart/form-data; boundary=XYZ', 'garbage'],
    [
      'a part cut off in the middle',
      'multipart/form-data; boundary=XYZ',
      '--XYZ\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n\x89PNG',
    ],
  ])('should answer 400 MALFORMED_MULTIPART for %s', async (_case, contentType, body) => {
    const response = await request(app().getHttpServer())
      .post(PREDICT)
      .set('Content-Type', contentType)
      .send(Buffer.from(body, 'binary'));

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('MALFORMED_MULTIPART');
  });

  it('should answer 413 when several files together exceed MAX_UPLOAD_BYTES, naming the limit', async () => {
    const piece = Buffer.alloc(60_000, 1);
    const response = await request(app().getHttpServer())
      .post(PREDICT)
      .attach('image', piece, 'a.png')
      .attach('image', piece, 'b.png');

    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(response.body.error.message).toContain('100000 bytes (MAX_UPLOAD_BYTES)');
  });

  it('should name the limit when a single raw body is too large', async () => {
    const response = await request(app().getHttpServer())
      .post(PREDICT)
      .set('Content-Type', 'image/png')
      .send(Buffer.alloc(200_000, 1));

    expect(response.status).toBe(413);
    expect(response.body.error.message).toContain('100000 bytes (MAX_UPLOAD_BYTES)');
  });
});

describe('batch size limit (MAX_BATCH_IMAGES=2)', () => {
  const app = useTestApp({ MAX_BATCH_IMAGES: '2' });

  it.each([
    [3, 'received 3'],
    [6, 'received at least 4'],
  ])(
    'should answer 413 TOO_MANY_IMAGES for %i images, however many more came',
    async (count, received) => {
      const png = await examplePng();
      let call = request(app().getHttpServer()).post(PREDICT);
      for (let i = 0; i < count; i += 1) {
        call = call.attach('image', png, `${i}.png`);
      }

      const response = await call.expect(413);

      expect(response.body.error).toMatchObject({
        code: 'TOO_MANY_IMAGES',
        message: `a request may carry at most 2 images (MAX_BATCH_IMAGES); ${received}`,
      });
    },
  );

  it('should answer 413 TOO_MANY_IMAGES for a second image on an endpoint that takes one', async () => {
    const png = await examplePng();
    const response = await request(app().getHttpServer())
      .post('/v1/models/fashion-mnist/prediction-image')
      .attach('image', png, 'a.png')
      .attach('image', png, 'b.png')
      .expect(413);

    expect(response.body.error).toMatchObject({
      code: 'TOO_MANY_IMAGES',
      message: 'this endpoint takes one image per request; received 2',
    });
  });
});

describe('image fields', () => {
  const app = useTestApp();

  const expectMisplaced = (response: request.Response, field: string) => {
    expect(response.status).toBe(400);
    expect(response.body.error).toEqual({
      code: 'INVALID_PARAMETER',
      message: `the form has a file in the field "${field}"; images go in the file field "image" (repeat it for a batch, as curl -F image=@a.png -F image=@b.png does)`,
      details: { parameter: field },
    });
  };

  it.each(['file', 'images', 'files'])(
    'should refuse an image sent in the file field "%s", saying images go in "image"',
    async (field) => {
      const response = await request(app().getHttpServer())
        .post(PREDICT)
        .attach(field, await examplePng(), 'a.png');

      expectMisplaced(response, field);
    },
  );

  it('should refuse a second file under another name rather than make a batch of two', async () => {
    const png = await examplePng();
    const response = await request(app().getHttpServer())
      .post(PREDICT)
      .attach('image', png, 'a.png')
      .attach('file', png, 'b.png');

    expectMisplaced(response, 'file');
  });

  it('should refuse a file beside the image rather than ignore it', async () => {
    const png = await examplePng();
    const response = await request(app().getHttpServer())
      .post(PREDICT)
      .attach('image', png, 'a.png')
      .attach('foo', Buffer.from('anything'), 'notes.txt');

    expectMisplaced(response, 'foo');
  });

  const expectTextImage = (response: request.Response, source: string) => {
    expect(response.status).toBe(400);
    expect(response.body.error).toEqual({
      code: 'INVALID_PARAMETER',
      message: `the field "image" must be a file upload (curl -F image=@file.png), but it came as a ${source}`,
      details: { parameter: 'image', received: source },
    });
  };

  it('should say that "image" must be a file when it came as text beside an image file', async () => {
    const response = await request(app().getHttpServer())
      .post(PREDICT)
      .attach('image', await examplePng(), 'a.png')
      .field('image', 'hello');

    expectTextImage(response, 'text field');
  });

  it('should say that "image" must be a file when it came only as text, not that no image came', async () => {
    const response = await request(app().getHttpServer())
      .post(PREDICT)
      .field('image', 'boot.png')
      .field('top_k', '3');

    expectTextImage(response, 'text field');
  });

  it('should say that "image" must be a file when it came in the query string', async () => {
    const response = await request(app().getHttpServer())
      .post(`${PREDICT}?image=boot.png`)
      .attach('image', await examplePng(), 'a.png');

    expectTextImage(response, 'query parameter');
  });

  it('should take a batch from the repeated field "image"', async () => {
    const png = await examplePng();
    const response = await request(app().getHttpServer())
      .post(PREDICT)
      .attach('image', png, 'a.png')
      .attach('image', png, 'b.png')
      .expect(200);

    expect(response.body.predictions).toHaveLength(2);
  });

  it('should answer 413 FIELD_TOO_LARGE for a text field over 64 KiB rather than read it cut short', async () => {
    const response = await request(app().getHttpServer())
      .post('/gradcam')
      .field('layer', 'L'.repeat(64 * 1024 + 1))
      .attach('image', await examplePng(), 'a.png');

    expect(response.status).toBe(413);
    expect(response.body.error).toEqual({
      code: 'FIELD_TOO_LARGE',
      message:
        'form field "layer" must have at most 65536 bytes; received more. Parameters are names and numbers: send the image as the file field "image"',
      details: { field: 'layer', limitBytes: 65536 },
    });
  });

  it('should read a text field of exactly 64 KiB whole: its refusal counts every character', async () => {
    const response = await request(app().getHttpServer())
      .post('/gradcam')
      .field('layer', 'L'.repeat(64 * 1024))
      .attach('image', await examplePng(), 'a.png');

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('INVALID_PARAMETER');
    expect(response.body.error.message).toMatch(/; received "L{100}"… \(65536 characters\)$/);
  });

  it.each(['toString', 'constructor', '__proto__'])(
    'should refuse a form field named %s as a parameter no endpoint has, not as a malformed form',
    async (name) => {
      const response = await request(app().getHttpServer())
        .post(PREDICT)
        .attach('image', await examplePng(), 'a.png')
        .field(name, '1');

      expect(response.status).toBe(400);
      expect(response.body.error).toEqual({
        code: 'INVALID_PARAMETER',
        message:
          'a form field is named after a property of JavaScript objects (constructor, toString, hasOwnProperty, __proto__, ...), which no parameter is: send only the parameters the endpoint takes',
      });
    },
  );

  it("should answer 413 TOO_MANY_FIELDS naming the limit, not the multipart library's words", async () => {
    let call = request(app().getHttpServer()).post(PREDICT);
    for (let i = 0; i < 51; i += 1) {
      call = call.field(`f${i}`, 'x');
    }

    const response = await call.attach('image', await examplePng(), 'a.png');

    expect(response.status).toBe(413);
    expect(response.body.error).toEqual({
      code: 'TOO_MANY_FIELDS',
      message:
        'a form may carry at most 50 fields besides its images; received more. Send only the parameters the endpoint takes',
      details: { limit: 50 },
    });
  });
});

interface RawAnswer {
  readonly status: number;
  readonly headers: string;
  readonly body: string;
  /** The server closed the connection (or the wait ended first: false). */
  readonly closed: boolean;
  readonly ms: number;
}

/**
 * Writes `bytes` on a raw socket (half-closing it after them when asked),
 * sends nothing more, and reads what comes back until the server closes the
 * connection or `waitMs` passes.
 */
function rawExchange(
  port: number,
  bytes: string | Buffer,
  options: { halfClose?: boolean; waitMs?: number } = {},
): Promise<RawAnswer> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(bytes);
      if (options.halfClose === true) {
        socket.end();
      }
    });
    const chunks: Buffer[] = [];
    const finish = (closed: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const [headers = '', body = ''] = text.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(headers)?.[1] ?? 0);
      resolve({ status, headers, body, closed, ms: Date.now() - started });
    };
    const timer = setTimeout(() => finish(false), options.waitMs ?? 5000);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => finish(true));
    socket.on('error', () => undefined);
  });
}

const head = (lines: string[]): string => `${lines.join('\r\n')}\r\n\r\n`;

describe('requests the HTTP server cannot read, on raw sockets', () => {
  const app = useTestApp({ MAX_UPLOAD_BYTES: '100000', HTTP_REQUEST_BODY_TIMEOUT_MS: '1500' });
  let port: number;

  beforeAll(async () => {
    await app().listen({ port: 0, host: '127.0.0.1' });
    port = Number(new URL(await app().getUrl()).port);
  });

  const expectDocumented = (answer: RawAnswer, status: number, code: string) => {
    expect({ status: answer.status, closed: answer.closed }).toEqual({ status, closed: true });
    expect(answer.headers).toMatch(/^connection: close$/im);
    expect(answer.headers).toMatch(/^content-type: application\/json/im);
    const body = JSON.parse(answer.body) as { error: { code: string; message: string } };
    expect(body.error.code).toBe(code);
    return body.error.message;
  };

  it('should answer a garbage request line with the documented 400 BAD_REQUEST', async () => {
    const answer = await rawExchange(port, 'GARBAGE\r\n\r\n');

    expect(expectDocumented(answer, 400, 'BAD_REQUEST')).toBe(
      'the request could not be read as HTTP/1.1: the request line must be METHOD /path HTTP/1.1; its method is not one HTTP knows',
    );
  });

  it.each([
    [
      'Content-Length: abc, quoting the value',
      ['Content-Length: abc'],
      '',
      'Content-Length must be a number of bytes in decimal digits; received "abc"',
    ],
    [
      'a well-formed Content-Length sent with Transfer-Encoding: chunked, as the two framings it is',
      ['Transfer-Encoding: chunked', 'Content-Length: 393'],
      '3\r\nabc\r\n0\r\n\r\n',
      'the request has more than one Content-Length, or a Content-Length with Transfer-Encoding: chunked; send one of them, once',
    ],
  ])('should answer %s with 400 BAD_REQUEST', async (_, framing, body, message) => {
    const answer = await rawExchange(
      port,
      head([`POST ${PREDICT} HTTP/1.1`, 'Host: x', 'Content-Type: image/png', ...framing]) + body,
    );

    expect(expectDocumented(answer, 400, 'BAD_REQUEST')).toBe(
      `the request could not be read as HTTP/1.1: ${message}`,
    );
  });

  it.each([
    ['a raw image', 'image/png', 'abc'],
    [
      'a form',
      'multipart/form-data; boundary=XYZ',
      '--XYZ\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n\r\nabc',
    ],
  ])(
    'should answer %s shorter than its Content-Length, cut short by the client, with 400 BAD_REQUEST',
    async (_case, contentType, body) => {
      const answer = await rawExchange(
        port,
        head([
          `POST ${PREDICT} HTTP/1.1`,
          'Host: x',
          `Content-Type: ${contentType}`,
          'Content-Length: 1000',
        ]) + body,
        { halfClose: true },
      );

      expect(expectDocumented(answer, 400, 'BAD_REQUEST')).toContain(
        'a body shorter than its Content-Length',
      );
    },
  );

  it.each([
    ['a raw image', 'image/png', Buffer.alloc(20_000, 1)],
    [
      'a form',
      'multipart/form-data; boundary=XYZ',
      Buffer.concat([
        Buffer.from(
          '--XYZ\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n',
        ),
        Buffer.alloc(20_000, 1),
      ]),
    ],
  ])(
    'should answer an upload of %s that stalls with 408 REQUEST_TIMEOUT after HTTP_REQUEST_BODY_TIMEOUT_MS and free the connection',
    async (_case, contentType, part) => {
      const answer = await rawExchange(
        port,
        Buffer.concat([
          Buffer.from(
            head([
              `POST ${PREDICT} HTTP/1.1`,
              'Host: x',
              `Content-Type: ${contentType}`,
              'Content-Length: 90000',
            ]),
          ),
          part,
        ]),
        { waitMs: 6000 },
      );

      expect(expectDocumented(answer, 408, 'REQUEST_TIMEOUT')).toBe(
        'the request was not received in full within 1500 ms (HTTP_REQUEST_BODY_TIMEOUT_MS); send the headers and the whole body without pausing, or raise HTTP_REQUEST_BODY_TIMEOUT_MS for slow links',
      );
      expect(answer.ms).toBeGreaterThanOrEqual(1400);
      expect(answer.ms).toBeLessThan(4000);
    },
  );

  it.each([
    ['415 for a body type it does not read', 'text/plain', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['413 for a Content-Length over MAX_UPLOAD_BYTES', 'image/png', 413, 'PAYLOAD_TOO_LARGE'],
    ['400 for a form without a boundary', 'multipart/form-data', 400, 'MALFORMED_MULTIPART'],
  ])(
    'should close the connection after answering %s before the body was read',
    async (_case, contentType, status, code) => {
      // the client sends a part of a large body and waits: no byte of it is read any more
      const answer = await rawExchange(
        port,
        head([
          `POST ${PREDICT} HTTP/1.1`,
          'Host: x',
          `Content-Type: ${contentType}`,
          'Content-Length: 5000000',
        ]) + 'x'.repeat(1000),
        { waitMs: 1000 },
      );

      expectDocumented(answer, status, code);
      expect(answer.ms).toBeLessThan(1000);
    },
  );

  it('should keep the connection of an error answered after the whole body was read', async () => {
    const answer = await rawExchange(
      port,
      head([
        `POST ${PREDICT} HTTP/1.1`,
        'Host: x',
        'Content-Type: image/png',
        'Content-Length: 4',
      ]) + 'abcd',
      { waitMs: 800 },
    );

    expect(answer.status).toBe(415);
    expect(answer.closed).toBe(false);
  });
});
