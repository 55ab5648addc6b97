#!/usr/bin/env node
/** otpctl's process entry point: real stdio, real clock, the loader's backend. */
import { hideBin } from 'yargs/helpers';
import { runCli } from './cli.js';
import { processDeps } from './deps.js';

await runCli(processDeps(), hideBin(process.argv));
