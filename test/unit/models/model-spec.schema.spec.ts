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

  describe("messages, in the project's words rather than zod's", () => {
    const messagesOf = (spec: unknown): string[] =>
      modelSpecSchema
        .safeParse(spec)
        .error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) ?? [];

    it.each([
      [
        {},
        "input: expected an object with the height, width and channels of the model's input, got nothing",
      ],
      [specWith({ height: 0 }), 'input.height: expected a positive integer, got 0'],
      [specWith({ width: 2.5 }), 'input.width: expected a positive integer, got 2.5'],
      [specWith({ channels: 2 }), 'input.channels: expected 1 or 3, got 2'],
      [specWith({ name: '' }), 'input.name: expected the name of an input of the model, got ""'],
      [specWith({ mean: [] }), 'input.mean: expected a list of one or more numbers, got []'],
      [specWith({ std: [0] }), 'input.std.0: expected a positive number, got 0'],
      [specWith({ layout: 'HWC' }), 'input.layout: expected "NCHW" or "NHWC", got "HWC"'],
      [
        { ...specWith({}), labels: '' },
        'labels: expected the name of a labels file beside model.json, got ""',
      ],
      [
        { ...specWith({}), defaultLayer: '' },
        'defaultLayer: expected a value or node name of the model, got ""',
      ],
      [
        { ...specWith({}), output: '' },
        'output: expected the name of an output of the model, got ""',
      ],
      [
        { ...specWith({}), defaultlayer: 'x' },
        ': unknown field "defaultlayer": expected the fields of model.json (name, description, input, output, outputKind, labels, defaultLayer)',
      ],
    ])('%j: %s', (spec, message) => {
      expect(messagesOf(spec)).toEqual([message]);
    });
  });
});
