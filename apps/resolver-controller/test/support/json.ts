/** JSON read back from kubectl: tests navigate it freely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- arbitrary API objects
export type Json = any;
