#!/usr/bin/env node
/**
 * `npm run pack`: packs every publishable package (packages/*, none private) into one folder,
 * dist-packages/ by default or the folder given, emptied first. Run after a build: the tarballs
 * hold each package's `dist`. Prints the tarballs' paths, one a line.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const destination = path.resolve(process.argv[2] ?? path.join(root, 'dist-packages'));

const packages = readdirSync(path.join(root, 'packages'))
  .map((dir) => path.join('packages', dir))
  .filter((dir) => !JSON.parse(readFileSync(path.join(root, dir, 'package.json'), 'utf8')).private);

rmSync(destination, { recursive: true, force: true });
mkdirSync(destination, { recursive: true });
const packed = JSON.parse(
  execFileSync('npm', ['pack', '--json', '--pack-destination', destination, ...packages.flatMap((dir) => ['--workspace', dir])], { cwd: root, encoding: 'utf8' }),
);
for (const { filename } of packed) process.stdout.write(`${path.join(destination, filename)}\n`);
