#!/usr/bin/env node
// CDK app entry point. The stack arrives with the deployment issue.
import { App } from 'aws-cdk-lib';

const app = new App();
app.synth();
