#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, so a fresh `npm install` leaves a working `npx runmedic`
// with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
