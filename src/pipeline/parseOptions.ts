/**
 * The yaml library's options for reading a pipeline: positions are counted, a duplicate
 * key is an error, and merge keys (`<<: *defaults`) are allowed so that stages can share
 * settings. Kept apart from ./parse.ts so that the parse cache (./parsedCache.ts) can name
 * them in its key without loading the parser.
 */
export const PARSE_OPTIONS = { prettyErrors: false, uniqueKeys: true, merge: true } as const;
