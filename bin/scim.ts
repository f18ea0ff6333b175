#!/usr/bin/env node
// CDK app entry point (cdk.json "app"). Configuration errors, and templates past an AWS limit
// (lib/limits.ts: CloudFormation would refuse them mid-deploy), are printed as one readable
// message naming the fields or the limit and the way out, without a stack trace, and fail the synth.
import { DeploymentConfigError } from '../lib/config.js';
import { createScimApp } from '../lib/app.js';
import { assertWithinLimits, LimitError } from '../lib/limits.js';

try {
  assertWithinLimits(createScimApp().app.synth().directory);
} catch (e) {
  if (!(e instanceof DeploymentConfigError) && !(e instanceof LimitError)) throw e;
  console.error(`\n${e.message}\n`);
  process.exitCode = 1;
}
