// Lets a plain `node` child process (the fresh-process restore test) load this app's
// TypeScript sources: transpiles .ts on require and maps @anvil/<lib> to libs/<lib>/src.
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const ts = require('typescript');

const libs = path.join(__dirname, '..', '..', '..', 'libs');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  const match = /^@anvil\/([^/]+)(?:\/(.+))?$/.exec(request);
  if (match) {
    const base = path.join(libs, match[1], 'src', match[2] ?? 'index');
    request = fs.existsSync(`${base}.ts`) ? `${base}.ts` : path.join(base, 'index.ts');
  }
  return resolve.call(this, request, parent, ...rest);
};
require.extensions['.ts'] = (module, filename) => {
  const source = fs.readFileSync(filename, 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
    },
    fileName: filename,
  });
  module._compile(outputText, filename);
};
