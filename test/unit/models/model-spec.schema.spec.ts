import { modelSpecSchema } from '../../../src/models/model-spec.schema';

const specWith = (input: Record<string, unknown>) => ({
  input: { height: 28, width: 28, channels: 1, ...input },
});

describe('modelSpecSchema', () => {
  describe('input.background', () => {
    it.each(['white', 'black', '#000000', '#1a2B3c'])('accepts %s', (background) => {
      const parsed = modelSpecSchema.parse(specWith({ background }));

      expect(parsed.input.background).toBe(background);
    });

    it('is white when model.json leaves it out, as before the field existed', () => {
      const parsed = modelSpecSchema.parse(specWith({}));

      expect(parsed.input.background).toBe('white');
    });

    it.each([
      ['blue', '"blue"'],
      ['#12345', '"#12345"'],
      ['#1234567', '"#1234567"'],
      ['#ggffee', '"#ggffee"'],
      ['ffffff', '"ffffff"'],
      ['White', '"White"'],
      [0, '0'],
    ])(
      'refuses %p, naming input.background, what it accepts and what came',
      (background, shown) => {
        const parsed = modelSpecSchema.safeParse(specWith({ background }));

        expect(parsed.success).toBe(false);
        expect(parsed.error?.issues).toEqual([
          expect.objectContaining({
            path: ['input', 'background'],
            message: `expected "white", "black" or a "#rrggbb" hex colour, got ${shown}`,
          }),
        ]);
      },
    );
  });
});
