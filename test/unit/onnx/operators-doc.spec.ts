import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import { gradientRules } from '../../../src/onnx/autodiff/gradient-rules';

/** The operator names in the table of docs/operators.md (the backticked words of its rows). */
function documentedOperators(): string[] {
  const text = readFileSync(path.resolve(__dirname, '../../../docs/operators.md'), 'utf8');
  const rows = text.split('\n').filter((line) => /^\| [a-z]+ +\| `/.test(line));
  return rows.flatMap((row) =>
    [...row.matchAll(/`([A-Za-z][A-Za-z0-9]*)`/g)].map((match) => match[1]),
  );
}

describe('docs/operators.md', () => {
  it('lists exactly the operators the gradient engine has rules for, each once', () => {
    const documented = documentedOperators();

    expect(new Set(documented).size).toBe(documented.length);
    expect([...documented].sort()).toEqual(Object.keys(gradientRules).sort());
  });
});
