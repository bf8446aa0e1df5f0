// Loads the env file written by `npm run testenv:up` into process.env of each test file.
const { readTestenv } = require('./testenv-file.cjs');

Object.assign(process.env, { ...readTestenv(), ...process.env });
