#!/usr/bin/env node
// The integrity monitor daemon; `prevention-monitor --help` lists its options.
import { runMonitorCommandLine } from '../dist/index.js';

process.exit(await runMonitorCommandLine());
