import { decodeAnswer, encodeAnswer } from '../../../src/jobs/queue/job-answer.codec';

describe('job answer codec', () => {
  it('should store a binary answer as its own bytes plus a small JSON of content type and metadata', () => {
    const data = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 255]);
    const answer = {
      type: 'binary' as const,
      contentType: 'image/png',
      data,
      metadata: { class_index: 3, label: 'Dress' },
    };

    const stored = encodeAnswer(answer);

    expect(stored.data.equals(data)).toBe(true);
    expect(JSON.parse(stored.meta.toString())).toEqual({
      type: 'binary',
      contentType: 'image/png',
      metadata: { class_index: 3, label: 'Dress' },
    });
    expect(decodeAnswer(stored)).toEqual(answer);
  });

  it('should round-trip a JSON answer', () => {
    const answer = {
      type: 'json' as const,
      body: { predictions: [{ index: 1, probability: 0.25 }] },
    };

    const decoded = decodeAnswer(encodeAnswer(answer));

    expect(decoded.type).toBe('json');
    expect(decoded.type === 'json' ? decoded.body : undefined).toEqual(answer.body);
  });

  it('should keep a JSON answer as its stored bytes, to be sent without parsing', () => {
    const bytes = Buffer.from('{"histograms":[{"layer":"conv1","counts":[1,2,3]}]}');
    const decoded = decodeAnswer({ meta: Buffer.from('{"type":"json"}'), data: bytes });

    expect(decoded.type === 'json' ? decoded.encoded : undefined).toBe(bytes);
  });
});
