import path from 'node:path';
import { Command, Option } from 'commander';
import { atomicWriteFile, ErrorCodes, NodeFileSystem, sharedContextSchema, systemErrorCode } from '@prevention/core';
import { action, withExamples } from '../command-kit.js';
import type { CommandContext } from '../context.js';
import { CliError, ExitCode } from '../output/errors.js';
import { configFileName, configTemplate, type ConfigFormat } from '../init/config-template.js';

interface InitOptions {
  file: string;
  format: ConfigFormat;
  force?: boolean;
}

const SCHEMA_PATH = 'schemas/shared-context.json';

async function exists(fs: NodeFileSystem, file: string): Promise<boolean> {
  try {
    await fs.lstat(file);
    return true;
  } catch (err) {
    if (systemErrorCode(err) === 'ENOENT') return false;
    throw err;
  }
}

async function runInit(ctx: CommandContext, options: InitOptions): Promise<ExitCode> {
  const fs = new NodeFileSystem();
  const configFile = path.join(ctx.cwd, configFileName(options.format));
  const schemaFile = path.join(ctx.cwd, SCHEMA_PATH);
  if (!options.force) {
    const present = [];
    for (const file of [configFile, schemaFile]) if (await exists(fs, file)) present.push(path.relative(ctx.cwd, file));
    if (present.length > 0) {
      throw new CliError(ErrorCodes.USAGE, `${present.join(' and ')} already exist${present.length === 1 ? 's' : ''}; nothing was written`, 'add --force to overwrite them', ExitCode.Problems);
    }
  }
  await fs.mkdir(path.dirname(schemaFile), { recursive: true });
  await atomicWriteFile(fs, schemaFile, Buffer.from(`${JSON.stringify(sharedContextSchema, null, 2)}\n`), { mode: 0o644, label: 'writing the schema' });
  await atomicWriteFile(fs, configFile, Buffer.from(configTemplate({ file: options.file, schema: `./${SCHEMA_PATH}` })), { mode: 0o644, label: 'writing the config' });
  const { output } = ctx;
  output.result(`created ${path.relative(ctx.cwd, configFile)}`);
  output.result(`created ${SCHEMA_PATH}`);
  output.progress(output.err.dim(`next: \`prevention check\` validates ${options.file}; \`prevention publish ${options.file} --type hello --source me\` writes to it`));
  return ExitCode.Ok;
}

/** `prevention init`: writes a commented config and the shared context schema. */
export function initCommand(): Command {
  const command = new Command('init')
    .description('write a commented prevention.config.ts and a JSON Schema for the shared context')
    .option('--file <path>', 'the shared context file to manage', 'shared_context.json')
    .addOption(new Option('--format <format>', 'config file format').choices(['ts', 'mjs']).default('ts'))
    .option('--force', 'overwrite existing files')
    .action(action(runInit));
  return withExamples(command, [
    ['prevention init', 'prevention.config.ts + schemas/shared-context.json'],
    ['prevention init --file bmad/shared_context.json', 'manage another path'],
    ['prevention init --format mjs --force', 'plain JavaScript config, replacing existing files'],
  ]);
}
