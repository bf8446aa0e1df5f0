// PGlite's CommonJS build loads Node built-ins with `await import("fs")` and friends. Jest runs
// CommonJS in a vm context where a dynamic import needs --experimental-vm-modules, which a Jest
// config cannot set; so, for Jest only, turn those imports into requires. `require` itself cannot
// stand in for `import` here: the emscripten factory declares its own `var require` (hoisted,
// undefined until set), hence a differently named module-level helper.
const HELPER = 'const __anvilImport = (id) => Promise.resolve().then(() => require(id));\n';

module.exports = {
  process(source) {
    return { code: HELPER + source.replace(/\bimport\((?=["'])/g, '__anvilImport(') };
  },
};
