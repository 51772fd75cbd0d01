import { describe, expect, it } from 'vitest';
import { parseAst, stringifyAst } from './ast.ts';

describe('lossless AST JSON', () => {
  it('writes back numbers JavaScript cannot hold exactly, verbatim', () => {
    const json =
      '{"a":9007199254740993,"b":50.0,"c":18446744073709551615,"d":-1,"e":1.5e300,"s":"x\\"50.0\\"","n":[1,2]}';
    const ast = parseAst(json);
    expect(ast.d).toBe(-1);
    expect(ast.n).toEqual([1, 2]);
    expect(ast.s).toBe('x"50.0"');
    expect(stringifyAst(ast)).toBe(json);
  });

  it('leaves strings that merely look like numbers alone', () => {
    const json = '{"s":"9007199254740993","t":"\\u0001n12345678:5"}';
    expect(stringifyAst(parseAst(json))).toBe(json);
  });
});
