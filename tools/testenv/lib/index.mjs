// ESM view of index.cjs (the implementation is CommonJS so Jest can require it).
export * from './index.cjs';
export { default } from './index.cjs';
