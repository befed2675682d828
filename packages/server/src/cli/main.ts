#!/usr/bin/env node
/**
 * The `pitboss` command. A registry only: each command lives in its own `*-command.ts` file and registers
 * itself here, so adding one (server, apply, audit…) touches one line of this file.
 */
import { Command } from 'commander';
import { registerApplyCommand } from './apply-command.js';
import { registerAuditCommand } from './audit-command.js';
import { registerDemoCommand } from './demo-command.js';
import { registerDiffCommand } from './diff-command.js';
import { registerEvalCommand } from './eval-command.js';
import { registerExportCommand } from './export-command.js';
import { registerFlagsCommand } from './flags-command.js';
import { registerGatewayCommand } from './gateway-command.js';
import { registerPresetsCommand } from './presets-command.js';
import { registerReadinessCommand } from './readiness-command.js';
import { registerRolloutCommand } from './rollout-command.js';
import { run } from './run.js';
import { registerServerCommand } from './server-command.js';
import { registerValidateCommand } from './validate-command.js';
import { packageVersion } from './version.js';

export const program = new Command('pitboss')
  .description('Pitboss: progressive delivery and feature flags for iGaming')
  .version(packageVersion(), '-V, --version', 'print the version')
  .showHelpAfterError('(run with --help for usage)');

registerValidateCommand(program);
registerEvalCommand(program);
registerServerCommand(program);
registerApplyCommand(program);
registerDiffCommand(program);
registerExportCommand(program);
registerFlagsCommand(program);
registerPresetsCommand(program);
registerAuditCommand(program);
registerRolloutCommand(program);
registerGatewayCommand(program);
registerReadinessCommand(program);
registerDemoCommand(program);

// scripts/gen-cli-docs.mjs imports this module for `program` alone (docs/cli.md): it sets PITBOSS_CLI_NO_RUN.
if (process.env.PITBOSS_CLI_NO_RUN !== '1') await run(program, process.argv);
