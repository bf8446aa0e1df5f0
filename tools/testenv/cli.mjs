#!/usr/bin/env node
// ESM entry point; the implementation is CommonJS (cli.cjs) so Jest can require lib/*.cjs.
import './cli.cjs';
