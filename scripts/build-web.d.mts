/** Bundle web/src into web/dist (see build-web.mjs); returns the files written. */
export function buildWeb(options?: { outDir?: string }): Promise<string[]>;
