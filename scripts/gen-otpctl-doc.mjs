#!/usr/bin/env node
// Writes docs/otpctl.md from otpctl's yargs definitions (the built dist/src/cli/doc.js).
// Run after `npm run build:ts`: node scripts/gen-otpctl-doc.mjs
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { renderOtpctlDoc } from '../dist/src/cli/doc.js';

const target = fileURLToPath(new URL('../docs/otpctl.md', import.meta.url));
await writeFile(target, await renderOtpctlDoc());
console.log(`wrote ${target}`);
