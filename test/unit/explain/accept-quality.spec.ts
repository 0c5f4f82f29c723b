import { acceptQuality, prefersJsonTensor } from '../../../src/http/accept-quality';

describe('acceptQuality (RFC 9110 section 12.5.1)', () => {
  it('takes the q of the most specific range that matches, 0 when none does', () => {
    const accept = 'application/json;q=0.3, application/*;q=0.6, */*;q=0.1';

    expect(acceptQuality(accept, 'application/json')).toBe(0.3);
    expect(acceptQuality(accept, 'application/x-npy')).toBe(0.6);
    expect(acceptQuality(accept, 'image/png')).toBe(0.1);
    expect(acceptQuality('text/html', 'application/json')).toBe(0);
  });

  it('accepts everything at q = 1 without a header, and reads types case-insensitively', () => {
    expect(acceptQuality(undefined, 'application/x-npy')).toBe(1);
    expect(acceptQuality('Application/JSON; Q=0.4', 'application/json')).toBe(0.4);
  });

  it('reads past quoted commas and empty elements, and leaves out ranges with a bad q', () => {
    const accept = 'text/plain;x="a,application/json";q=0.2,, application/json;q=abc, */*;q=0.5';

    expect(acceptQuality(accept, 'application/json')).toBe(0.5);
    expect(acceptQuality(accept, 'text/plain')).toBe(0.2);
    expect(acceptQuality('application/json;q=2', 'application/json')).toBe(0);
  });

  it('takes the higher q of two equally specific ranges', () => {
    expect(
      acceptQuality('application/json;q=0.2, application/json;q=0.7', 'application/json'),
    ).toBe(0.7);
  });
});

describe('prefersJsonTensor', () => {
  it.each([
    [undefined, false],
    ['application/json', true],
    ['application/json;q=0', false],
    ['application/json, */*', false],
    ['application/json;q=0.9, application/x-npy;q=0.8, application/octet-stream;q=0.85', true],
    ['application/json;q=0.9, application/x-npy;q=0.8, application/octet-stream', false],
  ])('Accept: %s -> %s', (accept, expected) => {
    expect(prefersJsonTensor(accept)).toBe(expected);
  });
});
