/** The `analyst` command line; `bin/analyst.mjs` runs `main`. Nothing else imports cli/. */
export { buildProgram, main } from './main.ts';
