#!/usr/bin/env node
import { processIo } from './io';
import { run } from './cli';

process.exitCode = run(process.argv.slice(2), processIo);
