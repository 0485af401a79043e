#!/usr/bin/env node
/**
 * `npm run pack`: packs every publishable package (packages/*, none private) into one folder,
 * dist-packages/ by default or the folder given, emptied first, and prints the tarballs' paths,
 * one a line. Run after a build: the tarballs hold each package's `dist`.
 *
 * Also a module: the packed-install test and the install-footprint benchmark pack and install
 * the tarballs the same way a user does.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/**
 * The publishable packages of the checkout at `repository` (default this one), as paths relative to it.
 * @param {string} [repository]
 */
export function publishablePackages(repository = root) {
  return readdirSync(path.join(repository, 'packages'))
    .map((dir) => path.join('packages', dir))
    .filter((dir) => !JSON.parse(readFileSync(path.join(repository, dir, 'package.json'), 'utf8')).private);
}

/**
 * Packs the publishable packages into `destination` (emptied first).
 * @param {string} destination
 * @param {string} [repository] the checkout to pack, default this one
 * @returns {string[]} the tarballs' absolute paths
 */
export function packAll(destination, repository = root) {
  rmSync(destination, { recursive: true, force: true });
  mkdirSync(destination, { recursive: true });
  const args = ['pack', '--json', '--pack-destination', destination, ...publishablePackages(repository).flatMap((dir) => ['--workspace', dir])];
  const packed = JSON.parse(execFileSync('npm', args, { cwd: repository, encoding: 'utf8' }));
  return packed.map(({ filename }) => path.join(destination, filename));
}

/**
 * The environment of a user's shell: this process's, without the `npm_*` variables that an
 * enclosing `npm test` or `npm run` sets (they would point npm at this repository).
 * @returns {NodeJS.ProcessEnv}
 */
export function userEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
}

/**
 * Installs `tarballs` with npm into `project` (created with a bare package.json if needed), as
 * the README's Install section does: third-party dependencies from the registry or npm's cache.
 * @param {string} project
 * @param {readonly string[]} tarballs
 * @returns {Promise<{ code: number, stdout: string, stderr: string }>}
 */
export function installTarballs(project, tarballs) {
  mkdirSync(project, { recursive: true });
  try {
    readFileSync(path.join(project, 'package.json'));
  } catch {
    writeFileSync(path.join(project, 'package.json'), `${JSON.stringify({ name: path.basename(project), private: true }, null, 2)}\n`);
  }
  return new Promise((resolve) => {
    execFile('npm', ['install', ...tarballs, '--prefer-offline', '--no-audit', '--no-fund'], { cwd: project, env: userEnv(), maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  for (const tarball of packAll(path.resolve(process.argv[2] ?? path.join(root, 'dist-packages')))) process.stdout.write(`${tarball}\n`);
}
