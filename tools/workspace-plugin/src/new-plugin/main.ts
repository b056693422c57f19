#!/usr/bin/env tsx
/**
 * npx nx run workspace-plugin:new-plugin --kind=loss --name=focal
 * Scaffolds packages/loss-focal; then run `npm install` (links the package) and
 * `npx jest --selectProjects loss-focal`, and register it in packages/runtime to ship it.
 */
import { Command } from 'commander';
import { runCli } from '@rewardkit/runtime';
import { generatePlugin, type NewPluginOptions } from './new-plugin';

const program = new Command('new-plugin')
  .requiredOption('--kind <kind>', 'loss, eval or model')
  .requiredOption('--name <name>', 'kebab-case plugin name')
  .option('--root <dir>', 'workspace root to write into')
  .action((opts: NewPluginOptions) => {
    for (const file of generatePlugin(opts)) process.stdout.write(`created ${file}\n`);
  });

if (require.main === module) void runCli(program);
