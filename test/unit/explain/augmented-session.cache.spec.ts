import { AugmentedSessionCache } from '../../../src/runtime/augmented-session.cache';

class Resource {
  released = 0;
  constructor(readonly key: string) {}
  release(): Promise<void> {
    this.released += 1;
    return Promise.resolve();
  }
}

describe('AugmentedSessionCache', () => {
  it('builds a key once, even for concurrent users', async () => {
    const cache = new AugmentedSessionCache<Resource>(2);
    let builds = 0;
    const build = async () => {
      builds += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return new Resource('a');
    };

    await Promise.all([1, 2, 3].map(() => cache.use('a', build, (r) => Promise.resolve(r.key))));

    expect(builds).toBe(1);
  });

  it('evicts the least recently used entry and releases it once its last user is done', async () => {
    const cache = new AugmentedSessionCache<Resource>(2);
    const made = new Map<string, Resource>();
    const build = (key: string) => () => {
      const resource = new Resource(key);
      made.set(key, resource);
      return Promise.resolve(resource);
    };
    await cache.use('a', build('a'), () => Promise.resolve());
    await cache.use('b', build('b'), () => Promise.resolve());

    let releasedDuringUse = -1;
    await cache.use('b', build('b'), async () => {
      await cache.use('c', build('c'), () => Promise.resolve());
      await cache.use('d', build('d'), () => Promise.resolve());
      releasedDuringUse = made.get('b')?.released ?? -1;
    });

    expect(cache.keys()).toEqual(['c', 'd']);
    expect(made.get('a')?.released).toBe(1);
    expect(releasedDuringUse).toBe(0);
    expect(made.get('b')?.released).toBe(1);
  });

  it('keeps the recently used entry rather than the first built', async () => {
    const cache = new AugmentedSessionCache<Resource>(2);
    const build = (key: string) => () => Promise.resolve(new Resource(key));

    for (const key of ['a', 'b', 'a', 'c']) {
      await cache.use(key, build(key), () => Promise.resolve());
    }

    expect(cache.keys()).toEqual(['a', 'c']);
  });

  it('does not keep a failed build', async () => {
    const cache = new AugmentedSessionCache<Resource>(2);
    const failing = () => Promise.reject(new Error('no rule'));

    await expect(cache.use('a', failing, () => Promise.resolve())).rejects.toThrow('no rule');
    await expect(
      cache.use(
        'a',
        () => Promise.resolve(new Resource('a')),
        (r) => Promise.resolve(r.key),
      ),
    ).resolves.toBe('a');
  });

  it('refuses a capacity below 1', () => {
    expect(() => new AugmentedSessionCache<Resource>(0)).toThrow(
      'AugmentedSessionCache capacity: expected an integer >= 1, got 0',
    );
  });
});
