#!/usr/bin/env node
// CDK app entry point (cdk.json "app"). Configuration errors are printed as one readable message
// naming the bad fields, without a stack trace, and fail the synth.
import { DeploymentConfigError } from '../lib/config.js';
import { createScimApp } from '../lib/app.js';

try {
  createScimApp().app.synth();
} catch (e) {
  if (!(e instanceof DeploymentConfigError)) throw e;
  console.error(`\n${e.message}\n`);
  process.exitCode = 1;
}
